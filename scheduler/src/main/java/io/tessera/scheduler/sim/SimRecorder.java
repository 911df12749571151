package io.tessera.scheduler.sim;

import io.tessera.config.ChipCatalog;
import io.tessera.scheduler.model.JobState;
import io.tessera.scheduler.placement.PlacementResult.Plan;
import io.tessera.scheduler.placement.ShardPlan;
import io.tessera.scheduler.policy.QuotaCharge;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a simulation observed: each job's times and attempts, device-seconds held and available
 * per chip type, and time series (queue length, devices in use per vendor, normalized TFLOPS per
 * queue) sampled whenever they change. Single-threaded; times in ms after the start.
 */
public final class SimRecorder {
    /** One job's record. */
    public static final class JobTrace {
        public final SimJob job;
        /** Whether it is in the measurement window. */
        public boolean measured = true;
        public long firstStartMs = -1;
        /** When its reservation first said it would start ({@code estimatedStartAt}); -1 if it never had one. */
        public long reservedStartMs = -1;
        /**
         * Per wait that had a reservation: seconds from the first {@code estimatedStartAt} of that
         * wait to the attempt that then started (negative: it started early).
         */
        public final List<Double> reservationLateSec = new ArrayList<>();
        long waitEstimateMs = -1;
        public long endMs = -1;
        public JobState state = JobState.QUEUED;
        public int attempts;
        public int preemptions;
        /** Attempts that ended by moving to a better plan (growing or migrating). */
        public int moves;
        public String chips = "";

        JobTrace(SimJob job) {
            this.job = job;
        }

        public boolean completed() {
            return endMs >= 0 && state == JobState.SUCCEEDED;
        }

        public double jctSec() {
            return (endMs - job.arriveMs()) / 1000.0;
        }
    }

    /** A sample of the time series. */
    public record Sample(long atMs, int queued, Map<String, Integer> busyByVendor, Map<String, Integer> upByVendor,
                         Map<String, Double> tflopsByQueue, Map<String, Integer> queuedByQueue) {
    }

    private final ChipCatalog catalog;
    private final Map<String, JobTrace> jobs = new TreeMap<>();
    private final List<JobTrace> inOrder = new ArrayList<>();
    private final Map<String, Integer> busy = new TreeMap<>();
    private final Map<String, Integer> capacity = new TreeMap<>();
    private final Map<String, Double> busySec = new TreeMap<>();
    private final Map<String, Double> capacitySec = new TreeMap<>();
    private final Map<String, Double> queueTflops = new TreeMap<>();
    private final Map<String, String> queueOf = new TreeMap<>();
    private final List<Sample> samples = new ArrayList<>();
    private int queued;
    private final Map<String, Integer> queuedByQueue = new TreeMap<>();
    private long lastMs;
    private long lastEndMs;
    private int preemptions;
    private Map<String, Double> busyAtLastEnd = Map.of();
    private Map<String, Double> capacityAtLastEnd = Map.of();

    private final RecoveryStats recovery = new RecoveryStats();

    /** What failures cost and what the recovery ladder saved. */
    public RecoveryStats recovery() {
        return recovery;
    }

    public SimRecorder(ChipCatalog catalog) {
        this.catalog = catalog;
    }

    void capacity(String chip, int devices, long nowMs) {
        integrate(nowMs);
        capacity.merge(chip, devices, Integer::sum);
        busy.putIfAbsent(chip, 0);
    }

    void arrived(SimJob job, boolean measured) {
        JobTrace t = new JobTrace(job);
        t.measured = measured;
        jobs.put(job.id(), t);
        inOrder.add(t);
        queueOf.put(job.id(), job.spec().queue());
        queueTflops.putIfAbsent(job.spec().queue(), 0.0);
        waiting(job.id(), 1);
    }

    void placed(String id, int attempt, Plan plan, long nowMs) {
        integrate(nowMs);
        JobTrace t = jobs.get(id);
        t.attempts++;
        if (t.state == JobState.QUEUED) {
            waiting(id, -1);
        }
        t.state = JobState.PLACED;
        Map<String, Integer> used = new TreeMap<>();
        for (ShardPlan s : plan.shards()) {
            busy.merge(s.chipType(), s.devices().size(), Integer::sum);
            used.merge(s.chipType(), s.devices().size(), Integer::sum);
        }
        if (t.chips.isEmpty()) {
            StringBuilder b = new StringBuilder();
            used.forEach((c, n) -> b.append(b.length() == 0 ? "" : " ").append(c).append(':').append(n));
            t.chips = b.toString();
        }
        queueTflops.merge(queueOf.get(id), QuotaCharge.of(plan, catalog).tflops(), Double::sum);
    }

    /**
     * A queued job's published estimated start, in ms after time zero. The first one before its
     * first start is {@code reservedStartMs}; the first one of each wait is what that wait's start
     * is measured against.
     */
    void reserved(String id, long startAtMs) {
        JobTrace t = jobs.get(id);
        if (t == null) {
            return;
        }
        if (t.reservedStartMs < 0 && t.firstStartMs < 0) {
            t.reservedStartMs = startAtMs;
        }
        if (t.waitEstimateMs < 0) {
            t.waitEstimateMs = startAtMs;
        }
    }

