package io.tessera.scheduler.loop;

import io.tessera.config.wire.ShardReport;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.state.ClusterView;
import java.time.Clock;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each running job's predicted end, as tight as its progress reports allow.
 * <ul>
 *   <li>Remaining time is counted from when the reported step was heard, not from whenever it is
 *       asked. Counted from "now", a predicted end drifted later between reports, and each renewal
 *       of a reservation moved it later by up to a report interval. The view says which jobs'
 *       reports changed; {@link #observe} stamps them with the loop's clock once per pass.</li>
 *   <li>A report of step k heard at R bounds the end from above by R + (steps left) x step time,
 *       and from below by one step less. The tightest upper bound seen is kept; a bound more than
 *       a step later than it means the job runs slower than predicted, and replaces it.
 *       Regression: the bound of a report heard just before a step ended is a step late, and a
 *       reservation renewed on it moved a step later, so a backfill filled the gap and the gang
 *       started 3.8 s after its first estimate (the fair-share replay).</li>
 * </ul>
 * Leader-local memory: a new leader counts from when it first hears each job.
 */
final class ProgressAnchors {
    private final Clock clock;
    private final Set<String> changed = ConcurrentHashMap.newKeySet();
    private final Map<String, Long> heardAtMs = new HashMap<>();
    /** Per job: the attempt and the tightest predicted end (epoch ms) seen for it. */
    private final Map<String, long[]> tightest = new HashMap<>();

    ProgressAnchors(ClusterView view, Clock clock) {
        this.clock = clock;
        view.onReportsChanged(changed::add);
    }

    /** Forgets every anchor (a new term counts from when it first hears each job). */
    void clear() {
        heardAtMs.clear();
        tightest.clear();
    }

    /** Stamps every job whose reports changed since the last pass with the time now. */
    void observe() {
        long now = clock.millis();
        for (Iterator<String> it = changed.iterator(); it.hasNext(); ) {
            heardAtMs.put(it.next(), now);
            it.remove();
        }
    }

    /** When {@code job}, with {@code leftSec} to go by its latest report, is predicted to end; never before now. */
    long predictedEndMs(JobRecord job, Map<Integer, ShardReport> reports, double leftSec) {
        long bound = anchorMs(job, reports) + (long) Math.ceil(leftSec * 1000);
        long step = (long) Math.ceil(job.placement().stepTimeSec() * 1000);
        long[] t = tightest.get(job.id());
        if (t == null || t[0] != job.attempt() || bound - step > t[1]) {
            t = new long[] {job.attempt(), bound};
            tightest.put(job.id(), t);
        }
        t[1] = Math.min(t[1], bound);
        return Math.max(clock.millis(), t[1]);
    }

    /**
     * When {@code job}'s latest reported step was reached: when its reports last changed; its
     * placement, if its current attempt reported no step yet; else now (not heard since this
     * leader started).
     */
    private long anchorMs(JobRecord job, Map<Integer, ShardReport> reports) {
        boolean stepped = reports.values().stream().anyMatch(r -> r.attempt() == job.attempt() && r.step() != null);
        if (!stepped) {
            long placed = JobLifecycle.placedAtMs(job);
            return placed > 0 ? placed : clock.millis();
        }
        return heardAtMs.getOrDefault(job.id(), clock.millis());
    }

    /** Forgets jobs that are no longer running. */
    void retain(Set<String> running) {
        heardAtMs.keySet().retainAll(running);
        tightest.keySet().retainAll(running);
    }
}
