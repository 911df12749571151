package io.tessera.scheduler.loop;

import io.tessera.scheduler.model.EventType;
import io.tessera.scheduler.model.JobEvent;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.placement.VetoReason;
import io.tessera.scheduler.model.Waiting;
import io.tessera.scheduler.model.WaitKind;
import io.tessera.scheduler.model.JobState;
import io.tessera.scheduler.placement.ClusterSnapshot;
import io.tessera.scheduler.placement.PlacementPolicy;
import io.tessera.scheduler.placement.PlacementResult.Unschedulable;
import io.tessera.scheduler.placement.Placer;
import io.tessera.scheduler.policy.WaitReasons;
import io.tessera.scheduler.state.Change;
import io.tessera.scheduler.state.ClusterReads;
import io.tessera.scheduler.state.ClusterView;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What the queue pass records about jobs that wait: the waiting reason (which follows every
 * change), a WAITING event once per kind of reason, and an UNSCHEDULABLE event for a job that
 * could not fit even the idle fleet. Owned by the scheduling loop's thread.
 */
final class WaitingNotes {
    private final ClusterReads store;
    /** The notes of this pass, committed with the pass's other notes. */
    private final List<Change.Note> pending = new ArrayList<>();
    private final Placer placer;
    private final Clock clock;
    /** Jobs that would fit the idle fleet, with the fleet they were checked on. */
    private final BlockedSet blocked;
    /** The fleet counted by chip type and device state for this pass's waiting reasons; null until needed. */
    private WaitReasons.Fleet fleetCount;

    WaitingNotes(ClusterReads store, Placer placer, Clock clock, BlockedSet blocked) {
        this.blocked = blocked;
        this.store = store;
        this.placer = placer;
        this.clock = clock;
    }

    /** A new pass: the fleet is counted again, at most once, for its waiting reasons. */
    void newPass() {
        fleetCount = null;
        pending.clear();
    }

    /** The notes this pass decided, for the pass's commit; none are kept after. */
    List<Change.Note> drain() {
        List<Change.Note> out = List.copyOf(pending);
        pending.clear();
        return out;
    }

    /** Forgets jobs no longer queued. */
    void retain(Set<String> queued) {
        blocked.retain(BlockedSet.Trial.IDLE_FLEET, queued);
    }

    /**
     * Why the job could not fit even the fleet at its best (every registered node ready and
     * undrained, every device healthy and free: it waits for the fleet itself to change); empty if
     * it could. Regression: this asked the fleet as it is, so a running job whose node was lost
     * went back to the queue as "can never fit", though the node may return (docs/api.md).
     */
    Optional<Unschedulable> onIdleFleet(CycleState s, JobRecord job, PlacementPolicy jobPolicy) {
        ClusterSnapshot all = s.bestCapacity();
        if (blocked.triedOn(BlockedSet.Trial.IDLE_FLEET, job.id(), all.fingerprint())) {
            return Optional.empty(); // it fits this fleet when idle, and the fleet has not changed since
        }
        if (!all.nodes().isEmpty() && placer.place(all, job.id(), job.spec(), jobPolicy) instanceof Unschedulable u) {
            return Optional.of(u);
        }
        blocked.tried(BlockedSet.Trial.IDLE_FLEET, job.id(), all.fingerprint());
        return Optional.empty();
    }

    /** Why a job that did not fit waits; an UNSCHEDULABLE event when even an idle fleet could not hold it. */
    void unschedulable(CycleState s, JobRecord job, Unschedulable now, Optional<Unschedulable> idle) {
        Unschedulable u = idle.orElse(now);
        String vetoes = u.chips().isEmpty() ? "" : "; per chip type: " + u.chips().stream()
                .map(c -> c.veto().toString()).distinct().collect(Collectors.joining("; "));
        if (idle.isEmpty()) {
            Waiting w = new Waiting(WaitKind.NO_FIT, u.summary(), causes(u));
            if (w.sameKind(job.waiting())) {
                waiting(job, w, u.summary()); // the same kind: the reason follows, no event
                return;
            }
            // A WAITING event (once per kind of reason) says which chip types would take the job and why
            // they cannot now; the fleet is counted at most once per pass for it.
            if (fleetCount == null) {
                fleetCount = WaitReasons.count(s.nodes(), s.assignmentSets());
            }
            waiting(job, w, u.summary() + "; chip types that would take it: "
                    + WaitReasons.blockers(job.spec(), s.catalog(), fleetCount) + vetoes);
            return;
        }
        Waiting never = new Waiting(WaitKind.NEVER_FITS, "can never fit this fleet: " + u.summary(), causes(u));
        if (never.equals(job.waiting())) {
            return;
        }
        String at = now();
        pending.add(new Change.Note(job.id(), cur -> cur.state() != JobState.QUEUED || never.equals(cur.waiting()) ? cur
                : cur.withWaiting(never).withEvent(new JobEvent(at, EventType.UNSCHEDULABLE, never.reason() + vetoes
                        + "; it stays queued in case nodes are added, and can be cancelled"))));
    }

    /** The distinct typed vetoes that kept a job out. */
    private static List<VetoReason> causes(Unschedulable u) {
        List<VetoReason> out = new ArrayList<>();
        u.vetoes().forEach(v -> out.add(v.reason()));
        u.chips().stream().filter(c -> c.veto() != null && c.veto().reason().blocks())
                .forEach(c -> out.add(c.veto().reason()));
        return out;
    }

    /**
     * Records why {@code job} waits. The reason itself follows every change, but a WAITING event
     * (saying {@code detail}) is added only when the kind of wait changes ({@link Waiting#sameKind}),
     * so a job waiting through many capacity changes does not collect an event for each.
     */
    void waiting(JobRecord job, Waiting why, String detail) {
        if (why.equals(job.waiting())) {
            return;
        }
        String at = now();
        pending.add(new Change.Note(job.id(), cur -> {
            if (cur.state() != JobState.QUEUED || why.equals(cur.waiting())) {
                return cur;
            }
            JobRecord noted = cur.withWaiting(why);
            return why.sameKind(cur.waiting()) ? noted : noted.withEvent(new JobEvent(at, EventType.WAITING, detail));
        }));
    }

    private String now() {
        return clock.instant().toString();
    }
}
