package io.tessera.scheduler.policy;

import io.tessera.config.QueueSpec;
import java.util.Locale;
import java.util.Map;

/**
 * Whether a queue may take on a charge, in the model of Kueue's nominal quota and borrowing
 * limit, but in normalized TFLOPS rather than per-resource counts:
 * <ul>
 *   <li>a queue without a TFLOPS quota is not limited in TFLOPS;</li>
 *   <li>a queue with one and no cohort may hold up to its quota;</li>
 *   <li>in a cohort, it may hold up to its quota plus its borrowing limit (unbounded by default),
 *       as long as the cohort's limited queues together stay within the sum of their quotas: what
 *       one borrows is what the others leave unused;</li>
 *   <li>device quotas (by vendor or chip type) are hard limits and are never borrowed.</li>
 * </ul>
 * Pure.
 */
public final class QuotaPolicy {
    private QuotaPolicy() {
    }

    /** The answer: admitted, or refused with the quota field that binds and why. */
    public sealed interface Admission {
        /** Admitted; {@code borrowedTflops} is how far beyond its own quota the queue will then be. */
        record Admit(double borrowedTflops) implements Admission {
        }

        /** Refused: taking the charge would break the limit named by {@code field}. */
        record Refuse(String field, String reason) implements Admission {
        }
    }

    /** Whether {@code queue} may add {@code charge} to what {@code usage} says it holds. */
    public static Admission admit(QueueSpec queue, Map<String, QueueSpec> queues, QueueUsage usage, QuotaCharge charge) {
        QuotaCharge used = usage.of(queue.name());
        for (Map.Entry<String, Integer> limit : queue.quota().devices().entrySet()) {
            int after = used.devices().getOrDefault(limit.getKey(), 0) + charge.devices().getOrDefault(limit.getKey(), 0);
            if (charge.devices().containsKey(limit.getKey()) && after > limit.getValue()) {
                return new Admission.Refuse("quota.devices." + limit.getKey(), String.format(Locale.ROOT,
                        "queue %s would hold %d %s devices; its quota is %d", queue.name(), after, limit.getKey(),
                        limit.getValue()));
            }
        }
        double room = headroom(queue, queues, usage);
        if (charge.tflops() > room + 1e-9) {
            return new Admission.Refuse("quota.tflops", String.format(Locale.ROOT,
                    "queue %s holds %.0f of its %.0f normalized TFLOPS%s; this placement needs %.0f more",
                    queue.name(), used.tflops(), queue.quota().tflops(), cohortNote(queue, queues, usage),
                    charge.tflops()));
        }
        double quota = queue.quota().tflops() == null ? Double.POSITIVE_INFINITY : queue.quota().tflops();
        return new Admission.Admit(Math.max(0, used.tflops() + charge.tflops() - quota));
    }

    /** How many more normalized TFLOPS the queue may take now; infinite without a TFLOPS quota. */
    public static double headroom(QueueSpec queue, Map<String, QueueSpec> queues, QueueUsage usage) {
        Double quota = queue.quota().tflops();
        if (quota == null) {
            return Double.POSITIVE_INFINITY;
        }
        double used = usage.of(queue.name()).tflops();
        if (queue.cohort() == null) {
            return quota - used;
        }
        double own = queue.borrowingLimit() == null ? Double.POSITIVE_INFINITY : quota + queue.borrowingLimit() - used;
        return Math.min(own, cohortQuota(queue.cohort(), queues) - cohortUsed(queue.cohort(), queues, usage));
    }

    /** What {@code queue} holds beyond its own TFLOPS quota: borrowed from its cohort. */
    public static double borrowed(QueueSpec queue, QueueUsage usage) {
        Double quota = queue.quota().tflops();
        return quota == null ? 0 : Math.max(0, usage.of(queue.name()).tflops() - quota);
    }

    /** The sum of the TFLOPS quotas of the cohort's queues. */
    public static double cohortQuota(String cohort, Map<String, QueueSpec> queues) {
        return queues.values().stream().filter(q -> cohort.equals(q.cohort()) && q.quota().tflops() != null)
                .mapToDouble(q -> q.quota().tflops()).sum();
    }

    private static double cohortUsed(String cohort, Map<String, QueueSpec> queues, QueueUsage usage) {
        return queues.values().stream().filter(q -> cohort.equals(q.cohort()) && q.quota().tflops() != null)
                .mapToDouble(q -> usage.of(q.name()).tflops()).sum();
    }

    private static String cohortNote(QueueSpec queue, Map<String, QueueSpec> queues, QueueUsage usage) {
        if (queue.cohort() == null) {
            return "";
        }
        return String.format(Locale.ROOT, " (cohort %s: %.0f of %.0f in use)", queue.cohort(),
                cohortUsed(queue.cohort(), queues, usage), cohortQuota(queue.cohort(), queues));
    }
}
