package io.tessera.agent.worker;

import io.tessera.config.wire.ShardPhase;
import java.util.List;

/**
 * The lifecycle of one shard's worker process on an agent. Pure: {@link #on} returns the next
 * state and the actions for the supervisor to perform; it never touches a process itself.
 *
 * <pre>
 * NEW --assigned--> LAUNCHING --launched--> RUNNING --exited--> EXITED
 * NEW --adopted (a container an earlier agent started)--> RUNNING
 *                        \--launch failed--> FAILED_TO_START
 *                        \--refused (the job's spec is at fault: its files)--> REFUSED
 * RUNNING --the launcher failed before the job's command ran--> FAILED_TO_START
 * RUNNING --unassigned--> KILLING --exited--> KILLED
 * RUNNING --stop requested (preemption)--> STOPPING --exited--> EXITED
 * STOPPING --unassigned--> KILLING
 * any terminal state --unassigned--> (forgotten)
 * </pre>
 */
public final class WorkerLifecycle {
    private WorkerLifecycle() {
    }

    /** Worker states. */
    public enum State {
        NEW, LAUNCHING, RUNNING, STOPPING, KILLING, EXITED, KILLED, FAILED_TO_START, REFUSED;

        public boolean terminal() {
            return this == EXITED || this == KILLED || this == FAILED_TO_START || this == REFUSED;
        }

        /** The phase reported to the scheduler. */
        public ShardPhase phase() {
            return switch (this) {
                case NEW, LAUNCHING -> ShardPhase.STARTING;
                case RUNNING, STOPPING, KILLING -> ShardPhase.RUNNING;
                case EXITED -> ShardPhase.EXITED;
                case KILLED -> ShardPhase.KILLED;
                case FAILED_TO_START -> ShardPhase.FAILED_TO_START;
                case REFUSED -> ShardPhase.REFUSED;
            };
        }
    }

    /** What the supervisor must do. */
    /**
     * What the supervisor must do. KILL_TREE: SIGTERM now and SIGKILL after the agent's own grace;
     * TERMINATE: SIGTERM now and SIGKILL after the grace the scheduler gave with the stop request.
     */
    public enum Action { LAUNCH, KILL_TREE, TERMINATE, FORGET }

    /** Things that happen to a worker. */
    public enum Event { ASSIGNED, ADOPTED, LAUNCHED, LAUNCH_FAILED, REFUSED, EXITED, UNASSIGNED, STOP_REQUESTED }

    public record Step(State next, List<Action> actions) {
        static Step to(State s, Action... actions) {
            return new Step(s, List.of(actions));
        }
    }

    public static Step on(State state, Event event) {
        return switch (event) {
            case ASSIGNED -> state == State.NEW ? Step.to(State.LAUNCHING, Action.LAUNCH) : Step.to(state);
            case LAUNCHED -> state == State.LAUNCHING ? Step.to(State.RUNNING) : Step.to(state);
            case ADOPTED -> state == State.NEW ? Step.to(State.RUNNING) : Step.to(state);
            case LAUNCH_FAILED -> Step.to(State.FAILED_TO_START);
            case REFUSED -> Step.to(State.REFUSED);
            case EXITED -> state == State.KILLING ? Step.to(State.KILLED)
                    : state.terminal() ? Step.to(state) : Step.to(State.EXITED);
            case STOP_REQUESTED -> state == State.RUNNING ? Step.to(State.STOPPING, Action.TERMINATE) : Step.to(state);
            case UNASSIGNED -> switch (state) {
                case RUNNING, STOPPING -> Step.to(State.KILLING, Action.KILL_TREE);
                case KILLING -> Step.to(State.KILLING);
                case NEW, LAUNCHING -> Step.to(State.KILLED, Action.FORGET);
                default -> Step.to(state, Action.FORGET);
            };
        };
    }
}
