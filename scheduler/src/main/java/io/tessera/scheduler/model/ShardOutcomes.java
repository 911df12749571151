package io.tessera.scheduler.model;

import io.tessera.config.wire.ShardPhase;
import io.tessera.config.wire.ShardReport;
import java.util.Collection;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;

/**
 * How the shards of one attempt ended, read from their reports. Pure.
 * <ul>
 *   <li>The first failure is the failed shard whose worker ended first by its agent's clock (ties
 *       and reports without a time go by rank): that is the one to look at, since the others
 *       usually fail <em>because</em> it did (a broken all-reduce).</li>
 *   <li>An exit code above 128 is a signal, {@code 128 + N}, as shells and the JVM report it.</li>
 * </ul>
 */
public final class ShardOutcomes {
    private static final Map<Integer, String> SIGNALS = Map.ofEntries(Map.entry(1, "SIGHUP"), Map.entry(2, "SIGINT"),
            Map.entry(3, "SIGQUIT"), Map.entry(4, "SIGILL"), Map.entry(6, "SIGABRT"), Map.entry(7, "SIGBUS"),
            Map.entry(8, "SIGFPE"), Map.entry(9, "SIGKILL"), Map.entry(11, "SIGSEGV"), Map.entry(13, "SIGPIPE"),
            Map.entry(14, "SIGALRM"), Map.entry(15, "SIGTERM"), Map.entry(24, "SIGXCPU"), Map.entry(25, "SIGXFSZ"));

    /** How one shard ended. */
    public enum Outcome {
        /** Still running, or not reported yet. */
        RUNNING,
        SUCCEEDED,
        /** The first shard of the attempt to fail. */
        FAILED,
        /** Failed after another shard of its gang had already failed: most likely because of it. */
        PEER_FAILED,
        /** Stopped by Tessera (a cancel, a restart, a preemption, or the gang failing elsewhere). */
        STOPPED,
        /** Never started: Tessera's machinery on the node could not launch it (the node's fault, not the job's). */
        FAILED_TO_START,
        /** Never started: the agent refused, as the job's spec is at fault (its checkpoint directory). */
        REFUSED
    }

    private ShardOutcomes() {
    }

    public static boolean failed(ShardReport r) {
        return r.phase() == ShardPhase.FAILED_TO_START || r.phase() == ShardPhase.REFUSED || r.phase() == ShardPhase.KILLED
                || (r.phase() == ShardPhase.EXITED && (r.exitCode() == null || r.exitCode() != 0));
    }

    /** The attempt's first failure, if any shard failed. */
    public static Optional<ShardReport> firstFailure(Collection<ShardReport> attempt) {
        return attempt.stream().filter(ShardOutcomes::failed)
                .min(Comparator.comparingLong((ShardReport r) -> r.exit() == null ? Long.MAX_VALUE : r.exit().atMs())
                        .thenComparingInt(ShardReport::shard));
    }

    /** {@code r}'s outcome, given its attempt's first failure. */
    public static Outcome of(ShardReport r, Optional<ShardReport> first) {
        if (r == null || !r.phase().terminal()) {
            return Outcome.RUNNING;
        }
        if (r.phase() == ShardPhase.FAILED_TO_START || r.phase() == ShardPhase.REFUSED) {
            return first.filter(f -> f.shard() == r.shard()).isEmpty() ? Outcome.STOPPED
                    : r.phase() == ShardPhase.REFUSED ? Outcome.REFUSED : Outcome.FAILED_TO_START;
        }
        if (!failed(r)) {
            return Outcome.SUCCEEDED;
        }
        if (first.isPresent() && first.get().shard() == r.shard()) {
            return Outcome.FAILED;
        }
        return r.phase() == ShardPhase.KILLED ? Outcome.STOPPED : Outcome.PEER_FAILED;
    }

    /** The signal an exit code stands for, e.g. {@code SIGKILL} for 137; empty for a plain exit. */
    public static Optional<String> signal(Integer exitCode) {
        if (exitCode == null || exitCode <= 128 || exitCode > 128 + 64) {
            return Optional.empty();
        }
        return Optional.of(SIGNALS.getOrDefault(exitCode - 128, "signal " + (exitCode - 128)));
    }

    /** One sentence on how a failed shard ended: its exit code or signal, and its last line of output. */
    public static String describe(ShardReport r) {
        String how = switch (r.phase()) {
            case FAILED_TO_START -> "was not started by Tessera's agent (a fault of the node, not of the job): " + r.message();
            case REFUSED -> "was not started: " + r.message();
            case KILLED -> "was killed unexpectedly" + (r.message() == null ? "" : ": " + r.message());
            default -> signal(r.exitCode()).map(s -> "was killed by " + s + " (exit code " + r.exitCode() + ")")
                    .orElse("exited with code " + (r.exitCode() == null ? "unknown" : r.exitCode()));
        };
        String last = r.exit() == null || r.exit().tail().isEmpty() ? ""
                : "; its last output line: " + clip(r.exit().tail().get(r.exit().tail().size() - 1));
        return "shard " + r.shard() + " " + how + last;
    }

    private static String clip(String line) {
        String clean = line.replaceAll("\\p{Cntrl}", " ").strip();
        return clean.length() > 200 ? clean.substring(0, 200) + "..." : clean;
    }
}
