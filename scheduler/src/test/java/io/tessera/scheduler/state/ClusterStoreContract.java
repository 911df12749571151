package io.tessera.scheduler.state;

import java.util.function.Predicate;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.ArrayList;
import java.util.TreeSet;
import io.tessera.scheduler.state.memory.InMemoryJobHistory;
import io.tessera.scheduler.model.EventType;
import io.tessera.config.QueueSpec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tessera.config.ChipCatalog;
import io.tessera.config.JobSpec;
import io.tessera.config.JobSpecParser;
import io.tessera.config.wire.AssignmentSet;
import io.tessera.config.wire.DeviceReport;
import io.tessera.config.wire.ShardPhase;
import io.tessera.config.wire.ShardReport;
import io.tessera.scheduler.leader.Term;
import io.tessera.scheduler.model.FleetUsage;
import io.tessera.scheduler.model.JobEvent;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.JobTelemetry;
import io.tessera.scheduler.model.JobState;
import io.tessera.scheduler.model.NodeRecord;
import io.tessera.scheduler.model.NodeState;
import io.tessera.scheduler.model.ThroughputProfile;
import io.tessera.scheduler.model.WaitKind;
import io.tessera.scheduler.model.Waiting;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * The {@link ClusterStore} contract, run against every store: what the loop, the services and
 * the simulator may rely on whichever store is underneath.
 */
abstract class ClusterStoreContract {
    private static final JobSpec SPEC = new JobSpecParser(ChipCatalog.builtIn()).parse(
            "name: t\ncommand: [w]\nshards: 1\nflopsPerSample: 1e12\nmemoryPerShardGiB: 1\nglobalBatch: 4\n"
                    .getBytes(StandardCharsets.UTF_8), "application/yaml");

    /** A fresh, empty store. */
    abstract ClusterStore store();

    static JobRecord job(String id, long seq) {
        return JobRecord.submitted(id, seq, SPEC,
                "alice", "2026-01-01T00:00:00Z");
    }

    static NodeRecord node(String name) {
        return new NodeRecord(name, "127.0.0.1", Map.of(), List.of(DeviceReport.basic(0, "u0", "nvidia-h20", "H20", 96, true,
                null)), NodeState.READY, "t", 1, false);
    }

    static ShardReport report(String job, int shard, int attempt) {
        return new ShardReport(job, shard, attempt, ShardPhase.RUNNING, null, 1L, 1L, 10L, null, 1.0, null);
    }

