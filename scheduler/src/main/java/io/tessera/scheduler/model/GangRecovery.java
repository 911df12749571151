package io.tessera.scheduler.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;
import java.util.TreeMap;

/**
 * The restarts in place of a job's current attempt (the process rung of the recovery ladder):
 * each shard's incarnation, and the shards whose restarted worker has not yet been seen running.
 * Immutable; a new attempt starts from {@link #NONE}. The gang's generation, which workers
 * rejoin at, is the sum of the incarnations, so it is derived, never stored twice.
 *
 * @param incarnations by shard, how many times its worker was restarted in place at this attempt (absent: 0)
 * @param downSinceMs  by shard, when (epoch ms, the agent's clock) the worker that was restarted exited,
 *                     until its next incarnation is reported running: what the rung cost is measured from
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record GangRecovery(Map<Integer, Integer> incarnations, Map<Integer, Long> downSinceMs) {
    public static final GangRecovery NONE = new GangRecovery(Map.of(), Map.of());

    public GangRecovery {
        incarnations = incarnations == null ? Map.of() : Map.copyOf(incarnations);
        downSinceMs = downSinceMs == null ? Map.of() : Map.copyOf(downSinceMs);
    }

    /** How many times {@code shard}'s worker was restarted in place at this attempt. */
    public int incarnation(int shard) {
        return incarnations.getOrDefault(shard, 0);
    }

    /** The gang's generation: restarts in place so far at this attempt, over every shard. */
    @JsonIgnore
    public int generation() {
        return incarnations.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** {@code shard}'s worker, which exited at {@code exitedAtMs}, is started again as its next incarnation. */
    public GangRecovery restarted(int shard, long exitedAtMs) {
        Map<Integer, Integer> inc = new TreeMap<>(incarnations);
        inc.merge(shard, 1, Integer::sum);
        Map<Integer, Long> down = new TreeMap<>(downSinceMs);
        down.put(shard, exitedAtMs);
        return new GangRecovery(inc, down);
    }

    /** {@code shard}'s restarted worker runs again. */
    public GangRecovery back(int shard) {
        Map<Integer, Long> down = new TreeMap<>(downSinceMs);
        down.remove(shard);
        return new GangRecovery(incarnations, down);
    }
}
