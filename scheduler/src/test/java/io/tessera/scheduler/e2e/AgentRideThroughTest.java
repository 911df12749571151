package io.tessera.scheduler.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scheduler and agents as separate JVMs. The scheduler is down for 30 s (SIGKILL, then a restart on
 * the same database) while workers run: nothing is killed and training goes on; afterwards the
 * agents' shards are adopted, exits that happened during the outage are reported, and a worker the
 * scheduler no longer wants is killed. A partitioned node (its agent frozen with SIGSTOP) is declared
 * lost, and when it comes back its stale shard is killed rather than resurrected.
 */
class AgentRideThroughTest {
    private static final String SMALL = "\ndevicesPerShard: 1\nflopsPerSample: 1e12\nmemoryPerShardGiB: 1\nglobalBatch: 4\n";
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    void workersRideThroughAThirtySecondSchedulerOutage() throws Exception {
        Path ckpt = Files.createDirectories(dir.resolve("ckpt"));
        Files.setPosixFilePermissions(ckpt, PosixFilePermissions.fromString("rwxrwxrwx"));
        try (ProcessCluster s = new ProcessCluster(dir, 1);
             AgentProcess a = new AgentProcess(dir, "h20-a", s.urls(), "nvidia-h20", 4);
             AgentProcess b = new AgentProcess(dir, "h20-b", s.urls(), "nvidia-h20", 4)) {
            s.startWithAgents(a, b);
            String train = s.submit(0, "name: train\n" + TestCluster.workerCommand()
                    + "args: [--steps, '1000000', --checkpoint-every, '5', --time-scale, '0.02']\nshards: 2\n"
                    + "devicesPerShard: 2\nmodel: {parameters: 1.3B, tokensPerSample: 2048}\nglobalBatch: 64\n"
                    + "checkpointDir: " + ckpt + "\n");
            String done = s.submit(0, "name: done\ncommand: [sh, -c, 'sleep 9']\nshards: 1" + SMALL);
            String fails = s.submit(0, "name: fails\ncommand: [sh, -c, 'sleep 9; exit 7']\nshards: 1\nrestartLimit: 0" + SMALL);
            String torn = s.submit(0, "name: torn\ncommand: [sh, -c, 'if [ \"$RANK\" = 1 ]; then sleep 9; exit 9; fi; "
                    + "exec sleep 300']\nshards: 2\nrestartLimit: 0" + SMALL);
            List<String> all = List.of(train, done, fails, torn);
            await().atMost(Duration.ofSeconds(60)).until(() -> all.stream().allMatch(id -> "RUNNING".equals(state(s, id)))
                    && s.job(0, train).path("shards").path(0).path("step").asLong() > 0);
            List<Long> trainPids = pids(s.job(0, train));
            long survivor = pids(s.job(0, torn)).get(0); // rank 0 of `torn`, which outlives its rank 1
            Path log = logOf(List.of(a, b), s.job(0, train), train);
            long stepAtKill = WorkerLogs.lastStep(log).orElseThrow();

            s.kill(0);
            long killedAt = System.nanoTime();
            // 30 s without a scheduler: the training workers and `torn`'s rank 0 keep running throughout.
            await().during(Duration.ofSeconds(30)).atMost(Duration.ofSeconds(40)).until(() ->
                    trainPids.stream().allMatch(AgentRideThroughTest::alive) && alive(survivor) && a.alive() && b.alive());
            long stepAtRestart = WorkerLogs.lastStep(log).orElseThrow();
            assertThat(stepAtRestart).as("training went on during the outage").isGreaterThan(stepAtKill + 10);

            s.start(0);
            await().atMost(Duration.ofSeconds(60)).until(() -> s.up(0));
            long upAt = System.nanoTime();
            await().atMost(Duration.ofSeconds(30)).until(() -> "SUCCEEDED".equals(state(s, done))
                    && "FAILED".equals(state(s, fails)) && "FAILED".equals(state(s, torn)) && !alive(survivor));
            double reconciled = (System.nanoTime() - upAt) / 1e9;
            JsonNode after = s.job(0, train);
            assertThat(after.get("state").asText()).isEqualTo("RUNNING");
            assertThat(after.get("attempt").asInt()).as("adopted, not restarted").isEqualTo(1);
            assertThat(pids(after)).containsExactlyElementsOf(trainPids);
            assertThat(after.get("events").findValuesAsText("type")).doesNotContain("NODE_LOST", "RESTARTING");
            assertThat(s.job(0, fails).get("events").findValuesAsText("message")).anyMatch(m -> m.contains("exited with code 7"));
            assertThat(s.job(0, torn).get("events").findValuesAsText("message")).anyMatch(m -> m.contains("exited with code 9"));
            assertThat(s.nodeState(0, "h20-a")).isEqualTo("READY");
            System.out.printf("ride-through: scheduler down %.1f s; training went from step %d to %d meanwhile; "
                    + "state reconciled %.2f s after the restarted scheduler answered%n",
                    (upAt - killedAt) / 1e9, stepAtKill, stepAtRestart, reconciled);
        }
    }

