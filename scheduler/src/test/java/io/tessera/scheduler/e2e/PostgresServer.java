package io.tessera.scheduler.e2e;

import java.util.concurrent.TimeUnit;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A private PostgreSQL server for one test: {@code initdb} into a fresh directory, {@code postgres}
 * on a free loopback port with password (SCRAM) authentication, and a {@code tessera} database.
 * When the JVM runs as root the server runs as {@code nobody} (PostgreSQL refuses root). Without
 * PostgreSQL binaries the test is skipped, unless {@code TESSERA_REQUIRE_POSTGRES=1} (set by
 * .ci/run, which installs them), where it fails instead.
 */
public final class PostgresServer implements AutoCloseable {
    public static final String USER = "tessera";
    public static final String PASSWORD = "pg-test-" + Long.toHexString(System.nanoTime());
    private final Path dir;
    private final int port;
    private final Process server;

    private PostgresServer(Path dir, int port, Process server) {
        this.dir = dir;
        this.port = port;
        this.server = server;
    }

    /** Starts a server, or skips the calling test when PostgreSQL is not installed (see class doc). */
    public static PostgresServer start() throws IOException, InterruptedException {
        Optional<Path> bin = binDir();
        if (bin.isEmpty() && "1".equals(System.getenv("TESSERA_REQUIRE_POSTGRES"))) {
            throw new IllegalStateException("TESSERA_REQUIRE_POSTGRES=1 but no initdb on PATH or in /usr/lib/postgresql");
        }
        Assumptions.assumeTrue(bin.isPresent(), "PostgreSQL is not installed (initdb not found)");
        Path dir = Files.createTempDirectory("tessera-pg");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path pw = Files.writeString(dir.resolve("pw"), PASSWORD + "\n");
        if (root()) {
            UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
            Files.setOwner(dir, users.lookupPrincipalByName("nobody"));
            Files.setOwner(pw, users.lookupPrincipalByName("nobody"));
        }
        Path data = dir.resolve("data");
        run(dir, bin.get().resolve("initdb").toString(), "-D", data.toString(), "-U", USER, "--pwfile=" + pw,
                "-A", "scram-sha-256", "--no-sync", "-E", "UTF8", "--locale=C");
        int port = freePort();
        Process server = new ProcessBuilder(asServerUser(bin.get().resolve("postgres").toString(), "-D", data.toString(),
                "-p", String.valueOf(port), "-k", dir.toString(), "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"))
                .redirectErrorStream(true).redirectOutput(dir.resolve("server.log").toFile()).start();
        PostgresServer pg = new PostgresServer(dir, port, server);
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
            try (Connection c = DriverManager.getConnection(pg.url("postgres"), USER, PASSWORD)) {
                return c.isValid(2);
            }
        });
        try (Connection c = DriverManager.getConnection(pg.url("postgres"), USER, PASSWORD); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE tessera");
        } catch (SQLException e) {
            pg.close();
            throw new IOException(e);
        }
        return pg;
    }

    /** The JDBC URL of the {@code tessera} database. */
    public String url() {
        return url("tessera");
    }

    private String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    private static Optional<Path> binDir() {
        Optional<Path> onPath = Arrays.stream(System.getenv().getOrDefault("PATH", "").split(":"))
                .map(p -> Path.of(p, "initdb")).filter(Files::isExecutable).findFirst()
                .map(p -> p.toAbsolutePath()).map(PostgresServer::realParent);
        if (onPath.isPresent()) {
            return onPath;
        }
        try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            return versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb")))
                    .max(Comparator.comparing(b -> Integer.parseInt(b.getParent().getFileName().toString().replaceAll("\\D", "0"))));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static Path realParent(Path initdb) {
        try {
            return initdb.toRealPath().getParent();
        } catch (IOException e) {
            return initdb.getParent();
        }
    }

    private static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static List<String> asServerUser(String... command) {
        List<String> out = new ArrayList<>();
        if (root()) {
            out.addAll(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
        }
        out.addAll(List.of(command));
        return out;
    }

    private static void run(Path dir, String... command) throws IOException, InterruptedException {
        Path log = dir.resolve("initdb.log");
        int rc = new ProcessBuilder(asServerUser(command)).redirectErrorStream(true).redirectOutput(log.toFile())
                .start().waitFor();
        if (rc != 0) {
            throw new IOException("initdb exited " + rc + ": " + Files.readString(log));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        try { // SIGINT: fast shutdown (SIGTERM would wait for every client to leave)
            new ProcessBuilder("kill", "-INT", String.valueOf(server.pid())).start().waitFor();
        } catch (IOException e) {
            server.destroy();
        }
        if (!server.waitFor(20, TimeUnit.SECONDS)) {
            server.destroyForcibly().waitFor();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp directory left behind is harmless
        }
    }
}
