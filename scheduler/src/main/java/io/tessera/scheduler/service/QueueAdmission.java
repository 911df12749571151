package io.tessera.scheduler.service;

import io.tessera.scheduler.state.QueueStore;
import io.tessera.scheduler.state.JobStore;
import io.tessera.config.JobSpec;
import io.tessera.config.QueueSpec;
import io.tessera.config.ValidationException;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The queue checks of a submission: the queue exists (the {@code default} queue always does,
 * open to everyone, unless an admin defines it), the user may submit to it, and the priority is
 * within its maximum. A job that names no priority gets the queue's default.
 */
final class QueueAdmission {
    private QueueAdmission() {
    }

    /**
     * The spec as it will be queued.
     *
     * @throws ValidationException naming {@code queue} or {@code priority}
     * @throws Forbidden           naming {@code queue} when the user may not submit there
     */
    static JobSpec admit(QueueStore queueStore, JobStore jobStore, JobSpec spec, boolean priorityGiven, String user, Set<String> groups) {
        Map<String, QueueSpec> queues = queueStore.queues();
        QueueSpec queue = queues.get(spec.queue());
        if (queue == null && !spec.queue().equals(QueueSpec.DEFAULT)) {
            throw new ValidationException("queue", "no queue named '" + spec.queue() + "'; the queues are "
                    + known(queues));
        }
        if (queue == null) {
            queue = QueueSpec.open(QueueSpec.DEFAULT);
        }
        if (!queue.admits(user, groups)) {
            throw new Forbidden("queue", "user " + user + " may not submit to queue " + queue.name()
                    + "; ask an admin to add you or one of your groups");
        }
        if (!spec.scheduling().mayBePreempted()) {
            QueueSpec q = queue;
            long held = jobStore.jobs().stream().filter(j -> j.spec().queue().equals(q.name()) && !j.state().terminal()
                    && !j.spec().scheduling().mayBePreempted()).count();
            if (held >= queue.maxNonPreemptible()) {
                throw new ValidationException("scheduling.preemptible", "queue " + queue.name() + " allows "
                        + queue.maxNonPreemptible() + " live non-preemptible jobs and has " + held);
            }
        }
        if (!priorityGiven) {
            return spec.withPriority(queue.defaultPriority());
        }
        if (spec.priority() > queue.maxPriority()) {
            throw new ValidationException("priority", "is " + spec.priority() + "; queue " + queue.name()
                    + " allows at most " + queue.maxPriority());
        }
        return spec;
    }

    private static String known(Map<String, QueueSpec> queues) {
        Set<String> names = new TreeSet<>(queues.keySet());
        names.add(QueueSpec.DEFAULT);
        return names.toString();
    }
}
