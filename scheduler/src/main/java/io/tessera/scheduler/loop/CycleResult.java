package io.tessera.scheduler.loop;

/**
 * What one pass decided, built stage by stage: each stage's {@link StageDecision} is added in
 * order, and the next stage decides on the {@link CycleState} the decisions so far leave
 * ({@link CycleState#after}). The loop commits {@link #decision} once, at the end of the pass, in
 * one fenced transaction; each stage is told the outcomes of its own changes. Lives for one pass,
 * on the loop's thread.
 */
public final class CycleResult {
    private CycleState state;
    private StageDecision decision = StageDecision.NONE;

    /** @param start the cycle's state as the pass read it */
    public CycleResult(CycleState start) {
        this.state = start;
    }

    /** Adds a stage's decision; the stages after it decide on the state it leaves. */
    public void add(StageDecision stage) {
        decision = decision.and(stage);
        state = state.after(stage.changes());
    }

    /** The state the decisions so far leave: what the next stage decides on. */
    public CycleState state() {
        return state;
    }

    /** Every decision of the pass, in order, each stage told the outcomes of its own changes. */
    public StageDecision decision() {
        return decision;
    }
}
