package io.tessera.scheduler.service;

import io.tessera.scheduler.model.EventType;
import io.tessera.config.wire.LogEndpoint;
import io.tessera.scheduler.model.JobEvent;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.NodeRecord;
import io.tessera.scheduler.model.NodeState;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Where one attempt of one shard's log is: the node that ran it, read from the job's PLACED
 * events (each names the node of every shard) and SHARDS_REPLACED events (the layout after a lost
 * node's shards moved, same attempt; the latest wins), and that node's log endpoint. Pure.
 */
public final class LogLocator {
    private LogLocator() {
    }

    /** The outcome of a lookup. */
    public sealed interface Location permits Found, Missing, Unreachable {
    }

    /** The log is at {@code endpoint}, under {@code path}. */
    public record Found(String node, int attempt, LogEndpoint endpoint, String path) implements Location {
    }

    /** No such shard or attempt (a 404). */
    public record Missing(String reason) implements Location {
    }

    /** It exists but its node cannot serve it now (a 503). */
    public record Unreachable(String reason) implements Location {
    }

    /**
     * @param attempt the attempt asked for; null for the latest attempt the shard was placed in
     * @param nodes   the stored node records by name
     */
    public static Location locate(JobRecord job, int shard, Integer attempt, Function<String, Optional<NodeRecord>> nodes) {
        List<JobEvent> placed = job.events().stream()
                .filter(e -> (e.type() == EventType.PLACED || e.type() == EventType.SHARDS_REPLACED) && e.attempt() != null
                        && e.shardNodes() != null && shard >= 0 && shard < e.shardNodes().size())
                .filter(e -> attempt == null || e.attempt().equals(attempt)).toList();
        int most = job.events().stream().filter(x -> x.type() == EventType.PLACED && x.shardNodes() != null)
                .mapToInt(x -> x.shardNodes().size()).max().orElse(0);
        if (most > 0 && (shard < 0 || shard >= most)) { // regression: a shard the job never had was "not placed"
            return new Missing(job.id() + " has no shard " + shard + ": its shards are 0-" + (most - 1)
                    + (most == 1 ? " (one shard)" : " (" + most + " shards)"));
        }
        if (placed.isEmpty()) {
            return new Missing(attempt == null ? "shard " + shard + " of " + job.id() + " has not been placed"
                    : "shard " + shard + " of " + job.id() + " has no attempt " + attempt + " on record");
        }
        JobEvent e = placed.get(placed.size() - 1);
        String node = e.shardNodes().get(shard);
        Optional<NodeRecord> n = nodes.apply(node);
        if (n.isEmpty()) {
            return new Unreachable("node " + node + ", which ran attempt " + e.attempt() + ", is no longer registered");
        }
        if (n.get().logs() == null) {
            return new Unreachable("node " + node + " serves no logs (its agent predates the log endpoint)");
        }
        if (n.get().state() == NodeState.LOST) {
            return new Unreachable("node " + node + ", which ran attempt " + e.attempt() + ", is LOST; its logs are "
                    + "unreachable until it comes back");
        }
        return new Found(node, e.attempt(), n.get().logs(), "/logs/" + job.id() + "/" + shard + "/" + e.attempt());
    }
}
