package io.tessera.scheduler.sim;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The simulator's clock (and the tests'): time stands still until the event driver moves it, and
 * only forward.
 * Every scheduler class the simulator runs reads time from this clock, so a pass decides at the
 * virtual instant of the events that triggered it. Not thread-safe: one driver thread owns it.
 */
public final class VirtualClock extends Clock {
    private long millis;

    public VirtualClock(Instant start) {
        this.millis = start.toEpochMilli();
    }

    /** Moves the clock to {@code atMs}; moving it back is a driver bug. */
    public void set(long atMs) {
        if (atMs < millis) {
            throw new IllegalArgumentException("virtual time cannot go back: " + atMs + " < " + millis);
        }
        millis = atMs;
    }

    /** Moves the clock forward by {@code by}. */
    public void advance(Duration by) {
        set(millis + by.toMillis());
    }

    @Override
    public long millis() {
        return millis;
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
