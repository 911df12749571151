package io.tessera.scheduler.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.config.ChipCatalog;
import io.tessera.config.wire.DeviceReport;
import io.tessera.scheduler.events.SchedulerEvents;
import io.tessera.scheduler.leader.Term;
import io.tessera.scheduler.model.NodeRecord;
import io.tessera.scheduler.model.NodeState;
import io.tessera.scheduler.sim.VirtualClock;
import io.tessera.scheduler.state.Change;
import io.tessera.scheduler.state.ClusterView;
import io.tessera.scheduler.state.memory.InMemoryClusterStore;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The liveness sweep as a table of decisions over a {@link CycleState} built in memory: which
 * nodes it declares lost, decided without a single write (the loop commits what it returns), and
 * the state the stages after it then decide on.
 */
class LivenessDecisionTest {
    private static final long TIMEOUT_MS = 15_000;
    private static final Instant NOW = Instant.parse("2026-12-01T01:00:00Z");

    @ParameterizedTest(name = "{0}: node {1}, heard {2} ms ago (record {3} ms ago), leading {4} ms -> lost {5}")
    @CsvSource({
        "silent past the timeout,         READY,  15001, 15001, 60000, true",
        "silent just inside the timeout,  READY,  15000, 15000, 60000, false",
        "heard by a heartbeat since,      READY,   1000, 60000, 60000, false",
        "already lost,                    LOST,   60000, 60000, 60000, false",
        "silent while the leader is new,  READY,  60000, 60000, 14000, false",
    })
    void theSweepDecidesWhichNodesAreLost(String name, NodeState state, long heardAgoMs, long recordAgoMs, long ledMs,
                                          boolean lost) {
        VirtualClock clock = new VirtualClock(NOW);
        InMemoryClusterStore store = new InMemoryClusterStore();
        List<DeviceReport> devices = List.of(DeviceReport.basic(0, "u", "nvidia-h20", "NVIDIA H20", 96, true, null));
        NodeRecord node = new NodeRecord("n1", "10.0.0.1", Map.of(), devices, state, "t", NOW.toEpochMilli() - recordAgoMs,
                false);
        store.touchNode("n1", NOW.toEpochMilli() - heardAgoMs); // the store holds only the heard-from times
        ClusterView view = new ClusterView(store, ChipCatalog.builtIn());
        NodeLivenessSweep sweep = new NodeLivenessSweep(store, view, clock, TIMEOUT_MS, SchedulerEvents.NONE);
        Term term = new Term("m", 1, NOW.toEpochMilli() - ledMs);
        CycleState s = CycleState.of(ChipCatalog.builtIn(), List.of(), List.of(node), Map.of()); // built in memory

        StageDecision d = sweep.sweep(term, new CycleMemory(view, clock), s);

        assertThat(d.changes()).isEqualTo(lost ? List.of(new Change.NodeLost("n1", NOW.toEpochMilli() - TIMEOUT_MS - 1))
                : List.of());
        assertThat(store.node("n1")).as("deciding writes nothing").isEmpty();
        assertThat(s.after(d.changes()).lostNodes()).as("the state the next stage decides on")
                .isEqualTo(lost || state == NodeState.LOST ? Set.of("n1") : Set.of());
    }
}
