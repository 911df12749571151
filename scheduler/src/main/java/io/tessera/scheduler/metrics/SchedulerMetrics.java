package io.tessera.scheduler.metrics;

import java.util.function.Function;
import java.util.HashMap;
import java.util.LinkedHashMap;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tessera.scheduler.events.SchedulerEvents;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * The scheduler's Prometheus metrics (names in docs/metrics.md). Event metrics are recorded as
 * they happen; fleet gauges are replaced wholesale by {@link #refresh}, so a scrape only serializes.
 * Thread-safe. Replacing gauges and scraping exclude each other ({@link #gauges}): Micrometer's
 * MultiGauge overwrite removes and re-adds each row, and a scrape in between saw a row twice and
 * failed (DuplicateLabelsException), or missed it.
 */
public final class SchedulerMetrics implements SchedulerEvents {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Timer placement;
    private final Timer queueWait;
    private final Counter heartbeats;
    private final Counter nodesLost;
    private final AtomicInteger queueLength = new AtomicInteger();
    private final MultiGauge devices;
    private final MultiGauge jobs;
    private final MultiGauge jobPredicted;
    private final MultiGauge jobMeasured;
    private final MultiGauge jobVendorShare;
    private final MultiGauge fleetVendorShare;
    private final MultiGauge heartbeatAge;
    private final MultiGauge shardThroughput;
    private final MultiGauge learnedEfficiency;
    private final MultiGauge learnedSpeed;
    private final Map<String, MultiGauge> queueGauges = new LinkedHashMap<>();
    /** Held while gauges are replaced and while a scrape serializes. */
    private final Object gauges = new Object();

    public SchedulerMetrics() {
        registry.config().meterFilter(new PromtoolClean());
        List.of(new JvmMemoryMetrics(), new JvmGcMetrics(), new JvmThreadMetrics(), new ClassLoaderMetrics(),
                new ProcessorMetrics(), new UptimeMetrics()).forEach(b -> b.bindTo(registry));
        placement = Timer.builder("tessera.placement.duration").description("Time to decide one placement")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofNanos(50_000))
                .maximumExpectedValue(Duration.ofSeconds(5)).register(registry);
        queueWait = Timer.builder("tessera.queue.wait").description("Time from submission to placement")
                .publishPercentileHistogram().maximumExpectedValue(Duration.ofDays(1)).register(registry);
        heartbeats = Counter.builder("tessera.heartbeats.received").description("Agent heartbeats").register(registry);
        nodesLost = Counter.builder("tessera.nodes.lost").description("Nodes declared lost").register(registry);
        Gauge.builder("tessera.queue.length", queueLength, AtomicInteger::get).description("Queued jobs").register(registry);
        devices = MultiGauge.builder("tessera.devices").description("Devices by vendor, chip type and state")
                .register(registry);
        jobs = MultiGauge.builder("tessera.jobs").description("Jobs by state").register(registry);
        jobPredicted = MultiGauge.builder("tessera.job.predicted.throughput").baseUnit("samples.per.second")
                .description("Predicted samples/s of each running job").register(registry);
        jobMeasured = MultiGauge.builder("tessera.job.measured.throughput").baseUnit("samples.per.second")
                .description("Samples/s running jobs' workers measured").register(registry);
        jobVendorShare = MultiGauge.builder("tessera.job.vendor.share").baseUnit("ratio")
                .description("Share of a running job's throughput per vendor").register(registry);
        fleetVendorShare = MultiGauge.builder("tessera.fleet.vendor.share").baseUnit("ratio")
                .description("Share of all running compute per vendor").register(registry);
        shardThroughput = MultiGauge.builder("tessera.shard.throughput").baseUnit("samples.per.second")
                .description("Each running shard's samples/s: kind=predicted (the scheduler) or measured (its worker)")
                .register(registry);
        learnedEfficiency = MultiGauge.builder("tessera.learned.efficiency").baseUnit("ratio")
                .description("Achieved fraction of peak learned per job class, chip type and precision").register(registry);
        learnedSpeed = MultiGauge.builder("tessera.learned.speed").baseUnit("ratio")
                .description("Measured samples/s over the catalog's estimate, learned per job class and chip type")
                .register(registry);
        heartbeatAge = MultiGauge.builder("tessera.node.heartbeat.age").baseUnit("seconds")
                .description("Seconds since each node's last heartbeat").register(registry);
        for (String[] g : new String[][] {{"used", "Normalized TFLOPS each queue's running jobs hold"},
                {"quota", "Each queue's TFLOPS quota (absent: no quota)"},
                {"borrowed", "TFLOPS each queue holds beyond its own quota"},
                {"fair.share", "Each queue's weighted max-min share of the fleet, TFLOPS"}}) {
            queueGauges.put(g[0], MultiGauge.builder("tessera.queue." + g[0] + ".tflops").description(g[1])
                    .register(registry));
        }
        queueGauges.put("pending", MultiGauge.builder("tessera.queue.pending.jobs").description("Queued jobs per queue")
                .register(registry));
        for (String outcome : List.of("placed", "unschedulable", "conflict")) {
            outcomes(outcome);
        }
    }

    private Counter outcomes(String outcome) {
        return counter("tessera.placement.outcomes", "Placement decisions by outcome", "outcome", outcome);
    }

    /** Exposes {@code tessera_leader}: 1 on the member that leads the scheduling loop now, 0 on the others. */
    public void leadership(BooleanSupplier leads) {
        Gauge.builder("tessera.leader", leads, l -> l.getAsBoolean() ? 1 : 0)
                .description("1 on the member that leads the scheduling loop, 0 on the others").strongReference(true)
                .register(registry);
    }

    /** Counters by name and tags, registered once: the loop counts on every decision, and a registry lookup each time costs. */
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    /** The counter {@code name} with {@code tags} (key, value, ...), registered on first use. */
    private Counter counter(String name, String description, String... tags) {
        return counters.computeIfAbsent(name + String.join("\u0000", tags), k -> Counter.builder(name).tags(tags)
                .description(description).register(registry));
    }

    @Override
    public void placement(long nanos, String outcome, List<String> vetoReasons) {
        placement.record(nanos, TimeUnit.NANOSECONDS);
        outcomes(outcome).increment();
        for (String reason : vetoReasons) {
            counter("tessera.placement.vetoes", "Chip types vetoed, by reason", "reason", reason).increment();
        }
    }

    @Override
    public void queueWait(double seconds) {
        queueWait.record(Duration.ofNanos((long) (seconds * 1e9)));
    }

    @Override
    public void queueWait(String queue, double seconds) {
        queueWait(seconds);
        Timer.builder("tessera.queue.job.wait").tag("queue", queue).description("Time from submission to placement, per queue")
                .publishPercentileHistogram().maximumExpectedValue(Duration.ofDays(1)).register(registry)
                .record(Duration.ofNanos((long) (seconds * 1e9)));
    }

    @Override
    public void preempted(String queue) {
        counter("tessera.queue.preemptions", "Jobs chosen to be preempted, by their queue", "queue", queue).increment();
    }

    @Override
    public void leaderChange(String kind, String outcome) {
        counter("tessera.leader.changes", "Changes the leader's applier committed (applied) or refused (conflict: live "
                + "state moved; fenced: this member's term is over)", "kind", kind, "outcome", outcome).increment();
    }

    @Override
    public void admissionWait(String gate, String kind) {
        counter("tessera.admission.waits", "Queued jobs an admission gate held in a queue pass, by gate and kind of wait (a"
                + " job held over many passes counts once per pass it was tried in)", "gate", gate, "kind", kind).increment();
    }

    @Override
    public void heartbeat() {
        heartbeats.increment();
    }

    @Override
    public void nodeLost() {
        nodesLost.increment();
    }

    /** Replaces every fleet gauge with {@code s}. */
    public void refresh(FleetStats s) {
        synchronized (gauges) {
            replace(s);
        }
    }

    private void replace(FleetStats s) {
        queueLength.set(s.queueLength());
        devices.register(rows(s.devices(), k -> Tags.of("vendor", k.vendor(), "chip_type", k.chipType(), "state", k.state())), true);
        jobs.register(rows(s.jobs(), k -> Tags.of("state", k)), true);
        jobPredicted.register(rows(s.jobPredicted(), id -> jobTags(s, id)), true);
        jobMeasured.register(rows(s.jobMeasured(), id -> jobTags(s, id)), true);
        List<MultiGauge.Row<?>> shares = new ArrayList<>();
        s.jobVendorShare().forEach((id, byVendor) -> byVendor.forEach((vendor, share) ->
                shares.add(MultiGauge.Row.of(jobTags(s, id).and("vendor", vendor), share))));
        jobVendorShare.register(shares, true);
        fleetVendorShare.register(rows(s.fleetVendorShare(), v -> Tags.of("vendor", v)), true);
        heartbeatAge.register(rows(s.heartbeatAge(), n -> Tags.of("node", n)), true);
    }

    /** Replaces the throughput-loop gauges with {@code t}. */
    public void refreshThroughput(ThroughputStats t) {
        synchronized (gauges) {
            replaceThroughput(t);
        }
    }

    private void replaceThroughput(ThroughputStats t) {
        List<MultiGauge.Row<?>> shards = new ArrayList<>();
        for (ThroughputStats.Shard s : t.shards()) {
            Tags tags = Tags.of("job", s.jobId(), "job_name", s.jobName(), "shard", Integer.toString(s.shard()),
                    "chip_type", s.chipType());
            shards.add(MultiGauge.Row.of(tags.and("kind", "predicted"), s.predicted()));
            if (s.measured() != null) {
                shards.add(MultiGauge.Row.of(tags.and("kind", "measured"), s.measured()));
            }
        }
        shardThroughput.register(shards, true);
        List<MultiGauge.Row<?>> efficiency = new ArrayList<>();
        List<MultiGauge.Row<?>> speed = new ArrayList<>();
        for (ThroughputStats.Learned l : t.learned()) {
            Tags tags = Tags.of("profile", l.profile(), "chip_type", l.chipType(), "precision", l.precision());
            efficiency.add(MultiGauge.Row.of(tags, l.efficiency()));
            speed.add(MultiGauge.Row.of(tags, l.speed()));
        }
        learnedEfficiency.register(efficiency, true);
        learnedSpeed.register(speed, true);
    }

    /** Replaces the per-queue gauges with {@code queues}. */
    public void refreshQueues(List<QueueStats> queues) {
        synchronized (gauges) {
            replaceQueues(queues);
        }
    }

    private void replaceQueues(List<QueueStats> queues) {
        Map<String, List<MultiGauge.Row<?>>> rows = new HashMap<>();
        queueGauges.keySet().forEach(k -> rows.put(k, new ArrayList<>()));
        for (QueueStats q : queues) {
            Tags t = Tags.of("queue", q.queue());
            rows.get("used").add(MultiGauge.Row.of(t, q.usedTflops()));
            rows.get("borrowed").add(MultiGauge.Row.of(t, q.borrowedTflops()));
            rows.get("fair.share").add(MultiGauge.Row.of(t, q.fairShareTflops()));
            rows.get("pending").add(MultiGauge.Row.of(t, q.pendingJobs()));
            if (q.quotaTflops() != null) {
                rows.get("quota").add(MultiGauge.Row.of(t, q.quotaTflops()));
            }
        }
        rows.forEach((k, r) -> queueGauges.get(k).register(r, true));
    }

    private static Tags jobTags(FleetStats s, String id) {
        return Tags.of("job", id, "job_name", s.jobNames().getOrDefault(id, ""));
    }

    private static <K> List<MultiGauge.Row<?>> rows(Map<K, ? extends Number> values, Function<K, Tags> tags) {
        List<MultiGauge.Row<?>> out = new ArrayList<>();
        values.forEach((k, v) -> out.add(MultiGauge.Row.of(tags.apply(k), v)));
        return out;
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** The Prometheus text exposition of every metric. */
    public String scrape() {
        synchronized (gauges) {
            return registry.scrape();
        }
    }
}
