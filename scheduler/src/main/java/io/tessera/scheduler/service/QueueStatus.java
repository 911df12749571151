package io.tessera.scheduler.service;

import io.tessera.config.QueueSpec;
import java.util.Map;

/**
 * A queue as {@code GET /v1/queues} shows it: its definition and what it holds now.
 *
 * @param queue           the definition in force
 * @param usedTflops      normalized TFLOPS its PLACED and RUNNING jobs hold
 * @param usedDevices     devices they hold, by vendor and by chip type
 * @param borrowedTflops  how much of that is beyond its own TFLOPS quota (lent by its cohort)
 * @param fairShareTflops its weighted max-min share of the fleet's capacity among the queues with jobs
 * @param pendingJobs     its queued jobs
 * @param pendingDevices  the devices those jobs ask for at their minimum shard counts
 * @param users           normalized TFLOPS held per user (each user sees only their own: {@link #shownTo})
 */
public record QueueStatus(QueueSpec queue, double usedTflops, Map<String, Integer> usedDevices, double borrowedTflops,
                          double fairShareTflops, int pendingJobs, long pendingDevices, Map<String, Double> users) {

    /**
     * This status as {@code user} may see it: an admin sees every user's use; anyone else only
     * their own. Regression (issue 27, N11): every user saw everyone's use by name.
     */
    public QueueStatus shownTo(String user, boolean admin) {
        if (admin) {
            return this;
        }
        Map<String, Double> mine = users.containsKey(user) ? Map.of(user, users.get(user)) : Map.of();
        return new QueueStatus(queue, usedTflops, usedDevices, borrowedTflops, fairShareTflops, pendingJobs,
                pendingDevices, mine);
    }
}
