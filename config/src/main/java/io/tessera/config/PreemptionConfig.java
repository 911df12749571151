package io.tessera.config;

import java.util.Locale;

/**
 * How preemption chooses its victims (docs/queues.md, "Preemption"). Victims always come from the
 * lowest priority first; among equals, {@code victimOrder} decides.
 *
 * @param victimOrder    {@code cost} (the default): the least accelerator-seconds lost first, that is
 *                       each victim's devices x (the work since its last durable checkpoint + its
 *                       restart cost); {@code priority-size-start}: the smallest gang first, then the
 *                       latest started (the order Kubernetes' workload-aware preemption uses), kept so
 *                       the two can be compared on one trace
 * @param restartCostSec what one restart costs a job that neither declares {@code scheduling.restartCostSec}
 *                       nor has reported how long its checkpoints take to save: restoring its checkpoint and
 *                       starting its workers, in seconds (default 60)
 * @param maxRestartCostSec the most a restart counts, whatever a job declares or its workers report (default
 *                       600): users and workers are untrusted, and a job that claimed an hour's restart would
 *                       shift every preemption of its priority onto other teams' jobs
 */
public record PreemptionConfig(String victimOrder, Double restartCostSec, Double maxRestartCostSec) {
    /** The victim orders {@link #victimOrder} accepts. */
    public enum VictimOrder {
        COST, PRIORITY_SIZE_START;

        /** The name as configuration spells it. */
        public String spelled() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    public static final PreemptionConfig DEFAULT = new PreemptionConfig(null, null, null);

    public PreemptionConfig(String victimOrder, Double restartCostSec) {
        this(victimOrder, restartCostSec, null);
    }

    public PreemptionConfig {
        victimOrder = victimOrder == null ? VictimOrder.COST.spelled() : victimOrder;
        order(victimOrder);
        restartCostSec = restartCostSec == null ? 60.0 : restartCostSec;
        if (!(restartCostSec >= 0) || restartCostSec > 86_400) {
            throw new ValidationException("preemption.restartCostSec", "must be between 0 and 86400, got " + restartCostSec);
        }
        maxRestartCostSec = maxRestartCostSec == null ? Math.max(600.0, restartCostSec) : maxRestartCostSec;
        if (!(maxRestartCostSec >= restartCostSec) || maxRestartCostSec > 86_400) {
            throw new ValidationException("preemption.maxRestartCostSec", "must be between restartCostSec ("
                    + restartCostSec + ") and 86400, got " + maxRestartCostSec);
        }
    }

    /** The configured order. */
    public VictimOrder order() {
        return order(victimOrder);
    }

    private static VictimOrder order(String spelled) {
        for (VictimOrder o : VictimOrder.values()) {
            if (o.spelled().equals(spelled)) {
                return o;
            }
        }
        throw new ValidationException("preemption.victimOrder", "must be cost or priority-size-start, got '" + spelled + "'");
    }
}
