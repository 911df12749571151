package io.tessera.scheduler.loop;

import io.tessera.scheduler.leader.Term;
import io.tessera.scheduler.state.Change;
import io.tessera.scheduler.state.PlanApplier;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * What one stage of a pass decided: the typed {@link Change}s for the loop to commit through the
 * one fenced {@link PlanApplier}, and what the stage makes of their outcomes ({@code then}: its
 * logs, metrics, and its part of the {@link CycleMemory}). A stage returns one and writes nothing;
 * it holds no applier and no term.
 *
 * @param changes in the order they are re-checked and written, each against the state the ones
 *                before it leave
 * @param then    called with one outcome per change, in order, once they are committed or refused
 */
public record StageDecision(List<Change> changes, Consumer<List<PlanApplier.Outcome>> then) {
    /** Nothing to change. */
    public static final StageDecision NONE = new StageDecision(List.of(), outcomes -> { });

    public StageDecision {
        changes = List.copyOf(changes);
    }

    /** {@code changes}, with {@code then} told their outcomes. */
    public static StageDecision of(List<? extends Change> changes, Consumer<List<PlanApplier.Outcome>> then) {
        return new StageDecision(new ArrayList<>(changes), then);
    }

    /** This decision followed by {@code next}'s changes in the same commit, each told its own outcomes. */
    public StageDecision and(StageDecision next) {
        int mine = changes.size();
        List<Change> all = new ArrayList<>(changes);
        all.addAll(next.changes());
        return new StageDecision(all, outcomes -> {
            then.accept(outcomes.subList(0, mine));
            next.then().accept(outcomes.subList(mine, outcomes.size()));
        });
    }

    /**
     * Commits the changes through {@code applier} under {@code term} at {@code now}, tells
     * {@code then}, and returns the outcomes (none written when the term is over). Called by the
     * loop; tests call it to run one stage.
     */
    public List<PlanApplier.Outcome> commit(PlanApplier applier, Term term, String now) {
        List<PlanApplier.Outcome> outcomes = changes.isEmpty() ? List.of() : applier.commit(term, now, changes);
        then.accept(outcomes);
        return outcomes;
    }

    /** How many of {@code outcomes} were written. */
    public static int committed(List<PlanApplier.Outcome> outcomes) {
        return (int) outcomes.stream().filter(o -> o instanceof PlanApplier.Committed).count();
    }
}
