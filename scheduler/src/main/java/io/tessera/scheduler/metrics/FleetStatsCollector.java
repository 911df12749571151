package io.tessera.scheduler.metrics;

import java.util.ArrayList;
import io.tessera.config.ChipCatalog;
import io.tessera.config.ChipType;
import io.tessera.config.wire.AssignmentSet;
import io.tessera.config.wire.DeviceReport;
import io.tessera.config.wire.ShardReport;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.JobState;
import io.tessera.scheduler.model.DeviceState;
import io.tessera.scheduler.model.NodeRecord;
import io.tessera.scheduler.placement.ShardPlan;
import io.tessera.scheduler.state.ClusterStore;
import io.tessera.scheduler.state.ClusterView;
import io.tessera.scheduler.state.SnapshotBuilder;
import java.time.Clock;
import java.util.HashMap;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Sums cluster state into {@link FleetStats}, from this member's {@link ClusterView} (refreshed
 * first, so it costs what changed since the last collection) and the store's heard-from times.
 * Blocking; runs off the request path.
 */
public final class FleetStatsCollector {
    private final ClusterStore store;
    private final ClusterView view;
    private final ChipCatalog catalog;
    private final Clock clock;

    /** The states a device is counted in; each is reported for every chip type present, 0 included. */
    static final List<String> DEVICE_STATES = Arrays.stream(DeviceState.values()).map(DeviceState::wireName).toList();
    private static final DeviceState[] STATES = DeviceState.values();

    public FleetStatsCollector(ClusterStore store, ClusterView view, ChipCatalog catalog, Clock clock) {
        this.view = view;
        this.store = store;
        this.catalog = catalog;
        this.clock = clock;
    }

    public FleetStats collect() {
        view.refresh();
        Map<String, AssignmentSet> sets = view.assignmentSets();
        Map<String, Long> heard = store.heardTimes();
        // Counted per chip type in an array indexed by state, keyed only at the end: a key per device
        // (four per device with the zeros) made this a third of the scheduler's CPU at 9,000 nodes.
        Map<String, int[]> byChip = new HashMap<>();
        Map<String, Double> age = new TreeMap<>();
        long now = clock.millis();
        for (NodeRecord node : view.nodes()) {
            Set<Integer> used = SnapshotBuilder.usedDevices(sets.get(node.name()));
            for (DeviceReport d : node.devices()) {
                byChip.computeIfAbsent(d.chipType(), k -> new int[STATES.length])
                        [DeviceState.of(node, d, used.contains(d.index())).ordinal()]++;
            }
            long last = Math.max(node.lastHeartbeatMs(), heard.getOrDefault(node.name(), Long.MIN_VALUE));
            age.put(node.name(), Math.max(0, now - last) / 1000.0);
        }
        Map<FleetStats.DeviceKey, Integer> devices = new HashMap<>();
        byChip.forEach((chip, counts) -> { // every state of a chip type present reads 0 rather than vanishing
            for (DeviceState state : STATES) {
                devices.put(new FleetStats.DeviceKey(vendor(chip), chip, state.wireName()), counts[state.ordinal()]);
            }
        });
        Map<String, Integer> jobs = new TreeMap<>();
        for (JobState s : JobState.values()) {
            jobs.put(s.name(), 0);
        }
        Map<String, Double> predicted = new TreeMap<>();
        Map<String, Double> measured = new TreeMap<>();
        Map<String, Map<String, Double>> jobShare = new TreeMap<>();
        Map<String, Double> fleetRate = new TreeMap<>();
        Map<String, String> names = new HashMap<>();
        List<ThroughputStats.Shard> shards = new ArrayList<>();
        Map<String, Integer> shardsByJob = new HashMap<>();
        List<JobRecord> all = view.jobs();
        for (JobRecord job : all) {
            jobs.merge(job.state().name(), 1, Integer::sum);
            if (job.state() == JobState.RUNNING && job.placement() != null) {
                shardsByJob.put(job.id(), job.placement().shards().size());
            }
        }
        Map<String, Map<Integer, ShardReport>> reports = shardsByJob.isEmpty() ? Map.of() : store.shardReports(shardsByJob);
        for (JobRecord job : all) {
            if (shardsByJob.containsKey(job.id())) {
                running(job, reports.getOrDefault(job.id(), Map.of()), predicted, measured, jobShare, fleetRate, shards);
                names.put(job.id(), job.spec().name());
            }
        }
        double total = fleetRate.values().stream().mapToDouble(Double::doubleValue).sum();
        Map<String, Double> fleetShare = new TreeMap<>();
        fleetRate.forEach((v, r) -> fleetShare.put(v, total == 0 ? 0 : r / total));
        lastShards = List.copyOf(shards);
        return new FleetStats(devices, jobs, jobs.get(JobState.QUEUED.name()), predicted, measured, jobShare, fleetShare,
                age, names);
    }

    private volatile List<ThroughputStats.Shard> lastShards = List.of();

    private void running(JobRecord job, Map<Integer, ShardReport> reports, Map<String, Double> predicted, Map<String, Double> measured,
                         Map<String, Map<String, Double>> jobShare, Map<String, Double> fleetRate,
                         List<ThroughputStats.Shard> shards) {
        predicted.put(job.id(), job.placement().predictedSamplesPerSec());
        jobShare.put(job.id(), job.placement().vendorShares());
        for (ShardPlan s : job.placement().shards()) {
            fleetRate.merge(s.vendor(), s.samplesPerSec(), Double::sum);
        }
        double sum = 0;
        boolean any = false;
        for (ShardReport r : reports.values()) {
            if (r.attempt() == job.attempt() && r.samplesPerSec() != null) {
                sum += r.samplesPerSec();
                any = true;
            }
        }
        for (ShardPlan s : job.placement().shards()) {
            ShardReport r = reports.get(s.shard());
            shards.add(new ThroughputStats.Shard(job.id(), job.spec().name(), s.shard(), s.chipType(), s.samplesPerSec(),
                    r != null && r.attempt() == job.attempt() ? r.samplesPerSec() : null));
        }
        if (any) {
            measured.put(job.id(), sum);
        }
    }

    /**
     * Each running shard's predicted and measured samples/s as of the last {@link #collect} (which
     * reads the reports once for both), and every learned estimate.
     */
    public ThroughputStats throughput() {
        List<ThroughputStats.Learned> learned = new ArrayList<>();
        store.profiles().all().values().forEach(p -> p.estimates().values().forEach(e -> learned.add(
                new ThroughputStats.Learned(p.key(), e.chipType(), e.precision(), e.efficiency(), e.factor()))));
        return new ThroughputStats(lastShards, learned);
    }

    private String vendor(String chipType) {
        return catalog.byId(chipType).map(ChipType::vendor).orElse("unknown");
    }
}