    /**
     * Every kind of leader write that is not a plan goes through {@link PlanApplier#commit}: under the
     * current term it lands, re-checked against live state; under an older term nothing lands.
     */
    @Test
    void everyLeaderChangeIsFencedAndRecheckedInOneTransaction() {
        ClusterStore s = store();
        InMemoryJobHistory history = new InMemoryJobHistory(10);
        PlanApplier applier = new PlanApplier(s, ChipCatalog.builtIn(), history, PlanApplier.Observer.NONE,
                PlanApplier.HostPeers.NONE);
        s.updateNode("n1", o -> node("n1"));
        s.insertJob(job("j1", 1));
        s.insertJob(job("done", 2).withState(JobState.SUCCEEDED));
        s.recordShardReports(List.of(report("done", 0, 1)));
        JobTelemetry curve = JobTelemetry.empty("done").with(new JobTelemetry.Point(1, 1, 7L, Map.of("nvidia", 3.0), 4.0,
                Map.of("loss", 0.25)));
        s.telemetry().update("done", t -> curve);
        ThroughputProfile profile = new ThroughputProfile("t", Map.of());
        Term old = term(s.claimLeadership("a"));
        Term now = term(s.claimLeadership("b"));
        JobRecord j1 = s.job("j1").orElseThrow();
        JobRecord done = s.job("done").orElseThrow();
        List<Change> changes = List.of(new Change.NodeLost("n1", 10),
                new Change.Note("j1", j -> j.withWaiting(new Waiting(WaitKind.NO_FIT, "waits"))),
                new Change.Transition(j1, j1.withState(JobState.CANCELLED), true, true),
                new Change.EstimatedStarts(Map.of("j1", "2026-01-01T00:00:00Z")),
                new Change.LearnProfile(profile),
                new Change.MoveToHistory(done, done, 5, 1),
                new Change.FleetSample(new FleetUsage.Point(9, Map.of("nvidia", new FleetUsage.Use(1, 8)))));

        assertThat(applier.commit(old, "t", changes)).allSatisfy(o -> assertThat(o)
                .isInstanceOfSatisfying(PlanApplier.Conflict.class, c -> assertThat(c.fenced()).isTrue()));
        assertThat(s.node("n1")).map(NodeRecord::state).contains(NodeState.READY);
        assertThat(s.job("j1")).contains(j1);
        assertThat(s.job("done")).isPresent();
        assertThat(s.shardReports("done", 1)).hasSize(1);
        assertThat(s.estimatedStart("j1")).isEmpty();
        assertThat(s.profile("t")).isEmpty();
        assertThat(history.get("done")).isEmpty();
        assertThat(s.telemetry().get("done")).as("the curve stays until the job moves").contains(curve);
        assertThat(s.telemetry().fleet().points()).isEmpty();

        List<PlanApplier.Outcome> out = applier.commit(now, "t", changes);
        assertThat(out.get(0)).as("heard at 1, so silent by 10").isInstanceOf(PlanApplier.Committed.class);
        assertThat(out.get(1)).isInstanceOf(PlanApplier.Committed.class);
        assertThat(out.get(2)).as("the note changed j1 first, so the transition decided on the old record is refused")
                .isInstanceOf(PlanApplier.Conflict.class);
        assertThat(out.subList(3, 7)).allMatch(o -> o instanceof PlanApplier.Committed);
        assertThat(s.node("n1")).map(NodeRecord::state).contains(NodeState.LOST);
        assertThat(s.job("j1")).map(JobRecord::waitingReason).contains("waits");
        assertThat(s.estimatedStart("j1")).contains("2026-01-01T00:00:00Z");
        assertThat(s.profile("t")).contains(profile);
        assertThat(s.job("done")).isEmpty();
        assertThat(s.shardReports("done", 1)).isEmpty();
        assertThat(history.get("done")).isPresent();
        assertThat(history.telemetry("done")).as("the curve moves to the history with its job").contains(curve);
        assertThat(s.telemetry().get("done")).isEmpty();
        assertThat(s.telemetry().fleet().points()).containsExactly(new FleetUsage.Point(9, Map.of("nvidia",
                new FleetUsage.Use(1, 8))));

        JobRecord noted = s.job("j1").orElseThrow();
        assertThat(applier.commit(now, "t", List.of(new Change.Transition(noted, noted.withState(JobState.CANCELLED),
                true, true)))).allMatch(o -> o instanceof PlanApplier.Committed);
        assertThat(s.job("j1")).map(JobRecord::state).contains(JobState.CANCELLED);
    }

    private static Term term(LeaderClaims.LeaderClaim claim) {
        return new Term(claim.member(), claim.epoch(), 0);
    }

    @Test
    void jobsAreInsertedOnceReadUpdatedAndDeleted() {
        ClusterStore s = store();
        long a = s.nextSequence();
        assertThat(s.nextSequence()).isGreaterThan(a);
        s.insertJob(job("j1", 1));
        assertThatThrownBy(() -> s.insertJob(job("j1", 1))).isInstanceOf(IllegalStateException.class);
        assertThat(s.job("j1")).map(JobRecord::state).contains(JobState.QUEUED);
        assertThat(s.updateJob("j1", j -> j.withState(JobState.RUNNING))).map(JobRecord::state).contains(JobState.RUNNING);
        assertThat(s.updateJob("nope", j -> j)).isEmpty();
        assertThat(s.jobs()).extracting(JobRecord::id).containsExactly("j1");
        s.deleteJob("j1");
        assertThat(s.job("j1")).isEmpty();
        assertThat(s.jobs()).isEmpty();
    }

    @Test
    void listenersHearOfEverySubmittedJob() {
        ClusterStore s = store();
        Set<String> heard = ConcurrentHashMap.newKeySet();
        s.onChange(new ClusterStore.ChangeListener() {
            @Override
            public void jobChanged(String id) {
                heard.add(id);
            }
        });
        s.insertJob(job("a", 1));
        s.insertJob(job("b", 2));
        await().atMost(Duration.ofSeconds(10)).until(() -> heard.containsAll(Set.of("a", "b")));
    }

