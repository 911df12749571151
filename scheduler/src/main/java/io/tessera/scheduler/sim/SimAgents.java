package io.tessera.scheduler.sim;

import io.tessera.config.ChipCatalog;
import io.tessera.config.wire.ShardPhase;
import io.tessera.config.wire.ShardReport;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.JobState;
import io.tessera.scheduler.placement.PlacementResult.Plan;
import io.tessera.scheduler.placement.ShardPlan;
import io.tessera.scheduler.state.ClusterStore;
import io.tessera.scheduler.state.ClusterView;
import io.tessera.scheduler.state.JobHistory;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The simulated node agents and their workers. They watch cluster state as real agents do and
 * answer with shard reports through the store, as real agents' heartbeats would: a placed attempt
 * starts after the start-up delay and reports RUNNING; it finishes after its remaining steps x
 * the step time of the placement that actually ran ({@link StepModel}) and reports EXITED 0; a
 * preempted attempt stops training at the SIGTERM, checkpoints its last completed step and exits
 * after the stop delay (unless the workload says workers do not checkpoint on stopping: then it
 * keeps only its last periodic checkpoint). A worker
 * failure or a lost node loses the work since the last periodic checkpoint, unless the scheduler
 * restarts the failed worker in place (the process rung): then the gang stands still until the
 * worker has started again and loses nothing. Single-threaded.
 */
final class SimAgents {
    private final ClusterStore store;
    private final ClusterView view;
    private final JobHistory history;
    private final ChipCatalog catalog;
    private final StepModel steps;
    private final EventQueue events;
    private final SimRecorder recorder;
    private final RecoveryStats recovery;
    private final Workload.Options options;
    private final Map<String, SimJob> jobs = new TreeMap<>();
    private final Map<String, Long> done = new TreeMap<>();
    private final Map<String, SimAttempt> current = new TreeMap<>();
    private final Set<String> changed = new LinkedHashSet<>();
    private final Set<String> downNodes = new HashSet<>();
    private long changes;

    SimAgents(ClusterStore store, ClusterView view, JobHistory history, ChipCatalog catalog, StepModel steps,
              EventQueue events, SimRecorder recorder, RecoveryStats recovery, Workload.Options options) {
        this.recovery = recovery;
        this.store = store;
        this.view = view;
        this.history = history;
        this.catalog = catalog;
        this.steps = steps;
        this.events = events;
        this.recorder = recorder;
        this.options = options;
        store.onChange(new ClusterStore.ChangeListener() {
            @Override
            public void jobChanged(String id) {
                changed.add(id);
                changes++;
            }
        });
    }

    void submitted(SimJob job) {
        jobs.put(job.id(), job);
        done.put(job.id(), 0L);
    }

    /** How many job changes the store has reported so far. */
    long changes() {
        return changes;
    }

    boolean anyActive() {
        return !current.isEmpty();
    }

    /** Answers what the scheduler's pass changed: attempts placed, preempted, requeued or finished. */
    void react(long nowMs) {
        while (!changed.isEmpty()) {
            List<String> ids = new ArrayList<>(changed);
            changed.clear();
            for (String id : ids) {
                Optional<JobRecord> rec = store.job(id).or(() -> history.get(id));
                if (rec.isPresent() && jobs.containsKey(id)) {
                    seen(rec.get(), nowMs);
                }
            }
        }
    }

    private void seen(JobRecord job, long nowMs) {
        SimAttempt a = current.get(job.id());
        boolean placed = job.state() == JobState.PLACED || job.state() == JobState.RUNNING;
        if (a != null && (a.number != job.attempt() || !placed && job.state() != JobState.PREEMPTING)) {
            end(job.id(), a, job.state().terminal(), nowMs);
            a = null;
        }
        if (a != null && a.number == job.attempt() && job.recovery().generation() > a.generation) {
            restartInPlace(job, a, nowMs);
        }
        if ((placed || job.state() == JobState.PREEMPTING) && a == null) { // PREEMPTING: placed and told to stop in one pass
            SimAttempt next = new SimAttempt(job.attempt(), job.placement());
            current.put(job.id(), next);
            recorder.placed(job.id(), next.number, next.plan, nowMs);
            events.at(nowMs + Math.round(options.startupSec() * 1000), new SimEvent.Started(job.id(), next.number));
            a = next;
        }
        if (job.state() == JobState.PREEMPTING && a != null && !a.stopping) {
            a.stopping = true; // SIGTERM: the workers checkpoint their last completed step, then exit
            if (a.frozenAtMs < 0) {
                a.frozenAtMs = nowMs;
            }
            events.at(nowMs + Math.round(options.stopSec() * 1000), new SimEvent.Stopped(job.id(), a.number));
        }
        if (job.state() == JobState.QUEUED) {
            recorder.queued(job.id(), nowMs);
        } else if (job.state().terminal()) {
            recorder.finished(job.id(), job.state(), nowMs);
        }
    }

