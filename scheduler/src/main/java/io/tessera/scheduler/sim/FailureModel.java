package io.tessera.scheduler.sim;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.config.FieldReader;
import io.tessera.scheduler.placement.NodeView;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

/**
 * The {@code failures:} of a workload: failures drawn at rates, with the workload's seed, over
 * {@code untilSec} of simulated time.
 * <pre>
 * failures:
 *   untilSec: 7776000                 # draw failures over the first 90 days
 *   nodeFailuresPerNodeDay: 0.0031    # a node goes down (hardware) ...
 *   repairSec: 86400                  # ... and is back this much later
 *   workerFaultsPerDeviceDay: 0.00007 # a worker crashes on a healthy node (software), if one runs on the device
 * </pre>
 * Each node fails as a Poisson process at its rate while it is up (a node under repair does not
 * fail again); transient faults strike the fleet's devices uniformly as one Poisson process, and a
 * fault on an idle device does nothing. Deterministic for the seed.
 */
final class FailureModel {
    private static final Set<String> FIELDS = Set.of("untilSec", "nodeFailuresPerNodeDay", "repairSec",
            "workerFaultsPerDeviceDay");
    private static final double DAY_MS = 86_400_000.0;

    private FailureModel() {
    }

    /** The failures the workload's {@code failures:} draws on {@code nodes}; none without it. */
    static List<Workload.Timed> draw(FieldReader r, JsonNode doc, List<NodeView> nodes, long seed) {
        Optional<JsonNode> f = r.object(doc, "", "failures", false);
        if (f.isEmpty()) {
            return List.of();
        }
        r.rejectUnknown(f.get(), "failures", FIELDS);
        long untilMs = Math.round(r.number(f.get(), "failures", "untilSec", true, 1, 1e10).orElse(1.0) * 1000);
        double nodeRate = r.number(f.get(), "failures", "nodeFailuresPerNodeDay", false, 0, 100).orElse(0.0) / DAY_MS;
        long repairMs = Math.round(r.number(f.get(), "failures", "repairSec", false, 1, 1e9).orElse(86_400.0) * 1000);
        double faultRate = r.number(f.get(), "failures", "workerFaultsPerDeviceDay", false, 0, 100).orElse(0.0) / DAY_MS;
        Random random = new Random(seed ^ 0x5DEECE66DL);
        List<Workload.Timed> out = new ArrayList<>();
        if (nodeRate > 0) {
            for (NodeView n : nodes) {
                for (long t = next(random, 0, nodeRate); t < untilMs; t = next(random, t + repairMs, nodeRate)) {
                    out.add(new Workload.Timed(t, new SimEvent.Outage(List.of(n.name()), true)));
                    out.add(new Workload.Timed(t + repairMs, new SimEvent.Outage(List.of(n.name()), false)));
                }
            }
        }
        List<String[]> devices = devices(nodes);
        if (faultRate > 0 && !devices.isEmpty()) {
            for (long t = next(random, 0, faultRate * devices.size()); t < untilMs;
                 t = next(random, t, faultRate * devices.size())) {
                String[] d = devices.get(random.nextInt(devices.size()));
                out.add(new Workload.Timed(t, new SimEvent.DeviceFault(d[0], Integer.parseInt(d[1]))));
            }
        }
        return out;
    }

    /** The next arrival after {@code fromMs} of a Poisson process of {@code perMs}. */
    private static long next(Random random, long fromMs, double perMs) {
        return fromMs + 1 + Math.round(-Math.log(1 - random.nextDouble()) / perMs);
    }

    private static List<String[]> devices(List<NodeView> nodes) {
        List<String[]> out = new ArrayList<>();
        for (NodeView n : nodes) {
            n.freeDevices().values().forEach(ids -> ids.forEach(i -> out.add(new String[] {n.name(), Integer.toString(i)})));
        }
        return out;
    }
}
