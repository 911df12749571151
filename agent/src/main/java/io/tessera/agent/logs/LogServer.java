package io.tessera.agent.logs;

import java.nio.file.Files;
import java.util.concurrent.Semaphore;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.tessera.agent.worker.LogFiles;
import io.tessera.agent.worker.WorkerSupervisor;
import io.tessera.config.wire.LogEndpoint;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves this node's worker logs to the scheduler, which relays them to users after its own
 * authorization. Contract: every request must present the key made at start (given to the
 * scheduler only, at registration), or it is a 401; paths name a job, a shard and an attempt
 * and nothing else, so no request reaches a file outside the log tree.
 * <ul>
 *   <li>{@code GET /logs/JOB/SHARD} lists the attempts held here: {@code {"attempts":[1,2]}}.</li>
 *   <li>{@code GET /logs/JOB/SHARD/ATTEMPT[?tail=N][&follow=true]}: the attempt's log as text (its
 *       rotated part first), or its last N lines; with follow, then every new line until the
 *       worker has ended and the log is read to its end.</li>
 * </ul>
 */
public final class LogServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LogServer.class);
    private static final Pattern SHARD = Pattern.compile("/logs/([A-Za-z0-9._-]{1,128})/(\\d{1,6})");
    private static final Pattern ATTEMPT = Pattern.compile("/logs/([A-Za-z0-9._-]{1,128})/(\\d{1,6})/(\\d{1,9})");
    private static final int MAX_TAIL = 10_000;
    private final HttpServer server;
    private final ExecutorService pool;
    private final WorkerSupervisor supervisor;
    private final byte[] key;
    private final String url;
    private final LogFollower follower;
    /** Followers hold a thread each; a few threads stay free for plain reads. */
    private final Semaphore followers = new Semaphore(12);

    public LogServer(String host, int port, String advertisedHost, WorkerSupervisor supervisor) throws IOException {
        this.supervisor = supervisor;
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        this.key = ("tsl_" + Base64.getUrlEncoder().withoutPadding().encodeToString(raw)).getBytes(StandardCharsets.US_ASCII);
        this.server = HttpServer.create(new InetSocketAddress(host, port), 32);
        this.pool = Executors.newFixedThreadPool(16, r -> {
            Thread t = new Thread(r, "tessera-agent-logs");
            t.setDaemon(true);
            return t;
        });
        this.follower = new LogFollower();
        server.createContext("/logs/", this::handle);
        server.setExecutor(pool);
        server.start();
        this.url = "http://" + advertisedHost + ":" + server.getAddress().getPort();
    }

    /** What the agent announces at registration. */
    public LogEndpoint endpoint() {
        return new LogEndpoint(url, new String(key, StandardCharsets.US_ASCII));
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            if (!authorized(ex)) {
                send(ex, 401, "text/plain", "a log key is required");
                return;
            }
            String path = ex.getRequestURI().getPath();
            Matcher attempt = ATTEMPT.matcher(path);
            Matcher shard = SHARD.matcher(path);
            if (attempt.matches()) {
                serve(ex, attempt.group(1), Integer.parseInt(attempt.group(2)), Integer.parseInt(attempt.group(3)));
            } else if (shard.matches()) {
                String body = "{\"attempts\":" + supervisor.attempts(shard.group(1), Integer.parseInt(shard.group(2))) + "}";
                send(ex, 200, "application/json", body.replace(" ", ""));
            } else {
                send(ex, 404, "text/plain", "no such log path");
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("log request {} ended: {}", ex.getRequestURI(), e.toString());
        }
    }

    private void serve(HttpExchange ex, String job, int shard, int attempt) throws IOException {
        var log = supervisor.logFile(job, shard, attempt);
        if (!Files.isRegularFile(log)) {
            send(ex, 404, "text/plain", "no log of " + job + " shard " + shard + " attempt " + attempt + " on this node");
            return;
        }
        Query q = Query.parse(ex.getRequestURI().getRawQuery());
        if (q.tail() != null && (q.tail() < 0 || q.tail() > MAX_TAIL)) {
            send(ex, 400, "text/plain", "tail must be 0 to " + MAX_TAIL);
            return;
        }
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        ex.sendResponseHeaders(200, 0); // chunked
        OutputStream out = ex.getResponseBody();
        long offset;
        if (q.tail() != null) {
            for (String line : LogFiles.lastLines(log, q.tail())) {
                out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            }
            offset = Files.size(log);
        } else {
            offset = follower.copyAll(log, out);
        }
        out.flush();
        if (q.follow() && followers.tryAcquire()) {
            try {
                follower.follow(log, offset, out, () -> supervisor.writing(job, shard, attempt));
            } finally {
                followers.release();
            }
        }
    }

    private boolean authorized(HttpExchange ex) {
        String h = ex.getRequestHeaders().getFirst("Authorization");
        byte[] given = h == null || !h.startsWith("Bearer ") ? new byte[0]
                : h.substring(7).strip().getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(given, key);
    }

    private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    /** A log request's parameters. */
    record Query(Integer tail, boolean follow) {
        static Query parse(String raw) {
            Integer tail = null;
            boolean follow = false;
            for (String kv : raw == null ? new String[0] : raw.split("&")) {
                String[] p = kv.split("=", 2);
                String v = p.length > 1 ? p[1] : "";
                if (p[0].equals("tail")) {
                    tail = v.matches("\\d{1,9}") ? Integer.valueOf(v) : Integer.valueOf(-1);
                } else if (p[0].equals("follow")) {
                    follow = v.isEmpty() || v.equals("true") || v.equals("1");
                }
            }
            return new Query(tail, follow);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
