package io.tessera.scheduler.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hazelcast.core.HazelcastInstance;
import io.tessera.config.ConfigLoader;
import io.tessera.config.Documents;
import io.tessera.config.SchedulerConfig;
import io.tessera.scheduler.state.hazelcast.HazelcastClusterStore;
import io.tessera.scheduler.state.hazelcast.HazelcastMember;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A leader that dies inside its commit transaction holds the fencing key's lock (its
 * {@code getForUpdate}) until the lock's lease ends; the next leader's claim waits for it.
 * Regression: the lease was the transaction's 30 s timeout, so a leader killed at the wrong moment
 * stalled the takeover for up to 30 s (ClusterFailoverTest failed about one run in three). The
 * lease is now {@link HazelcastClusterStore#TX_TIMEOUT_MS}; two real members, one killed mid-commit.
 */
class DeadLeaderLockTest {
    private static SchedulerConfig member(String cluster, int port, int peer) {
        var doc = Documents.json().createObjectNode().put("clusterName", cluster).put("dataDir", "none")
                .put("hazelcastPort", port).put("clusterPassword", "a-cluster-secret-of-enough-length");
        doc.putArray("members").add("127.0.0.1:" + peer);
        return ConfigLoader.bind(doc, SchedulerConfig.class);
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void theNextClaimWaitsNoLongerThanTheLeaseOfADeadLeadersCommit() throws Exception {
        String cluster = "deadlock-" + UUID.randomUUID();
        int pa = freePort();
        int pb = freePort();
        HazelcastInstance a = HazelcastMember.start(member(cluster, pa, pb));
        HazelcastInstance b = HazelcastMember.start(member(cluster, pb, pa));
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> b.getCluster().getMembers().size() == 2);
            HazelcastClusterStore storeA = new HazelcastClusterStore(a);
            HazelcastClusterStore storeB = new HazelcastClusterStore(b);
            storeA.claimLeadership("a");
            CountDownLatch locked = new CountDownLatch(1);
            CountDownLatch never = new CountDownLatch(1);
            Thread commit = new Thread(() -> {
                try {
                    storeA.inTransaction(tx -> {
                        tx.leaderForUpdate(); // the fence check of a commit: the key is locked
                        locked.countDown();
                        try {
                            never.await(60, TimeUnit.SECONDS); // the leader stalls here and is killed
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        return null;
                    });
                } catch (RuntimeException dead) {
                    // its member was terminated under it
                }
            });
            commit.setDaemon(true);
            commit.start();
            assertThat(locked.await(20, TimeUnit.SECONDS)).isTrue();
            a.getLifecycleService().terminate(); // as abrupt as a SIGKILL for the others

            long start = System.nanoTime();
            LeaderClaims.LeaderClaim claim = storeB.claimLeadership("b");
            double waited = (System.nanoTime() - start) / 1e9;
            assertThat(claim.member()).isEqualTo("b");
            assertThat(claim.epoch()).isEqualTo(2);
            assertThat(waited).as("seconds the claim waited for the dead leader's lock (a takeover must stay under 10 s)")
                    .isLessThan(9.0);
        } finally {
            b.shutdown();
            a.getLifecycleService().terminate();
        }
    }
}