    void started(String id, long nowMs) {
        JobTrace t = jobs.get(id);
        t.state = JobState.RUNNING;
        if (t.waitEstimateMs >= 0) {
            t.reservationLateSec.add((nowMs - t.waitEstimateMs) / 1000.0);
            t.waitEstimateMs = -1;
        }
        if (t.firstStartMs < 0) {
            t.firstStartMs = nowMs;
        }
    }

    /** How an attempt ended, for the counts. */
    public enum Ending { FINISHED, PREEMPTED, FAILED, MOVED }

    private final Map<Ending, Double> lostDeviceSec = new EnumMap<>(Ending.class);

    void released(String id, Plan plan, Ending ending, long nowMs) {
        integrate(nowMs);
        for (ShardPlan s : plan.shards()) {
            busy.merge(s.chipType(), -s.devices().size(), Integer::sum);
        }
        queueTflops.merge(queueOf.get(id), -QuotaCharge.of(plan, catalog).tflops(), Double::sum);
        if (ending == Ending.PREEMPTED) {
            jobs.get(id).preemptions++;
            preemptions++;
        } else if (ending == Ending.MOVED) {
            jobs.get(id).moves++;
        }
    }

    /** Training an attempt that {@code ending} ended threw away (since its last checkpoint), in device-seconds. */
    void lost(Ending ending, double deviceSec) {
        if (deviceSec > 0) {
            lostDeviceSec.merge(ending, deviceSec, Double::sum);
        }
    }

    /** Device-seconds of training thrown away by preemptions ({@code PREEMPTED}) and failures ({@code FAILED}). */
    public double lostDeviceSec(Ending ending) {
        return lostDeviceSec.getOrDefault(ending, 0.0);
    }

    void queued(String id, long nowMs) {
        JobTrace t = jobs.get(id);
        if (t.state != JobState.QUEUED) {
            t.state = JobState.QUEUED;
            waiting(id, 1);
        }
    }

    void finished(String id, JobState state, long nowMs) {
        JobTrace t = jobs.get(id);
        if (t.endMs >= 0) {
            return;
        }
        if (t.state == JobState.QUEUED) {
            waiting(id, -1);
        }
        t.state = state;
        t.endMs = nowMs;
        if (nowMs >= lastEndMs) {
            integrate(nowMs);
            lastEndMs = nowMs;
            busyAtLastEnd = Map.copyOf(busySec);
            capacityAtLastEnd = Map.copyOf(capacitySec);
        }
    }

    private void waiting(String id, int delta) {
        queued += delta;
        queuedByQueue.merge(queueOf.get(id), delta, Integer::sum);
    }

    /** Records a sample if anything it shows changed since the last one. */
    void sample(long nowMs) {
        integrate(nowMs);
        Map<String, Integer> byVendor = new TreeMap<>();
        busy.forEach((chip, n) -> byVendor.merge(vendor(chip), n, Integer::sum));
        Map<String, Integer> up = new TreeMap<>();
        capacity.forEach((chip, n) -> up.merge(vendor(chip), n, Integer::sum));
        Map<String, Double> byQueue = new TreeMap<>();
        queueTflops.forEach((q, v) -> byQueue.put(q, Math.max(0, Math.round(v * 1000) / 1000.0)));
        Sample last = samples.isEmpty() ? null : samples.get(samples.size() - 1);
        if (last == null || last.queued() != queued || !last.busyByVendor().equals(byVendor)
                || !last.upByVendor().equals(up) || !last.tflopsByQueue().equals(byQueue)
                || !last.queuedByQueue().equals(queuedByQueue)) {
            samples.add(new Sample(nowMs, queued, Map.copyOf(byVendor), Map.copyOf(up), Map.copyOf(byQueue),
                    Map.copyOf(queuedByQueue)));
        }
    }

    /** Devices held by jobs just before {@code ms}: the latest sample taken before it. */
    public int busyDevicesBefore(long ms) {
        int out = 0;
        for (Sample x : samples) {
            if (x.atMs() >= ms) {
                break;
            }
            out = x.busyByVendor().values().stream().mapToInt(Integer::intValue).sum();
        }
        return out;
    }

    private void integrate(long nowMs) {
        double dt = (nowMs - lastMs) / 1000.0;
        if (dt > 0) {
            busy.forEach((c, n) -> busySec.merge(c, n * dt, Double::sum));
            capacity.forEach((c, n) -> capacitySec.merge(c, n * dt, Double::sum));
        }
        lastMs = Math.max(lastMs, nowMs);
    }

    String vendor(String chip) {
        return catalog.byId(chip).map(c -> c.vendor()).orElse(chip);
    }

    public List<JobTrace> jobs() {
        return List.copyOf(inOrder);
    }

    public List<Sample> samples() {
        return List.copyOf(samples);
    }

    /** Device-seconds held, per chip type, from time zero to the last job's end. */
    public Map<String, Double> busySec() {
        return busyAtLastEnd;
    }

    /** Device-seconds of nodes up, per chip type, from time zero to the last job's end. */
    public Map<String, Double> capacitySec() {
        return capacityAtLastEnd;
    }

    public long lastEndMs() {
        return lastEndMs;
    }

    public int preemptions() {
        return preemptions;
    }

    /** Devices in use now, per chip type (all 0 once a run has ended). */
    public Map<String, Integer> busyNow() {
        return Map.copyOf(busy);
    }
}
