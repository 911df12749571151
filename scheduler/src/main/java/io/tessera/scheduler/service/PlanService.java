package io.tessera.scheduler.service;

import java.util.Arrays;
import java.time.Clock;
import io.tessera.scheduler.placement.ClusterSnapshot;
import java.util.stream.Collectors;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Optional;
import io.tessera.config.ValidationException;
import io.tessera.config.JobSpec;
import io.tessera.config.JobSpecParser;
import io.tessera.scheduler.placement.PlacementPolicy;
import io.tessera.scheduler.placement.PlacementResult;
import io.tessera.scheduler.placement.Placer;
import io.tessera.scheduler.state.ClusterView;

/**
 * Dry runs: places a job on the live cluster's current free capacity without committing anything,
 * over this member's {@link ClusterView} (refreshed first, so it costs what changed since the last
 * dry run, not the fleet's size). Blocking.
 */
public final class PlanService {
    private final ClusterView view;
    private final JobSpecParser parser;
    private final Placer placer;
    private final PlacementPolicy policy;

    public PlanService(ClusterView view, JobSpecParser parser, Placer placer, PlacementPolicy policy) {
        this.view = view;
        this.parser = parser;
        this.placer = placer;
        this.policy = policy;
    }

    /**
     * Why no state of the fleet could ever hold {@code spec}: it does not fit every registered
     * node at once, each ready, undrained, with every device healthy and free. Empty when it
     * could, while the fleet has no device, or while nodes are still registering (within the settle
     * time of the latest registration): a fleet still coming up refuses nothing.
     */
    public Optional<String> neverFits(JobSpec spec) {
        var best = view.bestCase();
        synchronized (fitCache) {
            if (fitCacheFor != best) { // a new fleet: what fitted the old one says nothing
                fitCache.clear();
                fitCacheFor = best;
                lastRegisteredMs = view.nodes().stream().mapToLong(n -> registeredMs(n.registeredAt())).max()
                        .orElse(Long.MAX_VALUE);
            }
            if (clock.millis() - lastRegisteredMs < settleMs) {
                return Optional.empty(); // nodes are still registering: the fleet is not known yet
            }
            Optional<String> known = fitCache.get(shape(spec));
            if (known != null) {
                return known;
            }
        }
        Optional<String> answer = check(spec, best);
        synchronized (fitCache) {
            if (fitCacheFor == best) {
                fitCache.put(shape(spec), answer);
            }
        }
        return answer;
    }

    /**
     * Answers for specs of one shape on one best-case fleet, so a burst of like submissions is
     * placed once, not once each, on a fleet of thousands of nodes. Bounded, least recently used out.
     */
    private final Map<List<Object>, Optional<String>> fitCache =
            new LinkedHashMap<>(64, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<List<Object>, Optional<String>> e) {
                    return size() > 1024;
                }
            };
    private Object fitCacheFor;
    /** When the latest node of the fleet {@link #fitCacheFor} registered. */
    private long lastRegisteredMs = Long.MAX_VALUE;

    /** What placement reads of a spec (not its name, command or environment). */
    private static List<Object> shape(JobSpec s) {
        Map<String, Boolean> inImages = new TreeMap<>(); // which chip types run in an image decides where it may go
        s.variants().forEach((k, v) -> inImages.put(k, v.image() != null || s.image() != null));
        return Arrays.asList(s.shards(), s.devicesPerShard(), s.workload(), s.globalBatch(), s.precisions(),
                s.vendorPolicy(), s.chipTypes(), s.precisionPolicy(), s.efficiency(), s.queue(), s.image() != null, inImages);
    }

    private Optional<String> check(JobSpec spec, ClusterSnapshot best) {
        if (best.nodes().stream().allMatch(n -> n.freeDevices().isEmpty()) || !(placer.place(best, "fit-check", spec, policy)
                instanceof PlacementResult.Unschedulable u)) {
            return Optional.empty();
        }
        String vetoes = u.chips().stream().map(c -> c.veto().toString()).distinct()
                .collect(Collectors.joining("; "));
        return Optional.of(u.summary() + (vetoes.isEmpty() ? "" : " (per chip type: " + vetoes + ")"));
    }

    private static long registeredMs(String iso) {
        try {
            return Instant.parse(iso).toEpochMilli();
        } catch (RuntimeException e) {
            return Long.MAX_VALUE; // unknown: count it as just registered
        }
    }

    private Clock clock = Clock.systemUTC();
    private long settleMs = 60_000;

    /** Refuse never-fitting jobs only once no node has registered for {@code ms} by {@code clock}. */
    public PlanService settlesAfter(long ms, Clock clock) {
        this.settleMs = ms;
        this.clock = clock;
        return this;
    }

    /** @throws ValidationException when the job spec is invalid */
    public DryRun dryRun(byte[] body, String contentType) {
        JobSpec spec = parser.parse(body, contentType);
        return new DryRun(spec, placer.place(view.current(), "dry-run", spec, policy));
    }

    /** A dry run's answer: the spec as parsed, and what placement made of it now. */
    public record DryRun(JobSpec spec, PlacementResult result) {
    }
}
