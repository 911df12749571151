package io.tessera.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A {@link JobSpec} written back in the submission format that {@link JobSpecParser} reads, so a
 * spec fetched from the API can be submitted again as it is. Contract: for every spec {@code s}
 * without secrets, {@code parser.parse(of(s))} equals {@code s}; secret values come back as
 * {@link JobSpec#REDACTED}, which the parser refuses, so a secret is never silently replaced.
 * Fields at their default are left out.
 */
public final class JobSpecDocument {
    private JobSpecDocument() {
    }

    /** The document for {@code spec}, secret values redacted. */
    public static Map<String, Object> of(JobSpec spec) {
        JobSpec s = spec.redacted();
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("name", s.name());
        d.put("queue", s.queue());
        d.put("priority", s.priority());
        d.put("command", s.command());
        putIf(d, "args", s.args(), !s.args().isEmpty());
        putIf(d, "env", s.env(), !s.env().isEmpty());
        putIf(d, "secretEnv", s.secretEnv(), !s.secretEnv().isEmpty());
        putIf(d, "shell", true, s.shell());
        putIf(d, "image", s.image(), s.image() != null);
        putIf(d, "variants", variants(s.variants()), !s.variants().isEmpty());
        d.put("shards", s.shards().elastic() ? Map.of("min", s.shards().min(), "max", s.shards().max()) : s.shards().min());
        d.put("devicesPerShard", s.devicesPerShard());
        workload(d, s.workload());
        d.put("globalBatch", s.globalBatch());
        d.put("precisions", s.precisions().stream().map(Precision::wireName).toList());
        putIf(d, "precisionPolicy", s.precisionPolicy().wireName(), s.precisionPolicy() != PrecisionPolicy.UNIFORM);
        vendorPolicy(d, s.vendorPolicy());
        putIf(d, "chipTypes", s.chipTypes(), !s.chipTypes().isEmpty());
        putIf(d, "efficiency", s.efficiency(), !s.efficiency().isEmpty());
        putIf(d, "checkpointDir", s.checkpointDir(), s.checkpointDir() != null);
        d.put("restartLimit", s.restartLimit());
        scheduling(d, s.scheduling());
        return d;
    }

    private static Map<String, Object> variants(Map<String, WorkerVariant> variants) {
        Map<String, Object> out = new LinkedHashMap<>();
        new TreeMap<>(variants).forEach((k, v) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            putIf(m, "image", v.image(), v.image() != null);
            putIf(m, "command", v.command(), v.command() != null);
            putIf(m, "args", v.args(), v.args() != null);
            putIf(m, "env", v.env(), v.env() != null);
            out.put(k, m);
        });
        return out;
    }

    private static void workload(Map<String, Object> d, JobSpec.Workload w) {
        if (w.parameters() != null) {
            d.put("model", Map.of("parameters", w.parameters(), "tokensPerSample", w.tokensPerSample()));
        } else {
            d.put("flopsPerSample", w.flopsPerSample());
        }
        putIf(d, "memoryPerShardGiB", w.memoryPerShardGiB(), w.memoryPerShardGiB() != null);
        putIf(d, "activationGiBPerSample", w.activationGiBPerSample(), w.activationGiBPerSample() != null);
    }

    private static void vendorPolicy(Map<String, Object> d, JobSpec.VendorPolicy v) {
        Map<String, Object> m = new LinkedHashMap<>();
        putIf(m, "maxVendorShare", v.maxVendorShare(), v.maxVendorShare() != null);
        putIf(m, "minVendors", v.minVendors(), v.minVendors() != null);
        putIf(d, "vendorPolicy", m, !m.isEmpty());
        putIf(d, "vendors", v.vendors(), !v.vendors().isEmpty());
        putIf(d, "excludeVendors", v.excludeVendors(), !v.excludeVendors().isEmpty());
    }

    private static void scheduling(Map<String, Object> d, JobSpec.Scheduling s) {
        Map<String, Object> m = new LinkedHashMap<>();
        putIf(m, "steps", s.steps(), s.steps() != null);
        putIf(m, "preemptible", s.preemptible(), s.preemptible() != null);
        putIf(m, "restartCostSec", s.restartCostSec(), s.restartCostSec() != null);
        putIf(d, "scheduling", m, !m.isEmpty());
        putIf(d, "recovery", Map.of("processRestarts", s.recoveryOrNone().processRestarts(),
                "shardReplacements", s.recoveryOrNone().shardReplacements()), s.recovery() != null);
        putIf(d, "allowUnschedulable", s.allowUnschedulable(), s.allowUnschedulable() != null);
        putIf(d, "resumeFrom", s.resumeFrom(), s.resumeFrom() != null);
        putIf(d, "profileKey", s.profileKey(), s.profileKey() != null);
    }

    private static void putIf(Map<String, Object> d, String key, Object value, boolean present) {
        if (present) {
            d.put(key, value instanceof List<?> l ? List.copyOf(l) : value);
        }
    }
}
