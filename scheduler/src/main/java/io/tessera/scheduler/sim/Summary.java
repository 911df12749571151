package io.tessera.scheduler.sim;

import io.tessera.config.ChipCatalog;
import io.tessera.scheduler.model.JobState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The figures of a run ({@code summary.json}) and its per-job table ({@code jobs.csv}). JCT and
 * queue wait count the jobs of the measurement window; makespan, utilization and vendor shares
 * the whole run. Utilization is device-seconds held over device-seconds of nodes up, from time
 * zero to the last job's end; a vendor's share is its part of all device-seconds held.
 */
public final class Summary {
    private Summary() {
    }

    public static Map<String, Object> of(SimRecorder rec, ChipCatalog catalog, String policy, long seed, double wallSec,
                                         int passes) {
        List<Double> jct = new ArrayList<>();
        double waitSum = 0;
        int waited = 0;
        int measured = 0;
        int failed = 0;
        int unfinished = 0;
        for (SimRecorder.JobTrace t : rec.jobs()) {
            if (!t.measured) {
                continue;
            }
            measured++;
            if (t.completed()) {
                jct.add(t.jctSec());
            } else if (t.state == JobState.FAILED) {
                failed++;
            } else {
                unfinished++;
            }
            if (t.firstStartMs >= 0) {
                waitSum += (t.firstStartMs - t.job.arriveMs()) / 1000.0;
                waited++;
            }
        }
        jct.sort(Double::compare);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("policy", policy);
        out.put("seed", seed);
        out.put("jobs", measured);
        out.put("jobsInWorkload", rec.jobs().size());
        out.put("completed", jct.size());
        out.put("failed", failed);
        out.put("unfinished", unfinished);
        out.put("avgJctSec", round(jct.stream().mapToDouble(Double::doubleValue).average().orElse(0)));
        out.put("p50JctSec", round(quantile(jct, 0.50)));
        out.put("p99JctSec", round(quantile(jct, 0.99)));
        out.put("makespanSec", round(rec.lastEndMs() / 1000.0));
        out.put("avgQueueWaitSec", round(waited == 0 ? 0 : waitSum / waited));
        out.put("utilization", utilization(rec, catalog));
        out.put("vendorShare", vendorShare(rec, catalog));
        out.put("preemptions", rec.preemptions());
        out.put("preemptionLostDeviceHours", round(rec.lostDeviceSec(SimRecorder.Ending.PREEMPTED) / 3600));
        out.put("failureLostDeviceHours", round(rec.lostDeviceSec(SimRecorder.Ending.FAILED) / 3600));
        out.put("moveLostDeviceHours", round(rec.lostDeviceSec(SimRecorder.Ending.MOVED) / 3600));
        out.put("moves", rec.jobs().stream().mapToInt(t -> t.moves).sum());
        out.put("restarts", rec.jobs().stream().mapToInt(t -> Math.max(0, t.attempts - 1 - t.preemptions - t.moves)).sum());
        out.putAll(recovery(rec));
        out.put("schedulerPasses", passes);
        out.put("wallSec", round(wallSec));
        return out;
    }

