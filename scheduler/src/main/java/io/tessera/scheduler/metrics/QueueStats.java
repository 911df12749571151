package io.tessera.scheduler.metrics;

/**
 * One queue's figures for the per-queue gauges.
 *
 * @param queue           the queue's name
 * @param usedTflops      normalized TFLOPS its running jobs hold
 * @param quotaTflops     its TFLOPS quota, or null for none
 * @param borrowedTflops  what it holds beyond its quota
 * @param fairShareTflops its weighted max-min share of the fleet
 * @param pendingJobs     its queued jobs
 */
public record QueueStats(String queue, double usedTflops, Double quotaTflops, double borrowedTflops,
                         double fairShareTflops, int pendingJobs) {
}