    @Test
    void aPartitionedNodeThatReturnsDoesNotResurrectItsShards() throws Exception {
        try (ProcessCluster s = new ProcessCluster(dir, 1);
             AgentProcess a = new AgentProcess(dir, "h20-a", s.urls(), "nvidia-h20", 2);
             AgentProcess b = new AgentProcess(dir, "h20-b", s.urls(), "nvidia-h20", 2)) {
            s.startWithAgents(a, b);
            String id = s.submit(0, "name: p\ncommand: [sleep, '300']\nshards: 1\ndevicesPerShard: 2\nflopsPerSample: 1e12\n"
                    + "memoryPerShardGiB: 1\nglobalBatch: 4\nrestartLimit: 2\n");
            await().atMost(Duration.ofSeconds(30)).until(() -> "RUNNING".equals(state(s, id)));
            JsonNode before = s.job(0, id);
            String first = before.get("shards").get(0).get("node").asText();
            AgentProcess cut = first.equals("h20-a") ? a : b;
            long stale = pids(before).get(0);

            cut.signal("STOP"); // partitioned: no heartbeats, but its worker keeps running
            await().atMost(Duration.ofSeconds(30)).until(() -> "LOST".equals(s.nodeState(0, first)));
            await().atMost(Duration.ofSeconds(30)).until(() -> "RUNNING".equals(state(s, id))
                    && s.job(0, id).path("attempt").asInt() == 2);
            assertThat(s.job(0, id).get("shards").get(0).get("node").asText()).isNotEqualTo(first);
            assertThat(alive(stale)).as("still running behind the partition").isTrue();

            cut.signal("CONT"); // the partition heals
            await().atMost(Duration.ofSeconds(30)).until(() -> !alive(stale) && "READY".equals(s.nodeState(0, first)));
            JsonNode after = s.job(0, id);
            assertThat(after.get("attempt").asInt()).isEqualTo(2);
            assertThat(after.get("state").asText()).isEqualTo("RUNNING");
            assertThat(after.get("shards").get(0).get("node").asText()).isNotEqualTo(first);
        }
    }

    private static String state(ProcessCluster s, String id) {
        JsonNode job = s.job(0, id);
        return job.isMissingNode() ? "down" : job.get("state").asText();
    }

    private static List<Long> pids(JsonNode job) {
        List<Long> out = new ArrayList<>();
        job.get("shards").forEach(sh -> out.add(sh.get("pid").asLong()));
        return out;
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** Rank 0's log, on whichever agent runs it. */
    private static Path logOf(List<AgentProcess> agents, JsonNode job, String id) {
        String node = job.get("shards").get(0).get("node").asText();
        return agents.stream().filter(x -> x.node().equals(node)).findFirst().orElseThrow().log(id, 0);
    }
}
