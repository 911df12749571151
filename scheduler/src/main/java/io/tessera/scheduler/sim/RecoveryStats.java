package io.tessera.scheduler.sim;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongToIntFunction;

/**
 * What failures cost in a simulation and what the recovery ladder saved: each job's productive
 * training time (steps it kept, at the step time of the plan that ran them), the time from each
 * failure to the gang training again by the rung that recovered it, and the productive device
 * rate during each outage against the ideal: the fleet without the nodes that went down, as busy
 * as it was just before (the devices jobs held) or full, whichever is less. Fed by {@link SimAgents} and {@link Simulation}; read by {@link Summary}.
 * Single-threaded.
 */
public final class RecoveryStats {
    /** How a failed gang trained again: its workers restarted in place, a lost node's shards replaced, or a new attempt. */
    public enum Rung { PROCESS, SHARD, GANG }

    /** One outage as the workload declared it: when, how long, and which share of the fleet's devices. */
    public record Outage(String what, long fromMs, long toMs, int devicesDown, int devicesTotal) {
    }

    private record Productive(long fromMs, long toMs, int devices) {
    }

    private final Map<String, Long> failedAtMs = new HashMap<>();
    private final Map<Rung, List<Double>> resumeSec = new EnumMap<>(Rung.class);
    private final Map<String, Double> productiveSec = new HashMap<>();
    private final List<Productive> productive = new ArrayList<>();
    private final List<Outage> outages = new ArrayList<>();

    /** A worker of {@code job} failed, or a node under it went down (the first such, until it trains again). */
    void failed(String job, long nowMs) {
        failedAtMs.putIfAbsent(job, nowMs);
    }

    /** {@code job} trains again, by {@code rung}: a failure pending since it was recorded is resolved. */
    void resumed(String job, Rung rung, long nowMs) {
        Long at = failedAtMs.remove(job);
        if (at != null) {
            resumeSec.computeIfAbsent(rung, r -> new ArrayList<>()).add((nowMs - at) / 1000.0);
        }
    }

    /** An attempt of {@code job} ended having kept {@code keptSec} of training on {@code devices}, from {@code startMs}. */
    void trained(String job, long startMs, long pausedMs, double keptSec, int devices) {
        if (startMs < 0) {
            return;
        }
        productiveSec.merge(job, keptSec, Double::sum);
        if (keptSec > 0) {
            productive.add(new Productive(startMs, startMs + Math.round(keptSec * 1000) + pausedMs, devices));
        }
    }

    void outage(Outage o) {
        outages.add(o);
    }

    /** Seconds of training {@code job} kept. */
    public double productiveSec(String job) {
        return productiveSec.getOrDefault(job, 0.0);
    }

    /** How many failures each rung recovered. */
    public Map<String, Integer> rungsTaken() {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (Rung r : Rung.values()) {
            out.put(r.name().toLowerCase(Locale.ROOT), resumeSec.getOrDefault(r, List.of()).size());
        }
        return out;
    }

    /** Failure-to-training-again seconds of one rung, p50 and p99 (nearest rank); empty when it was never taken. */
    public Map<String, Double> resumeQuantiles(Rung rung) {
        List<Double> xs = new ArrayList<>(resumeSec.getOrDefault(rung, List.of()));
        if (xs.isEmpty()) {
            return Map.of();
        }
        xs.sort(Double::compare);
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("p50Sec", xs.get(Math.max(0, (int) Math.ceil(0.50 * xs.size()) - 1)));
        out.put("p99Sec", xs.get(Math.max(0, (int) Math.ceil(0.99 * xs.size()) - 1)));
        return out;
    }

    /**
     * Each outage with its {@code throughputKept}: the productive device rate during it over the
     * ideal, the devices held just before it ({@code busyBefore}) or the devices left, whichever is less.
     */
    public List<Map<String, Object>> outageReport(LongToIntFunction busyBefore) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Outage o : outages) {
            long len = o.toMs() - o.fromMs();
            double during = rate(o.fromMs(), o.toMs());
            int held = busyBefore.applyAsInt(o.fromMs());
            double ideal = Math.min(held, o.devicesTotal() - o.devicesDown()); // the work there was, on what is left
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("what", o.what());
            m.put("fromSec", o.fromMs() / 1000.0);
            m.put("forSec", len / 1000.0);
            m.put("devicesDown", o.devicesDown());
            m.put("devicesHeldBefore", held);
            m.put("productiveDevicesDuring", during);
            m.put("throughputKept", ideal <= 0 ? null : during / ideal);
            out.add(m);
        }
        return out;
    }

    /** Devices training productively, on average over [fromMs, toMs). */
    private double rate(long fromMs, long toMs) {
        if (toMs <= fromMs) {
            return 0;
        }
        double deviceMs = 0;
        for (Productive p : productive) {
            long overlap = Math.min(toMs, p.toMs()) - Math.max(fromMs, p.fromMs());
            if (overlap > 0) {
                deviceMs += (double) overlap * p.devices();
            }
        }
        return deviceMs / (toMs - fromMs);
    }
}
