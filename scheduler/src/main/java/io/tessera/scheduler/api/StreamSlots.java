package io.tessera.scheduler.api;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How many followed log streams each user holds open, against a per-user limit: one user's many
 * streams cannot take every relay connection to a node from the others. Thread-safe.
 */
final class StreamSlots {
    private final int perUser;
    private final Map<String, Integer> held = new ConcurrentHashMap<>();

    StreamSlots(int perUser) {
        this.perUser = perUser;
    }

    /** Takes one of {@code user}'s slots; false when all are held. */
    boolean take(String user) {
        boolean[] taken = {false};
        held.compute(user, (k, n) -> {
            int now = n == null ? 0 : n;
            if (now >= perUser) {
                return now;
            }
            taken[0] = true;
            return now + 1;
        });
        return taken[0];
    }

    /** Gives one of {@code user}'s slots back. */
    void release(String user) {
        held.computeIfPresent(user, (k, n) -> n <= 1 ? null : n - 1);
    }

    /** The limit. */
    int perUser() {
        return perUser;
    }
}
