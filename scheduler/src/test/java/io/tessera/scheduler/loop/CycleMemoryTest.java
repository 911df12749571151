package io.tessera.scheduler.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.config.ChipCatalog;
import io.tessera.scheduler.events.SchedulerEvents;
import io.tessera.scheduler.policy.UsageHistory;
import io.tessera.scheduler.sim.VirtualClock;
import io.tessera.scheduler.state.ClusterView;
import io.tessera.scheduler.state.memory.InMemoryClusterStore;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The loop's one memory between passes: rate limits, and nothing kept across a change of term. */
class CycleMemoryTest {
    private final VirtualClock clock = new VirtualClock(Instant.parse("2026-12-01T00:00:00Z"));
    private final InMemoryClusterStore store = new InMemoryClusterStore();
    private final ClusterView view = new ClusterView(store, ChipCatalog.builtIn());

    @Test
    void aStageIsDueOncePerInterval() {
        CycleMemory m = new CycleMemory(view, clock);
        assertThat(m.due("history", 0, 1000)).isTrue();
        assertThat(m.due("history", 999, 1000)).isFalse();
        assertThat(m.due("liveness", 999, 1000)).as("each stage keeps its own time").isTrue();
        assertThat(m.due("history", 1000, 1000)).isTrue();
    }

    @Test
    void forgettingClearsEverythingTheLoopCarried() {
        CycleMemory m = new CycleMemory(view, clock);
        fill(m);
        m.forget();
        assertThat(m.blocked.size(BlockedSet.Trial.PLACEMENT)).isZero();
        assertThat(m.claims.active(Set.of("j"))).isEmpty();
        assertThat(m.reservationAnswers).isEmpty();
        assertThat(m.publishedStarts).isNull();
        assertThat(m.inForce).isEmpty();
        assertThat(m.usageHistory()).isNull();
        assertThat(m.victimSearches).isEmpty();
        assertThat(m.armed).isEmpty();
        assertThat(m.growthCheckedAt).isEmpty();
        assertThat(m.rebalanceCheckedAt).isEmpty();
        assertThat(m.learned).isEmpty();
        assertThat(m.due("history", 1, 1000)).isTrue();
    }

    /**
     * A member that loses leadership and claims it again starts its new term from the store, with
     * nothing remembered from its earlier one.
     */
    @Test
    void aLeaderThatRegainsLeadershipForgetsItsEarlierTerm() {
        AtomicBoolean leader = new AtomicBoolean(true);
        ModelFleet fleet = new ModelFleet();
        SchedulingLoop loop = fleet.loop("m", SchedulerEvents.NONE, BlockedSet.remembering(), leader::get);
        loop.pass();
        long first = loop.term().orElseThrow().epoch();
        fill(loop.memory());
        leader.set(false);
        loop.pass();
        assertThat(loop.term()).isEmpty();
        leader.set(true);
        loop.pass();
        assertThat(loop.term().orElseThrow().epoch()).isGreaterThan(first);
        assertThat(loop.memory().victimSearches).isEmpty();
        assertThat(loop.memory().armed).isEmpty();
        assertThat(loop.memory().blocked.size(BlockedSet.Trial.PLACEMENT)).isZero();
    }

    private void fill(CycleMemory m) {
        m.blocked.tried(BlockedSet.Trial.PLACEMENT, "j", 1);
        m.claims.claim("j");
        m.reservationAnswers.put("j", new Reservations.Cached(1, 0, Optional.empty()));
        m.publishedStarts = Map.of("j", "2026-12-01T01:00:00Z");
        m.inForce = List.of();
        m.usage = UsageHistory.start(0, UsageHistory.DEFAULT_HALF_LIFE_MS);
        m.victimSearches.put("j", 7L);
        m.armed.put("j", new ElasticGrowth.Armed(1, 3));
        m.growthCheckedAt.put("j", 0L);
        m.rebalanceCheckedAt.put("j", 0L);
        m.due("history", 0, 1000);
    }
}