    /**
     * The scheduler took the process rung (the failed workers start again in place) or the shard rung
     * (a lost node's shards start again elsewhere) after the start-up delay, and the survivors, which
     * kept their state, wait for them. The gang loses no work, only
     * the time it stands still ({@link SimEvent.Rejoined}).
     */
    private void restartInPlace(JobRecord job, SimAttempt a, long nowMs) {
        a.generation = job.recovery().generation();
        a.incarnations = job.recovery().incarnations();
        if (job.placement() != null && !job.placement().equals(a.plan)) { // the shard rung: same chips, other nodes
            a.plan = job.placement();
            a.rejoining = RecoveryStats.Rung.SHARD;
        } else {
            a.rejoining = RecoveryStats.Rung.PROCESS;
        }
        if (a.frozenAtMs >= 0 && !a.stopping) {
            a.lostWork = false;
            events.cancel(new SimEvent.Finished(job.id(), a.number));
            events.at(nowMs + Math.round(options.startupSec() * 1000), new SimEvent.Rejoined(job.id(), a.number,
                    a.generation));
        }
    }

    /** The workers restarted in place run again and the gang re-formed: training resumes where it stood. */
    void rejoined(String id, int attempt, int generation, long nowMs) {
        SimAttempt a = current.get(id);
        if (a == null || a.number != attempt || a.generation != generation || a.stopping || a.frozenAtMs < 0
                || a.lostWork || a.startedAtMs < 0) {
            return;
        }
        a.pausedMs += nowMs - a.frozenAtMs;
        a.frozenAtMs = -1;
        recovery.resumed(id, a.rejoining, nowMs);
        long at = done.get(id) + (long) Math.floor(a.trainedMs(nowMs) / 1000.0 / a.stepSec);
        report(id, a, ShardPhase.RUNNING, null, Math.min(jobs.get(id).steps(), at), -1);
        long left = Math.max(0, jobs.get(id).steps() - at);
        events.at(nowMs + (long) Math.ceil(left * a.stepSec * 1000), new SimEvent.Finished(id, attempt));
    }

    /**
     * The attempt's devices are gone. Its work counts in full when it finished or was stopped
     * (SIGTERM: the workers checkpoint), else up to its last periodic checkpoint: a failure, a
     * lost node, or a move to a better plan (which happens right after a checkpoint).
     */
    private void end(String id, SimAttempt a, boolean terminal, long nowMs) {
        current.remove(id);
        events.cancel(new SimEvent.Started(id, a.number));
        events.cancel(new SimEvent.Finished(id, a.number));
        events.cancel(new SimEvent.Stopped(id, a.number));
        SimRecorder.Ending ending = a.stopping ? SimRecorder.Ending.PREEMPTED : a.lostWork ? SimRecorder.Ending.FAILED
                : terminal ? SimRecorder.Ending.FINISHED : SimRecorder.Ending.MOVED;
        recorder.released(id, a.plan, ending, nowMs);
        if (a.startedAtMs < 0) {
            return;
        }
        SimJob job = jobs.get(id);
        long until = a.frozenAtMs >= 0 ? a.frozenAtMs : nowMs;
        long full = Math.max(0, Math.min(job.steps() - done.get(id),
                (long) Math.floor(a.trainedMs(until) / 1000.0 / a.stepSec)));
        long run = full;
        boolean stoppedUnsaved = a.stopping && !options.checkpointOnStop();
        if (a.lostWork || stoppedUnsaved || !a.stopping && !terminal) {
            run = a.every > 0 ? run / a.every * a.every : a.lostWork || stoppedUnsaved ? 0 : run;
        }
        recorder.lost(ending, (full - run) * a.stepSec * devices(a.plan));
        recovery.trained(id, a.startedAtMs, a.pausedMs, run * a.stepSec, devices(a.plan));
        done.merge(id, Math.max(0, run), Long::sum);
    }

    void started(String id, int attempt, long nowMs) {
        SimAttempt a = current.get(id);
        if (a == null || a.number != attempt || a.stopping || a.frozenAtMs >= 0) {
            return;
        }
        SimJob job = jobs.get(id);
        a.startedAtMs = nowMs;
        a.stepSec = steps.stepSec(job.spec(), a.plan, catalog, job.timeScale());
        double everySec = job.checkpointEverySec() > 0 ? job.checkpointEverySec() : options.checkpointEverySec();
        a.every = job.checkpointEverySteps() > 0 ? job.checkpointEverySteps() : everySec > 0
                ? Math.max(1, Math.round(everySec / a.stepSec)) : 0;
        recorder.started(id, nowMs);
        recovery.resumed(id, RecoveryStats.Rung.GANG, nowMs);
        report(id, a, ShardPhase.RUNNING, null, done.get(id), -1);
        long left = job.steps() - done.get(id);
        events.at(nowMs + (long) Math.ceil(left * a.stepSec * 1000), new SimEvent.Finished(id, attempt));
    }