    @Test
    void nodeUpdatesSeeTheOldRecordAndANullResultWritesNothing() {
        ClusterStore s = store();
        assertThat(s.updateNode("n1", old -> old.isPresent() ? null : node("n1"))).map(NodeRecord::name).contains("n1");
        assertThat(s.updateNode("n1", old -> null)).map(NodeRecord::name).contains("n1");
        assertThat(s.updateNode("n2", old -> null)).isEmpty();
        assertThat(s.nodes()).extracting(NodeRecord::name).containsExactly("n1");
        assertThat(s.updateNode("n1", old -> old.get().withDrained(true))).map(NodeRecord::drained).contains(true);
    }

    @Test
    void aTouchedNodeReadsAsHeardFromWithoutARecordRewrite() {
        ClusterStore s = store();
        s.updateNode("n1", old -> node("n1"));
        s.touchNode("n1", 5000);
        assertThat(s.node("n1")).map(NodeRecord::lastHeartbeatMs).contains(5000L);
        assertThat(s.nodes()).extracting(NodeRecord::lastHeartbeatMs).containsExactly(5000L);
        assertThat(s.updateNode("n1", old -> {
            assertThat(old.get().lastHeartbeatMs()).as("the update sees the latest time").isEqualTo(5000L);
            return old.get().withState(NodeState.LOST);
        })).map(NodeRecord::state).contains(NodeState.LOST);
    }

    @Test
    void shardReportsKeepTheNewestAttemptAndClear() {
        ClusterStore s = store();
        s.recordShardReports(List.of(report("j", 0, 2), report("j", 1, 1)));
        s.recordShardReports(List.of(report("j", 0, 1)));
        Map<Integer, ShardReport> r = s.shardReports("j", 2);
        assertThat(r.get(0).attempt()).isEqualTo(2);
        assertThat(r.get(1).attempt()).isEqualTo(1);
        s.clearShardReports("j", 2);
        assertThat(s.shardReports("j", 2)).isEmpty();
    }

    /** Many jobs' reports in one read answer as one read per job does, jobs without reports included. */
    @Test
    void severalJobsReportsReadAtOnceAsOneByOne() {
        ClusterStore s = store();
        s.recordShardReports(List.of(report("a", 0, 1), report("a", 1, 1), report("b", 0, 3), report("b", 2, 3)));
        Map<String, Map<Integer, ShardReport>> all = s.shardReports(Map.of("a", 2, "b", 3, "none", 2, "zero", 0));
        assertThat(all).containsOnlyKeys("a", "b", "none", "zero");
        assertThat(all.get("a")).isEqualTo(s.shardReports("a", 2));
        assertThat(all.get("b")).isEqualTo(s.shardReports("b", 3)).containsOnlyKeys(0, 2);
        assertThat(all.get("none")).isEmpty();
        assertThat(all.get("zero")).isEmpty();
    }

    @Test
    void aTransactionCommitsAllOrNothingAndTellsListeners() {
        ClusterStore s = store();
        Set<String> told = ConcurrentHashMap.newKeySet();
        s.onAssignmentsChanged(told::add);
        s.insertJob(job("j", 1));
        s.updateNode("n1", old -> node("n1"));
        assertThat(s.assignments("n1")).isEqualTo(AssignmentSet.empty("n1"));
        assertThatThrownBy(() -> s.inTransaction(tx -> {
            tx.putJob(tx.jobForUpdate("j").orElseThrow().withState(JobState.PLACED));
            tx.putAssignments(new AssignmentSet("n1", 1, List.of()));
            throw new IllegalStateException("abort");
        })).hasMessage("abort");
        assertThat(s.job("j")).map(JobRecord::state).contains(JobState.QUEUED);
        assertThat(s.assignments("n1").version()).isZero();
        String out = s.inTransaction(tx -> {
            assertThat(tx.nodeForUpdate("n1")).isPresent();
            tx.putJob(tx.jobForUpdate("j").orElseThrow().withState(JobState.PLACED));
            tx.putAssignments(new AssignmentSet("n1", tx.assignmentsForUpdate("n1").version() + 1, List.of()));
            assertThat(tx.jobForUpdate("j")).map(JobRecord::state).contains(JobState.PLACED);
            return "done";
        });
        assertThat(out).isEqualTo("done");
        assertThat(s.job("j")).map(JobRecord::state).contains(JobState.PLACED);
        assertThat(s.assignments("n1").version()).isEqualTo(1);
        assertThat(s.allAssignments()).containsKey("n1");
        await().atMost(Duration.ofSeconds(10)).until(() -> told.contains("n1"));
    }

