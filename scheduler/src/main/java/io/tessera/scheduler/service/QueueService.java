package io.tessera.scheduler.service;

import io.tessera.scheduler.state.QueueStore;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tessera.config.ChipCatalog;
import io.tessera.config.ChipType;
import io.tessera.config.ConfigLoader;
import io.tessera.config.Documents;
import io.tessera.config.Precision;
import io.tessera.config.QueueSpec;
import io.tessera.config.ValidationException;
import io.tessera.config.wire.DeviceReport;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.NodeRecord;
import io.tessera.scheduler.model.NodeState;
import io.tessera.scheduler.policy.FairShare;
import io.tessera.scheduler.policy.QueueUsage;
import io.tessera.scheduler.policy.QuotaCharge;
import io.tessera.scheduler.policy.QuotaPolicy;
import io.tessera.scheduler.state.ClusterView;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Queue definitions and what each queue holds: what {@code /v1/queues} serves. Definitions from
 * the scheduler config are written at start ({@link #define}); admins change them through the
 * API, and they are durable like jobs. Blocking; callers keep it off event loops.
 */
public final class QueueService {
    private final QueueStore store;
    private final ClusterView view;
    private final ChipCatalog catalog;

    /** Jobs and nodes are read from this member's {@code view} (refreshed first), not decoded from the store. */
    public QueueService(QueueStore store, ClusterView view, ChipCatalog catalog) {
        this.store = store;
        this.view = view;
        this.catalog = catalog;
    }

    /** Writes the configured queues (a config definition replaces one stored under the same name). */
    public void define(List<QueueSpec> configured) {
        configured.forEach(store::putQueue);
    }

    /** Every queue with its usage: the defined ones, and {@code default} and any queue live jobs name. */
    public List<QueueStatus> list() {
        Map<String, QueueSpec> queues = store.queues();
        view.refresh();
        Collection<JobRecord> jobs = view.jobs();
        Map<String, QueueSpec> shown = new TreeMap<>(queues);
        shown.putIfAbsent(QueueSpec.DEFAULT, QueueSpec.open(QueueSpec.DEFAULT));
        jobs.forEach(j -> shown.putIfAbsent(j.spec().queue(), QueueSpec.open(j.spec().queue())));
        QueueUsage usage = QueueUsage.of(jobs, catalog);
        Map<String, Double> shares = shares(shown, queues, usage, jobs);
        List<QueueStatus> out = new ArrayList<>();
        shown.values().forEach(q -> out.add(status(q, usage, shares, jobs)));
        return out;
    }

    public Optional<QueueStatus> get(String name) {
        return list().stream().filter(s -> s.queue().name().equals(name)).findFirst();
    }

    /**
     * Creates or replaces queue {@code name} from a JSON or YAML body; a {@code name} in the body
     * must match the path's.
     *
     * @throws ValidationException naming the bad field
     */
    public QueueSpec put(String name, byte[] body, String contentType) {
        JsonNode doc = Documents.parse(body, contentType);
        if (!doc.isObject()) {
            throw new ValidationException("$", "a queue must be a mapping of fields, got " + doc.getNodeType());
        }
        if (doc.hasNonNull("name") && !doc.get("name").asText().equals(name)) {
            throw new ValidationException("name", "is '" + doc.get("name").asText() + "' but the path names '" + name + "'");
        }
        ((ObjectNode) doc).put("name", name);
        QueueSpec queue = ConfigLoader.bind(doc, QueueSpec.class);
        store.putQueue(queue);
        return queue;
    }

    public boolean delete(String name) {
        return store.deleteQueue(name);
    }

    private QueueStatus status(QueueSpec q, QueueUsage usage, Map<String, Double> shares, Collection<JobRecord> jobs) {
        QuotaCharge used = usage.of(q.name());
        long pendingDevices = 0;
        int pending = 0;
        for (JobRecord j : jobs) {
            if (j.spec().queue().equals(q.name()) && !j.state().terminal() && !j.state().active()) {
                pending++;
                pendingDevices += (long) j.spec().shards().min() * j.spec().devicesPerShard();
            }
        }
        Map<String, Double> users = new TreeMap<>();
        usage.byUser().getOrDefault(q.name(), Map.of()).forEach((u, c) -> users.put(u, c.tflops()));
        return new QueueStatus(q, used.tflops(), used.devices(), QuotaPolicy.borrowed(q, usage),
                shares.getOrDefault(q.name(), 0.0), pending, pendingDevices, users);
    }

    /** Fair shares of the fleet among the queues that hold or wait for capacity. */
    private Map<String, Double> shares(Map<String, QueueSpec> shown, Map<String, QueueSpec> queues, QueueUsage usage,
                                       Collection<JobRecord> jobs) {
        Map<String, Double> weights = new HashMap<>();
        Map<String, Double> caps = new HashMap<>();
        for (JobRecord j : jobs) {
            QueueSpec q = shown.get(j.spec().queue());
            if (!j.state().terminal() && !weights.containsKey(q.name())) {
                weights.put(q.name(), q.weight());
                caps.put(q.name(), usage.of(q.name()).tflops() + QuotaPolicy.headroom(q, queues, usage));
            }
        }
        return FairShare.shares(capacity(), weights, caps);
    }

    /** The fleet's normalized TFLOPS: every healthy device of a ready, undrained node, at BF16 (or FP16). */
    private double capacity() {
        double total = 0;
        for (NodeRecord n : view.nodes()) {
            if (n.state() != NodeState.READY || n.drained()) {
                continue;
            }
            for (DeviceReport d : n.devices()) {
                Optional<ChipType> chip = d.healthy() ? catalog.byId(d.chipType()) : Optional.empty();
                if (chip.isPresent()) {
                    Precision p = chip.get().supports(Precision.BF16) ? Precision.BF16 : Precision.FP16;
                    total += QuotaCharge.perDevice(chip.get(), p);
                }
            }
        }
        return total;
    }
}