    void finished(String id, int attempt, long nowMs) {
        SimAttempt a = current.get(id);
        if (a != null && a.number == attempt && !a.stopping && a.frozenAtMs < 0 && a.startedAtMs >= 0) {
            a.frozenAtMs = nowMs;
            report(id, a, ShardPhase.EXITED, 0, jobs.get(id).steps(), -1);
        }
    }

    void stopped(String id, int attempt, long nowMs) {
        SimAttempt a = current.get(id);
        if (a != null && a.number == attempt && a.stopping) {
            long at = a.startedAtMs < 0 || a.lostWork ? done.get(id) : Math.min(jobs.get(id).steps(), done.get(id)
                    + (long) Math.floor(a.trainedMs(a.frozenAtMs) / 1000.0 / a.stepSec));
            long from = done.get(id); // what end() keeps of this attempt when the workers cannot checkpoint now
            long saved = options.checkpointOnStop() || a.startedAtMs < 0 ? at
                    : a.every == 0 ? from : from + (at - from) / a.every * a.every;
            report(id, a, ShardPhase.EXITED, 143, at, -1, saved);
        }
    }

    /** An injected worker failure; ignored unless the shard's worker is running. */
    void fault(String id, int shard, long nowMs) {
        SimAttempt a = current.get(id);
        if (a != null && a.startedAtMs >= 0 && !a.stopping && a.frozenAtMs < 0 && shard < a.plan.shards().size()) {
            a.frozenAtMs = nowMs;
            a.lostWork = true;
            recovery.failed(id, nowMs);
            report(id, a, ShardPhase.EXITED, 1, done.get(id), shard);
        }
    }

    /** A transient fault of device {@code device} of {@code node}: the worker of the shard running there, if any, crashes. */
    void faultOn(String node, int device, long nowMs) {
        for (Map.Entry<String, SimAttempt> e : current.entrySet()) {
            for (ShardPlan s : e.getValue().plan.shards()) {
                if (s.node().equals(node) && s.devices().contains(device)) {
                    fault(e.getKey(), s.shard(), nowMs);
                    return;
                }
            }
        }
    }

    /** Nodes stop: the attempts with a shard there stop making progress until the scheduler notices. */
    void down(Collection<String> nodes, long nowMs) {
        downNodes.addAll(nodes);
        for (Map.Entry<String, SimAttempt> e : current.entrySet()) {
            SimAttempt a = e.getValue();
            if (a.plan.shards().stream().anyMatch(s -> nodes.contains(s.node()))) {
                if (a.frozenAtMs < 0 || !a.lostWork) { // a gang waiting for a rejoin loses its work with the node
                    a.frozenAtMs = a.frozenAtMs < 0 ? nowMs : a.frozenAtMs;
                    a.lostWork = true;
                }
                recovery.failed(e.getKey(), nowMs);
            }
        }
    }

    void up(Collection<String> nodes) {
        downNodes.removeAll(nodes);
    }

    boolean isDown(String node) {
        return downNodes.contains(node);
    }

    private static int devices(Plan plan) {
        return plan.shards().stream().mapToInt(sh -> sh.devices().size()).sum();
    }

    /** Running jobs report their current step, as workers' progress lines reach the scheduler. */
    void reportProgress(long nowMs) {
        for (Map.Entry<String, SimAttempt> e : current.entrySet()) {
            SimAttempt a = e.getValue();
            if (a.startedAtMs >= 0 && !a.stopping && a.frozenAtMs < 0) {
                long run = (long) Math.floor(a.trainedMs(nowMs) / 1000.0 / a.stepSec);
                long at = Math.min(jobs.get(e.getKey()).steps(), done.get(e.getKey()) + run);
                report(e.getKey(), a, ShardPhase.RUNNING, null, at, -1,
                        done.get(e.getKey()) + (a.every > 0 ? run / a.every * a.every : 0));
            }
        }
    }

    private void report(String id, SimAttempt a, ShardPhase phase, Integer exit, long step, int onlyShard) {
        report(id, a, phase, exit, step, onlyShard, phase == ShardPhase.EXITED && exit != null && exit == 143 ? step
                : done.get(id));
    }

    /** Reports every shard of the attempt in {@code phase} (or only {@code onlyShard}, if not -1). */
    private void report(String id, SimAttempt a, ShardPhase phase, Integer exit, long step, int onlyShard, long checkpoint) {
        long total = jobs.get(id).steps();
        List<ShardReport> out = new ArrayList<>();
        for (ShardPlan s : a.plan.shards()) {
            if (onlyShard < 0 || s.shard() == onlyShard) {
                Integer inc = a.incarnations.get(s.shard());
                out.add(new ShardReport(id, s.shard(), a.number, phase, exit, 1L, null, null,
                        new ShardReport.Progress(step, total, null, checkpoint, null, null), null, null, inc));
            }
        }
        store.recordShardReports(out);
        view.invalidate(List.of(), List.of(id));
    }
}
