package io.tessera.scheduler.policy;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Each queue's recent use of the fleet, decayed with a half-life, as Slurm's fair-share factor
 * decays usage. Every pass adds what each queue holds times the time since the last pass, after
 * multiplying what was there by {@code 2^(-elapsed / halfLife)}. {@link #recentTflops} turns that
 * into an average rate: a queue that has held U TFLOPS for a long time reads U. Immutable and pure:
 * each {@link #advance} returns a new history.
 *
 * <p>Example, half-life 1 h: a queue held 1,000 TFLOPS for 3 h and then nothing. An hour later its
 * recent use reads about 440 (then 220, 110, ...), so for a few hours it still yields to a queue
 * that used nothing. Fair share weighs the two halves equally: what a queue holds now, and what it
 * used recently ({@link #effective}).
 *
 * @param tflopsSeconds decayed TFLOPS x seconds per queue
 * @param atMs          when it was last advanced
 * @param halfLifeMs    the half-life of past use
 */
public record UsageHistory(Map<String, Double> tflopsSeconds, long atMs, long halfLifeMs) {
    /** One hour. */
    public static final long DEFAULT_HALF_LIFE_MS = 3_600_000;

    public UsageHistory {
        tflopsSeconds = Map.copyOf(tflopsSeconds);
    }

    /** An empty history starting at {@code nowMs}. */
    public static UsageHistory start(long nowMs, long halfLifeMs) {
        return new UsageHistory(Map.of(), nowMs, halfLifeMs);
    }

    /** The history at {@code nowMs}, given that queues have held {@code held} since the last advance. */
    public UsageHistory advance(QueueUsage held, long nowMs) {
        double elapsedSec = Math.max(0, nowMs - atMs) / 1000.0;
        double keep = Math.pow(0.5, elapsedSec * 1000.0 / halfLifeMs);
        Set<String> queues = new HashSet<>(tflopsSeconds.keySet());
        queues.addAll(held.byQueue().keySet());
        Map<String, Double> next = new TreeMap<>();
        for (String q : queues) {
            double v = tflopsSeconds.getOrDefault(q, 0.0) * keep + held.of(q).tflops() * elapsedSec;
            if (v > 1e-6) {
                next.put(q, v);
            }
        }
        return new UsageHistory(next, Math.max(atMs, nowMs), halfLifeMs);
    }

    /** The queue's recent use as an average rate in TFLOPS (steady use U reads U). */
    public double recentTflops(String queue) {
        return tflopsSeconds.getOrDefault(queue, 0.0) * Math.log(2) / (halfLifeMs / 1000.0);
    }

    /** What fair share compares (before dividing by weight): half what the queue holds now, half its recent use. */
    public double effective(String queue, double holdsNow) {
        return (holdsNow + recentTflops(queue)) / 2;
    }
}
