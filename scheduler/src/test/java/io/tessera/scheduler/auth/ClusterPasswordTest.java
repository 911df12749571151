package io.tessera.scheduler.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hazelcast.core.HazelcastInstance;
import io.tessera.config.SchedulerConfig;
import io.tessera.scheduler.state.hazelcast.HazelcastMember;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Members join only with the same cluster name and password. */
class ClusterPasswordTest {
    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static SchedulerConfig member(String name, int port, List<String> members, String password) {
        return new SchedulerConfig("127.0.0.1", 0, name, port, members, null, null, null, null, null, null, null, null,
                null, null, null, null, password, "127.0.0.1", "none", null, null, null, null, null, null, null, null, null);
    }

    @Test
    void aWrongPasswordKeepsAMemberOut() throws Exception {
        String name = "pw-" + UUID.randomUUID();
        int p1 = freePort();
        int p2 = freePort();
        int p3 = freePort();
        List<String> all = List.of("127.0.0.1:" + p1, "127.0.0.1:" + p2, "127.0.0.1:" + p3);
        HazelcastInstance a = HazelcastMember.start(member(name, p1, all, "s3cret-s3cret-s3cret"));
        HazelcastInstance b = HazelcastMember.start(member(name, p2, all, "s3cret-s3cret-s3cret"));
        HazelcastInstance intruder = HazelcastMember.start(member(name, p3, all, "guess-guess-guess-guess"));
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> a.getCluster().getMembers().size() == 2);
            assertThat(b.getCluster().getMembers()).hasSize(2);
            assertThat(intruder.getCluster().getMembers()).hasSize(1);
            assertThat(a.getConfig().getClusterName()).startsWith(name + "-").doesNotContain("s3cret-s3cret-s3cret");
        } finally {
            intruder.shutdown();
            b.shutdown();
            a.shutdown();
        }
    }
}
