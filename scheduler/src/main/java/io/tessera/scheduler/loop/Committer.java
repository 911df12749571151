package io.tessera.scheduler.loop;

import io.tessera.scheduler.leader.Term;
import io.tessera.scheduler.state.PlanApplier;
import java.time.Clock;
import java.util.List;

/**
 * Commits a decision through the one fenced applier under a term and returns the outcomes: how
 * tests run one stage alone ({@link QueuePlacer#placeQueued}). The loop commits a whole pass at
 * once; no stage holds the applier or the term.
 */
@FunctionalInterface
public interface Committer {
    /** Commits {@code decision}: one outcome per change, in order (all refused when the term is over). */
    List<PlanApplier.Outcome> commit(StageDecision decision);

    /** Commits through {@code applier} under {@code term}, stamped with {@code clock}'s time (tests that run one stage). */
    static Committer through(PlanApplier applier, Term term, Clock clock) {
        return d -> d.commit(applier, term, clock.instant().toString());
    }
}
