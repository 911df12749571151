package io.tessera.scheduler.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * One entry of a job's history.
 *
 * @param at         ISO-8601 time
 * @param type       a stable code, e.g. {@code SUBMITTED}, {@code WAITING}, {@code PLACED}, {@code NODE_LOST}
 * @param message    one sentence for people
 * @param attempt    on a {@code PLACED} event: the attempt placed; on a counted {@code RESTARTING}
 *                   event: the attempt it starts (which then backs off); null on others
 * @param shardNodes on a {@code PLACED} event: the node of each shard, by rank (where that attempt's
 *                   logs are); null on others
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobEvent(String at, EventType type, String message, Integer attempt, List<String> shardNodes) {
    public JobEvent {
        shardNodes = shardNodes == null ? null : List.copyOf(shardNodes);
    }

    public JobEvent(String at, EventType type, String message) {
        this(at, type, message, null, null);
    }
}
