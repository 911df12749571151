package io.tessera.agent.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.agent.worker.WorkerLifecycle.Action;
import io.tessera.agent.worker.WorkerLifecycle.Event;
import io.tessera.agent.worker.WorkerLifecycle.State;
import io.tessera.config.wire.ShardPhase;
import org.junit.jupiter.api.Test;

class WorkerLifecycleTest {
    @Test
    void happyPath() {
        var s = WorkerLifecycle.on(State.NEW, Event.ASSIGNED);
        assertThat(s.next()).isEqualTo(State.LAUNCHING);
        assertThat(s.actions()).containsExactly(Action.LAUNCH);
        assertThat(WorkerLifecycle.on(State.LAUNCHING, Event.LAUNCHED).next()).isEqualTo(State.RUNNING);
        assertThat(WorkerLifecycle.on(State.RUNNING, Event.EXITED).next()).isEqualTo(State.EXITED);
        assertThat(State.EXITED.phase()).isEqualTo(ShardPhase.EXITED);
    }

    @Test
    void unassigningARunningWorkerKillsItsTreeAndItEndsKilled() {
        var s = WorkerLifecycle.on(State.RUNNING, Event.UNASSIGNED);
        assertThat(s.next()).isEqualTo(State.KILLING);
        assertThat(s.actions()).containsExactly(Action.KILL_TREE);
        assertThat(State.KILLING.phase()).isEqualTo(ShardPhase.RUNNING);
        assertThat(WorkerLifecycle.on(State.KILLING, Event.EXITED).next()).isEqualTo(State.KILLED);
        assertThat(WorkerLifecycle.on(State.KILLING, Event.UNASSIGNED).actions()).isEmpty();
    }

    @Test
    void finishedWorkersAreForgottenOnceUnassignedAndNeverRelaunched() {
        assertThat(WorkerLifecycle.on(State.EXITED, Event.UNASSIGNED).actions()).containsExactly(Action.FORGET);
        assertThat(WorkerLifecycle.on(State.EXITED, Event.ASSIGNED).actions()).isEmpty();
        assertThat(WorkerLifecycle.on(State.FAILED_TO_START, Event.EXITED).next()).isEqualTo(State.FAILED_TO_START);
        assertThat(WorkerLifecycle.on(State.LAUNCHING, Event.LAUNCH_FAILED).next()).isEqualTo(State.FAILED_TO_START);
    }

    @Test
    void aStopRequestTerminatesARunningWorkerWhichThenEndsAsExited() {
        var s = WorkerLifecycle.on(State.RUNNING, Event.STOP_REQUESTED);
        assertThat(s.next()).isEqualTo(State.STOPPING);
        assertThat(s.actions()).containsExactly(Action.TERMINATE);
        assertThat(State.STOPPING.phase()).isEqualTo(ShardPhase.RUNNING);
        assertThat(WorkerLifecycle.on(State.STOPPING, Event.STOP_REQUESTED).actions()).as("asked once").isEmpty();
        assertThat(WorkerLifecycle.on(State.STOPPING, Event.EXITED).next()).isEqualTo(State.EXITED);
        assertThat(WorkerLifecycle.on(State.STOPPING, Event.UNASSIGNED).actions()).containsExactly(Action.KILL_TREE);
        assertThat(WorkerLifecycle.on(State.EXITED, Event.STOP_REQUESTED).actions()).isEmpty();
    }
}
