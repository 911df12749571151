package io.tessera.scheduler.audit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keeps refused calls from flooding the audit trail: per source address, the first {@code perMinute}
 * refusals in each minute are recorded; the rest are counted, and the count is handed back once
 * that minute is over (by the next refusal from the address, or by {@link #finished}). At most
 * {@code maxAddresses} addresses are tracked; the least recently seen is forgotten first, its
 * count handed back with the next call to {@link #finished}. Pure apart from its own counters;
 * time comes from the caller. Thread-safe.
 */
public final class DeniedSampler {
    private static final long MINUTE_MS = 60_000;
    private final int perMinute;
    private final int maxAddresses;
    private final List<Suppressed> evicted = new ArrayList<>();
    private final Map<String, Window> windows;

    /**
     * Refusals from one address that were counted but not recorded.
     *
     * @param from    the address
     * @param count   how many
     * @param sinceMs the start of the minute they fell in
     */
    public record Suppressed(String from, long count, long sinceMs) {
    }

    private static final class Window {
        long startMs;
        int seen;
        long suppressed;
    }

    public DeniedSampler(int perMinute, int maxAddresses) {
        this.perMinute = perMinute;
        this.maxAddresses = maxAddresses;
        this.windows = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Window> eldest) {
                if (size() <= DeniedSampler.this.maxAddresses) {
                    return false;
                }
                if (eldest.getValue().suppressed > 0) {
                    evicted.add(new Suppressed(eldest.getKey(), eldest.getValue().suppressed, eldest.getValue().startMs));
                }
                return true;
            }
        };
    }

    /**
     * One refusal from {@code from} at {@code nowMs}.
     *
     * @return whether to record it, and any count from this address's previous minute to record first
     */
    public synchronized Decision refused(String from, long nowMs) {
        Window w = windows.computeIfAbsent(from, k -> new Window());
        Suppressed before = null;
        if (w.seen > 0 && nowMs - w.startMs >= MINUTE_MS) {
            before = w.suppressed > 0 ? new Suppressed(from, w.suppressed, w.startMs) : null;
            w.seen = 0;
            w.suppressed = 0;
        }
        if (w.seen == 0) {
            w.startMs = nowMs;
        }
        w.seen++;
        boolean record = w.seen <= perMinute;
        if (!record) {
            w.suppressed++;
        }
        return new Decision(record, before);
    }

    /**
     * What to do with one refusal.
     *
     * @param record   record it
     * @param previous the address's count from an earlier minute, to record before it; or null
     */
    public record Decision(boolean record, Suppressed previous) {
    }

    /** Counts of minutes that are over at {@code nowMs} (and of forgotten addresses), handed back once. */
    public synchronized List<Suppressed> finished(long nowMs) {
        List<Suppressed> out = new ArrayList<>(evicted);
        evicted.clear();
        for (Map.Entry<String, Window> e : windows.entrySet()) {
            Window w = e.getValue();
            if (w.suppressed > 0 && nowMs - w.startMs >= MINUTE_MS) {
                out.add(new Suppressed(e.getKey(), w.suppressed, w.startMs));
                w.suppressed = 0;
                w.seen = 0;
            }
        }
        windows.values().removeIf(w -> w.seen == 0 || nowMs - w.startMs >= MINUTE_MS);
        return out;
    }
}