    @Test
    void changeListenersHearTheKeyOfEveryKindOfWrite() {
        ClusterStore s = store();
        Set<String> told = ConcurrentHashMap.newKeySet();
        s.onChange(new ClusterStore.ChangeListener() {
            @Override
            public void jobChanged(String id) {
                told.add("job " + id);
            }

            @Override
            public void nodeChanged(String name) {
                told.add("node " + name);
            }

            @Override
            public void assignmentsChanged(String node) {
                told.add("set " + node);
            }

            @Override
            public void reportsChanged(String jobId) {
                told.add("reports " + jobId);
            }
        });
        s.insertJob(job("j1", 1));
        s.updateNode("n1", old -> node("n1"));
        s.recordShardReports(List.of(report("j1", 0, 1)));
        s.inTransaction(tx -> {
            tx.putJob(tx.jobForUpdate("j1").orElseThrow().withState(JobState.PLACED));
            tx.putAssignments(new AssignmentSet("n2", 1, List.of()));
            return null;
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> told.containsAll(
                List.of("job j1", "node n1", "reports j1", "set n2")));
        told.clear();
        s.updateJob("j1", j -> j.withState(JobState.SUCCEEDED));
        s.clearShardReports("j1", 1);
        s.updateNode("n1", old -> old.orElseThrow().withDrained(true));
        await().atMost(Duration.ofSeconds(10)).until(() -> told.containsAll(List.of("job j1", "reports j1", "node n1")));
        told.clear();
        s.deleteJob("j1");
        await().atMost(Duration.ofSeconds(10)).until(() -> told.contains("job j1"));
    }

    @Test
    void leadershipEpochsOnlyGrowAndTransactionsSeeTheCurrentClaim() {
        ClusterStore s = store();
        LeaderClaims.LeaderClaim first = s.claimLeadership("a");
        LeaderClaims.LeaderClaim second = s.claimLeadership("b");
        assertThat(second.epoch()).isEqualTo(first.epoch() + 1);
        assertThat(s.inTransaction(ClusterStore.Tx::leaderForUpdate)).contains(second);
    }

    @Test
    void jobUidsAreUniqueAmongLiveJobsAndFreshOnesComeFirst() throws Exception {
        JobUids uids = store().jobUids();
        Set<String> done = ConcurrentHashMap.newKeySet();
        Predicate<String> finished = done::contains;
        List<Integer> first = new ArrayList<>();
        for (String j : List.of("j1", "j2", "j3")) {
            first.add(uids.allocate(j, 5000, 5002, finished).getAsInt());
        }
        assertThat(first).doesNotHaveDuplicates().allMatch(u -> u >= 5000 && u <= 5002);
        assertThat(uids.allocate("j2", 5000, 5002, finished).getAsInt()).as("its own, again").isEqualTo(first.get(1));
        assertThat(uids.allocate("j4", 5000, 5002, finished)).as("all live").isEmpty();
        done.add("j1");
        assertThat(uids.allocate("j4", 5000, 5002, finished).getAsInt()).as("j1's, given back").isEqualTo(first.get(0));
        assertThat(uids.holder(first.get(0))).contains("j4");
        uids.adopt("j9", 5100);
        uids.adopt("j8", 5100);
        assertThat(uids.holder(5100)).as("adopting keeps the holder there").contains("j9");
        assertThat(uids.allocate("j7", 5100, 5100, finished)).as("an adopted uid is held").isEmpty();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> racing = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                String job = "r" + i;
                racing.add(pool.submit(() -> uids.allocate(job, 6000, 6007, finished).getAsInt()));
            }
            Set<Integer> got = new TreeSet<>();
            for (var f : racing) {
                got.add(f.get());
            }
            assertThat(got).as("eight racing jobs, eight uids").hasSize(8);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void credentialsJoinTokensAndCheckpointClaims() {
        ClusterStore s = store();
        s.putCredential(new CredentialStore.AgentCredential("n1", "h", false, false));
        assertThat(s.credential("n1")).map(CredentialStore.AgentCredential::sha256).contains("h");
        String hash = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        s.putJoinToken(new CredentialStore.JoinToken(hash.substring(0, 16), hash, "n7", 1, Long.MAX_VALUE));
        assertThat(s.useJoinToken(hash, "n8", 0)).as("bound to n7").isFalse();
        assertThat(s.useJoinToken(hash, "n7", 0)).isTrue();
        assertThat(s.useJoinToken(hash, "n7", 0)).as("spent").isFalse();
        s.putJoinToken(new CredentialStore.JoinToken(hash.substring(0, 16), hash, null, 5, 10));
        assertThat(s.useJoinToken(hash, "n9", 11)).as("expired").isFalse();
        assertThat(s.deleteJoinToken(hash.substring(0, 16))).isTrue();
        assertThat(s.useJoinToken(hash, "n9", 0)).isFalse();
        var first = new CredentialStore.AgentCredential("n2", "h2", false, false);
        assertThat(s.replaceCredential(null, first)).as("absent as expected").isTrue();
        assertThat(s.replaceCredential(null, new CredentialStore.AgentCredential("n2", "h3", false, false))).isFalse();
        var readmitted = new CredentialStore.AgentCredential("n2", "h2", false, true, "r");
        assertThat(s.replaceCredential(first, readmitted)).isTrue();
        assertThat(s.replaceCredential(first, new CredentialStore.AgentCredential("n2", "h4", false, false)))
                .as("no longer what was read").isFalse();
        assertThat(s.credential("n2")).contains(readmitted);
        var file = new CredentialStore.JoinToken(hash.substring(0, 16), hash, null, 2, Long.MAX_VALUE);
        assertThat(s.putJoinTokenIfAbsent(file)).isTrue();
        assertThat(s.useJoinToken(hash, "n5", 0)).isTrue();
        assertThat(s.putJoinTokenIfAbsent(file)).as("its uses are kept").isFalse();
        assertThat(s.useJoinToken(hash, "n6", 0)).isTrue();
        assertThat(s.useJoinToken(hash, "n7", 0)).isFalse();
        assertThat(s.claimCheckpointDir("/ckpt/a", "alice")).isEmpty();
        assertThat(s.claimCheckpointDir("/ckpt/a", "alice")).isEmpty();
        assertThat(s.claimCheckpointDir("/ckpt/a/b", "bob")).contains("alice");
        assertThat(s.claimCheckpointDir("/ckpt", "bob")).contains("alice");
        assertThat(s.claimCheckpointDir("/ckpt/ab", "bob")).isEmpty();
        assertThat(Optional.of(s.claimCheckpointDir("/ckpt/ab", "alice"))).contains(Optional.of("bob"));
        // Regression (issue 27, N6): another spelling of alice's directory is still hers
        assertThat(s.claimCheckpointDir("/ckpt//a", "bob")).contains("alice");
        assertThat(s.claimCheckpointDir("/ckpt/./a/x", "bob")).contains("alice");
        assertThat(s.claimCheckpointDir("//ckpt/a/", "bob")).contains("alice");
    }

    @Test
    void queuesAreStoredReplacedListedAndDeleted() {
        ClusterStore s = store();
        QueueSpec ml = new QueueSpec("ml", 2.0, new QueueSpec.Quota(800.0, Map.of("nvidia", 16)), 200.0, "research",
                List.of("alice"), List.of("ml-team"), 10, 500, 0.6, null, null);
        s.putQueue(ml);
        s.putQueue(QueueSpec.open("batch"));
        assertThat(s.queue("ml")).contains(ml);
        assertThat(s.queues().keySet()).containsExactly("batch", "ml");
        QueueSpec heavier = new QueueSpec("ml", 3.0, null, null, null, null, null, null, null, null, null, null);
        s.putQueue(heavier);
        assertThat(s.queue("ml")).contains(heavier);
        assertThat(s.deleteQueue("ml")).isTrue();
        assertThat(s.deleteQueue("ml")).isFalse();
        assertThat(s.queue("ml")).isEmpty();
    }
}
