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
 * @param users           normalized TFLOPS held per user
 */
public record QueueStatus(QueueSpec queue, double usedTflops, Map<String, Integer> usedDevices, double borrowedTflops,
                          double fairShareTflops, int pendingJobs, long pendingDevices, Map<String, Double> users) {
}
