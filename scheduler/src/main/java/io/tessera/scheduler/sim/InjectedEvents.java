package io.tessera.scheduler.sim;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.config.ChipCatalog;
import io.tessera.config.FieldReader;
import io.tessera.scheduler.placement.NodeView;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The {@code events:} of a workload file, each at {@code at} seconds:
 * <pre>
 * - {at: 3600, down: {vendor: nvidia}, forSec: 1800}   # or chipType: ID, nodes: [NAME...], namePrefix: P
 * - {at: 120, fail: {job: job-00003, shard: 0}}          # that shard's worker exits with code 1
 * - {at: 300, preempt: {job: job-00002}}                 # preempted as the scheduler preempts
 * </pre>
 * An outage stops the nodes' heartbeats, so the scheduler declares them lost after its timeout;
 * with {@code forSec} they come back and register again.
 */
final class InjectedEvents {
    private static final Set<String> FIELDS = Set.of("at", "down", "forSec", "fail", "preempt");

    private InjectedEvents() {
    }

    static List<Workload.Timed> parse(JsonNode doc, String file, List<NodeView> nodes, ChipCatalog catalog,
                                      List<String> jobIds) {
        FieldReader r = new FieldReader();
        List<Workload.Timed> out = new ArrayList<>();
        Set<String> ids = Set.copyOf(jobIds);
        r.list(doc, "", "events", false, 100_000, (e, at) -> {
            r.rejectUnknown(e, at, FIELDS);
            long ms = Math.round(r.number(e, at, "at", true, 0, 1e10).orElse(0.0) * 1000);
            int kinds = (e.has("down") ? 1 : 0) + (e.has("fail") ? 1 : 0) + (e.has("preempt") ? 1 : 0);
            if (kinds != 1) {
                r.error(at, "give exactly one of down, fail and preempt");
                return null;
            }
            if (e.has("down")) {
                List<String> hit = select(r, e.get("down"), at + ".down", nodes, catalog);
                long forMs = r.number(e, at, "forSec", false, 0.001, 1e10).map(f -> Math.round(f * 1000)).orElse(-1L);
                out.add(new Workload.Timed(ms, new SimEvent.Outage(hit, true, describe(e.get("down")), forMs)));
                if (forMs > 0) {
                    out.add(new Workload.Timed(ms + forMs, new SimEvent.Outage(hit, false)));
                }
            } else {
                JsonNode t = e.has("fail") ? e.get("fail") : e.get("preempt");
                String tat = at + (e.has("fail") ? ".fail" : ".preempt");
                r.rejectUnknown(t, tat, e.has("fail") ? Set.of("job", "shard") : Set.of("job"));
                String job = r.string(t, tat, "job", true, 63).orElse("");
                if (!job.isEmpty() && !ids.contains(job)) {
                    r.error(tat + ".job", "no job '" + job + "' in the workload");
                }
                int shard = r.integer(t, tat, "shard", false, 0, 100_000).orElse(0L).intValue();
                out.add(new Workload.Timed(ms, e.has("fail") ? new SimEvent.ShardFault(job, shard) : new SimEvent.Preempt(job)));
            }
            return null;
        });
        WorkloadFile.check(r, file);
        return out;
    }

    /** A selection as people read it: {@code vendor nvidia}, {@code chipType acme-tpx1}, ... */
    private static String describe(JsonNode sel) {
        List<String> parts = new ArrayList<>();
        sel.fields().forEachRemaining(f -> parts.add(f.getKey() + " " + (f.getValue().isTextual() ? f.getValue().asText()
                : f.getValue().toString())));
        return String.join(", ", parts);
    }

    private static List<String> select(FieldReader r, JsonNode sel, String at, List<NodeView> nodes, ChipCatalog catalog) {
        r.rejectUnknown(sel, at, Set.of("vendor", "chipType", "nodes", "namePrefix"));
        String vendor = r.string(sel, at, "vendor", false, 64).orElse(null);
        String chip = r.string(sel, at, "chipType", false, 64).orElse(null);
        String prefix = r.string(sel, at, "namePrefix", false, 128).orElse(null);
        List<String> names = r.list(sel, at, "nodes", false, 100_000, (n, p) -> n.asText()).orElse(null);
        List<String> hit = new ArrayList<>();
        for (NodeView n : nodes) {
            String c = n.freeDevices().keySet().iterator().next();
            String v = catalog.byId(c).map(x -> x.vendor()).orElse("");
            if ((vendor == null || vendor.equals(v)) && (chip == null || chip.equals(c))
                    && (prefix == null || n.name().startsWith(prefix)) && (names == null || names.contains(n.name()))) {
                hit.add(n.name());
            }
        }
        if (hit.isEmpty()) {
            r.error(at, "selects no node of the cluster");
        }
        return hit;
    }
}
