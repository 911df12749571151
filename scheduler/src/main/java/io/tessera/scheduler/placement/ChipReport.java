package io.tessera.scheduler.placement;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What placement concluded about one chip type: used (with its per-shard throughput) or vetoed.
 *
 * @param chipType               catalog id
 * @param shards                 shards placed on it
 * @param precision              the precision it runs (or would run) at; null if unusable
 * @param samplesPerSecPerShard  predicted per-shard throughput at that precision; null if unusable
 * @param veto                   why it was not used; null when used
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChipReport(String chipType, int shards, String precision, Double samplesPerSecPerShard, Veto veto) {
}