    /**
     * Effective training time and the recovery ladder: {@code ettr} (every started job's kept training
     * time over its wall time from first start to end, summed), how many failures each rung recovered
     * and how long each took to train again, and each declared outage's {@code throughputKept}.
     */
    private static Map<String, Object> recovery(SimRecorder rec) {
        double productive = 0;
        double wall = 0;
        for (SimRecorder.JobTrace t : rec.jobs()) {
            if (t.firstStartMs >= 0) {
                productive += rec.recovery().productiveSec(t.job.id());
                wall += ((t.endMs >= 0 ? t.endMs : rec.lastEndMs()) - t.firstStartMs) / 1000.0;
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ettr", Math.round((wall <= 0 ? 0 : productive / wall) * 10_000) / 10_000.0); // 4 places: it is near 1
        Map<String, Object> ladder = new LinkedHashMap<>();
        ladder.put("recovered", rec.recovery().rungsTaken());
        Map<String, Object> resume = new LinkedHashMap<>();
        for (RecoveryStats.Rung r : RecoveryStats.Rung.values()) {
            Map<String, Double> q = new LinkedHashMap<>(rec.recovery().resumeQuantiles(r));
            q.replaceAll((k, v) -> round(v));
            resume.put(r.name().toLowerCase(Locale.ROOT), q);
        }
        ladder.put("timeToResume", resume);
        out.put("recovery", ladder);
        List<Map<String, Object>> outages = rec.recovery().outageReport(rec::busyDevicesBefore);
        outages.forEach(o -> o.replaceAll((k, v) -> v instanceof Double d ? round(d) : v));
        out.put("outages", outages);
        return out;
    }

    /** One job's effective training time ratio; empty before it started. */
    static String ettr(SimRecorder rec, SimRecorder.JobTrace t) {
        if (t.firstStartMs < 0) {
            return "";
        }
        double wall = ((t.endMs >= 0 ? t.endMs : rec.lastEndMs()) - t.firstStartMs) / 1000.0;
        return wall <= 0 ? "" : fmt(rec.recovery().productiveSec(t.job.id()) / wall);
    }

    private static Map<String, Object> utilization(SimRecorder rec, ChipCatalog catalog) {
        Map<String, Double> busy = rec.busySec();
        Map<String, Double> cap = rec.capacitySec();
        Map<String, Double> byChip = new TreeMap<>();
        Map<String, double[]> byVendor = new TreeMap<>();
        double b = 0;
        double c = 0;
        for (Map.Entry<String, Double> e : cap.entrySet()) {
            double used = busy.getOrDefault(e.getKey(), 0.0);
            byChip.put(e.getKey(), round(e.getValue() == 0 ? 0 : used / e.getValue()));
            double[] v = byVendor.computeIfAbsent(rec.vendor(e.getKey()), k -> new double[2]);
            v[0] += used;
            v[1] += e.getValue();
            b += used;
            c += e.getValue();
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("fleet", round(c == 0 ? 0 : b / c));
        Map<String, Double> vendors = new TreeMap<>();
        byVendor.forEach((k, v) -> vendors.put(k, round(v[1] == 0 ? 0 : v[0] / v[1])));
        out.put("byVendor", vendors);
        out.put("byChipType", byChip);
        return out;
    }

    private static Map<String, Double> vendorShare(SimRecorder rec, ChipCatalog catalog) {
        Map<String, Double> out = new TreeMap<>();
        double total = rec.busySec().values().stream().mapToDouble(Double::doubleValue).sum();
        rec.busySec().forEach((chip, s) -> out.merge(rec.vendor(chip), s, Double::sum));
        out.replaceAll((k, v) -> round(total == 0 ? 0 : v / total));
        return out;
    }

    /** The nearest-rank quantile of sorted values; 0 when there are none. */
    static double quantile(List<Double> sorted, double q) {
        if (sorted.isEmpty()) {
            return 0;
        }
        int rank = (int) Math.ceil(q * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    /** {@code jobs.csv}: one row per job of the workload, in arrival order. */
    public static String csv(SimRecorder rec) {
        StringBuilder b = new StringBuilder("id,index,measured,class,queue,user,shards,devicesPerShard,steps,"
                + "arrivalSec,reservedStartSec,startSec,endSec,jctSec,waitSec,state,attempts,preemptions,moves,chips,ettr\n");
        for (SimRecorder.JobTrace t : rec.jobs()) {
            SimJob j = t.job;
            b.append(String.join(",", j.id(), Integer.toString(j.index()), Boolean.toString(t.measured),
                    quote(j.jobClass() == null ? "" : j.jobClass()), j.spec().queue(), j.owner(),
                    Integer.toString(j.spec().shards().max()), Integer.toString(j.spec().devicesPerShard()),
                    Long.toString(j.steps()), sec(j.arriveMs()), t.reservedStartMs < 0 ? "" : sec(t.reservedStartMs),
                    t.firstStartMs < 0 ? "" : sec(t.firstStartMs),
                    t.endMs < 0 ? "" : sec(t.endMs), t.endMs < 0 ? "" : fmt(t.jctSec()),
                    t.firstStartMs < 0 ? "" : sec(t.firstStartMs - j.arriveMs()), t.state.name(),
                    Integer.toString(t.attempts), Integer.toString(t.preemptions), Integer.toString(t.moves),
                    quote(t.chips), ettr(rec, t))).append('\n');
        }
        return b.toString();
    }

    private static String sec(long ms) {
        return fmt(ms / 1000.0);
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    private static String quote(String s) {
        return s.contains(",") || s.contains("\"") || s.contains(" ") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
