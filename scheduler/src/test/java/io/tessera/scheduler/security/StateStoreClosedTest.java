package io.tessera.scheduler.security;

import io.tessera.config.ConfigLoader;
import io.tessera.config.Documents;
import java.nio.file.attribute.PosixFilePermissions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.tessera.config.SchedulerConfig;
import io.tessera.scheduler.state.jdbc.Database;
import io.tessera.scheduler.state.hazelcast.HazelcastMember;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Only scheduler members reach the state store: the Hazelcast member listens on its bind address
 * only and speaks no client protocol, nothing joins a lone member, a cluster needs a secret, and
 * the embedded database has no server, a random password and private files.
 */
class StateStoreClosedTest {
    @TempDir
    Path dir;

    private static SchedulerConfig config(String cluster, List<String> members, String dataDir) {
        return ConfigLoader.bind(Documents.json().createObjectNode()
                .put("clusterName", cluster).put("dataDir", dataDir).set("members",
                        Documents.json().valueToTree(members)), SchedulerConfig.class);
    }

    private static Optional<InetAddress> nonLoopback() throws Exception {
        return NetworkInterface.networkInterfaces().filter(i -> {
            try {
                return i.isUp() && !i.isLoopback();
            } catch (Exception e) {
                return false;
            }
        }).flatMap(NetworkInterface::inetAddresses).filter(a -> a instanceof Inet4Address).findFirst();
    }

    private static boolean connects(InetAddress host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 1000);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void aLoneMemberListensOnLoopbackOnlyAndAcceptsNoClient() throws Exception {
        String cluster = "closed-" + UUID.randomUUID();
        HazelcastInstance hz = HazelcastMember.start(config(cluster, List.of(), "none"));
        try {
            int port = hz.getCluster().getLocalMember().getAddress().getPort();
            assertThat(connects(InetAddress.getLoopbackAddress(), port)).isTrue();
            Optional<InetAddress> outside = nonLoopback();
            Assumptions.assumeTrue(outside.isPresent(), "this machine has no non-loopback address to try");
            assertThat(connects(outside.get(), port)).as("not reachable on %s", outside.get()).isFalse();

            ClientConfig client = new ClientConfig();
            client.setClusterName(hz.getConfig().getClusterName()); // even knowing the effective name
            client.getNetworkConfig().addAddress("127.0.0.1:" + port);
            client.getConnectionStrategyConfig().getConnectionRetryConfig().setClusterConnectTimeoutMillis(3000);
            assertThatThrownBy(() -> HazelcastClient.newHazelcastClient(client).shutdown())
                    .as("the client protocol is off").isInstanceOf(IllegalStateException.class);
        } finally {
            hz.shutdown();
        }
    }

    @Test
    void aRogueMemberThatKnowsTheConfiguredNameCannotJoinALoneMember() {
        String cluster = "closed-" + UUID.randomUUID();
        HazelcastInstance hz = HazelcastMember.start(config(cluster, List.of(), "none"));
        Config rogue = new Config();
        rogue.setClusterName(cluster);
        rogue.setProperty("hazelcast.phone.home.enabled", "false");
        rogue.getNetworkConfig().setPort(hz.getCluster().getLocalMember().getAddress().getPort() + 50);
        rogue.getNetworkConfig().getJoin().getMulticastConfig().setEnabled(false);
        rogue.getNetworkConfig().getJoin().getAutoDetectionConfig().setEnabled(false);
        rogue.getNetworkConfig().getJoin().getTcpIpConfig().setEnabled(true)
                .addMember("127.0.0.1:" + hz.getCluster().getLocalMember().getAddress().getPort());
        rogue.setProperty("hazelcast.max.join.seconds", "5");
        HazelcastInstance intruder = Hazelcast.newHazelcastInstance(rogue);
        try {
            await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6))
                    .until(() -> hz.getCluster().getMembers().size() == 1 && intruder.getCluster().getMembers().size() == 1);
            assertThat(intruder.getMap("tessera.jobs").size()).isZero();
        } finally {
            intruder.shutdown();
            hz.shutdown();
        }
    }

    @Test
    void aClusterWithoutASecretRefusesToStart() {
        SchedulerConfig cfg = config("closed-" + UUID.randomUUID(), List.of("127.0.0.1:5701", "127.0.0.1:5702"), "none");
        assertThatThrownBy(() -> HazelcastMember.start(cfg)).hasMessageContaining("needs a cluster secret");
    }

    @Test
    void aSecretFileReadableByOthersIsRefused() throws Exception {
        Path secret = Files.writeString(dir.resolve("cluster.secret"), "0123456789abcdef0123");
        assertThatThrownBy(() -> SecretFiles.readPrivate(secret)).hasMessageContaining("chmod 600");
    }

    @Test
    void severalMembersOnTheEmbeddedDatabaseAreRefused() {
        SchedulerConfig cfg = config("closed-" + UUID.randomUUID(), List.of("127.0.0.1:5701", "127.0.0.1:5702"),
                dir.resolve("state").toString());
        assertThatThrownBy(() -> Database.open(cfg)).hasMessageContaining("PostgreSQL");
    }

    @Test
    void theEmbeddedDatabaseHasNoServerARandomPasswordAndPrivateFiles() throws Exception {
        Path state = dir.resolve("state");
        try (var ds = Database.open(config("closed-" + UUID.randomUUID(), List.of(), state.toString())).orElseThrow()) {
            ds.getConnection().close();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(state))).isEqualTo("rwx------");
            try (var files = Files.list(state)) {
                for (Path f : files.toList()) {
                    assertThat(Integer.toOctalString((Integer) Files.getAttribute(f, "unix:mode") & 0777))
                            .as("mode of %s", f).isEqualTo("600");
                    assertThat(f.getFileName().toString()).doesNotEndWith(".lock.db"); // AUTO_SERVER's address file
                }
            }
            assertThatThrownBy(() -> DriverManager.getConnection("jdbc:h2:file:" + state.resolve("tessera"), "sa", ""))
                    .hasMessageContaining("Wrong user name or password");
            if ("root".equals(System.getProperty("user.name"))) {
                Process cat = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "cat",
                        state.resolve("tessera.mv.db").toString()).redirectErrorStream(true).start();
                String out = new String(cat.getInputStream().readAllBytes());
                assertThat(cat.waitFor()).isNotZero();
                assertThat(out).contains("Permission denied");
            }
        }
    }
}
