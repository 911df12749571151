package io.tessera.scheduler.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The event driver's queue and clock: time order, then scheduling order; ticks told apart; no going back. */
class EventQueueTest {
    @Test
    void eventsComeInTimeOrderAndSameInstantEventsInTheOrderTheyWereScheduled() {
        EventQueue q = new EventQueue();
        q.at(2000, new SimEvent.Started("b", 1));
        q.at(1000, new SimEvent.Finished("a", 1));
        q.at(2000, new SimEvent.Started("a", 1));
        q.at(1000, new SimEvent.Stopped("c", 2));
        assertThat(q.nextAtMs()).isEqualTo(1000);
        assertThat(q.takeNext()).containsExactly(new SimEvent.Finished("a", 1), new SimEvent.Stopped("c", 2));
        assertThat(q.nextAtMs()).isEqualTo(2000);
        assertThat(q.takeNext()).containsExactly(new SimEvent.Started("b", 1), new SimEvent.Started("a", 1));
        assertThat(q.isEmpty()).isTrue();
    }

    @Test
    void onlyTicksSaysWhenNothingButTimerPassesIsLeft() {
        EventQueue q = new EventQueue();
        q.at(5, new SimEvent.Tick());
        q.at(9, new SimEvent.Finished("a", 1));
        assertThat(q.onlyTicks()).isFalse();
        q.takeNext();
        assertThat(q.onlyTicks()).isFalse();
        q.takeNext();
        q.at(20, new SimEvent.Tick());
        q.at(20, new SimEvent.Tick());
        assertThat(q.onlyTicks()).isTrue();
        assertThat(q.takeNext()).hasSize(2);
        assertThat(q.isEmpty()).isTrue();
        assertThat(q.onlyTicks()).isTrue();
    }

    @Test
    void theVirtualClockOnlyMovesForward() {
        VirtualClock c = new VirtualClock(Instant.parse("2026-01-01T00:00:00Z"));
        c.set(c.millis() + 1500);
        assertThat(c.instant()).isEqualTo(Instant.parse("2026-01-01T00:00:01.500Z"));
        long now = c.millis();
        assertThatThrownBy(() -> c.set(now - 1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(List.of(c.millis())).containsExactly(now);
    }
}
