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
 * within its maximum for users (admins may go up to {@link #ADMIN_MAX_PRIORITY}). A job that names
 * no priority gets the queue's default.
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
    /** The highest priority there is: admins may ask for up to it in any queue they may submit to. */
    static final int ADMIN_MAX_PRIORITY = 1000;

    static JobSpec admit(QueueStore queueStore, JobStore jobStore, JobSpec spec, boolean priorityGiven,
                         JobService.Submitter who) {
        String user = who.user();
        Set<String> groups = who.groups();
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
        if (!priorityGiven) {
            return spec.withPriority(queue.defaultPriority());
        }
        // Regression (issue 27, N4): the open default queue allowed any user priority 1000, so any
        // user could preempt any other's jobs. Users stay within the queue's maxPriority (100 unless
        // an admin sets it); only admins go above it.
        int cap = who.admin() ? ADMIN_MAX_PRIORITY : queue.maxPriority();
        if (spec.priority() > cap) {
            throw new ValidationException("priority", "is " + spec.priority() + "; queue " + queue.name()
                    + " allows users at most " + queue.maxPriority() + " (admins up to " + ADMIN_MAX_PRIORITY + ")");
        }
        return spec;
    }

    /**
     * Refuses a non-preemptible job when its queue holds its {@code maxNonPreemptible} live ones
     * already; call it under {@link JobStore#exclusively} with the insert (regression, issue 27,
     * N5: with a limit of 1, 12 parallel submissions got 5 accepted).
     */
    static void checkNonPreemptible(QueueStore queueStore, JobStore jobStore, JobSpec spec) {
        if (spec.scheduling().mayBePreempted()) {
            return;
        }
        QueueSpec queue = queueStore.queues().getOrDefault(spec.queue(), QueueSpec.open(QueueSpec.DEFAULT));
        long held = jobStore.jobs().stream().filter(j -> j.spec().queue().equals(queue.name()) && !j.state().terminal()
                && !j.spec().scheduling().mayBePreempted()).count();
        if (held >= queue.maxNonPreemptible()) {
            throw new ValidationException("scheduling.preemptible", "queue " + queue.name() + " allows "
                    + queue.maxNonPreemptible() + " live non-preemptible jobs and has " + held);
        }
    }

    private static String known(Map<String, QueueSpec> queues) {
        Set<String> names = new TreeSet<>(queues.keySet());
        names.add(QueueSpec.DEFAULT);
        return names.toString();
    }
}
