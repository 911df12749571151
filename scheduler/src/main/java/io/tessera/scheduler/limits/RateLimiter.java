package io.tessera.scheduler.limits;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Token buckets, one per client key: {@code burst} requests at once, refilled at {@code perSecond}.
 * Pure apart from its clock, which is injected. Idle buckets (full again) are dropped once the
 * map holds more than {@code maxKeys}, so a flood of new keys cannot grow it without bound. Thread-safe.
 */
public final class RateLimiter {
    private final double perSecond;
    private final double burst;
    private final LongSupplier nanos;
    private final int maxKeys;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    public RateLimiter(double perSecond, int burst, LongSupplier nanos, int maxKeys) {
        this.perSecond = perSecond;
        this.burst = burst;
        this.nanos = nanos;
        this.maxKeys = maxKeys;
    }

    /** 0 when {@code key} may go ahead (one token is spent); else the seconds until it may. */
    public long acquire(String key) {
        long now = nanos.getAsLong();
        if (buckets.size() > maxKeys) {
            buckets.values().removeIf(b -> b.level(now) >= burst);
        }
        Bucket b = buckets.computeIfAbsent(key, k -> new Bucket(burst, now));
        synchronized (b) {
            double level = b.level(now);
            b.tokens = level;
            b.at = now;
            if (level >= 1) {
                b.tokens = level - 1;
                return 0;
            }
            return Math.max(1, (long) Math.ceil((1 - level) / perSecond));
        }
    }

    private final class Bucket {
        double tokens;
        long at;

        Bucket(double tokens, long at) {
            this.tokens = tokens;
            this.at = at;
        }

        double level(long now) {
            return Math.min(burst, tokens + (now - at) / 1e9 * perSecond);
        }
    }
}
