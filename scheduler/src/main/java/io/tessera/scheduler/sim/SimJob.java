package io.tessera.scheduler.sim;

import io.tessera.config.JobSpec;

/**
 * One job of a workload, as the simulator submits it.
 *
 * @param index      position in arrival order, from 0; the measurement window counts in it
 * @param id         the job id in cluster state
 * @param arriveMs   submission time, in ms after the start of the simulation
 * @param spec       the job spec submitted, exactly as the live API would accept it
 * @param owner      the submitting user
 * @param steps      optimizer steps it trains before its workers exit 0
 * @param jobClass   its class in the throughput table, or null for a job the catalog model times
 * @param checkpointEverySteps how often its workers checkpoint; 0: only when told to stop
 * @param timeScale  the example worker's {@code --time-scale}: each step takes this multiple of chip time
 * @param checkpointEverySec how often its workers checkpoint, in seconds of its plan's step time, when it gives no
 *                   {@code checkpointEverySteps}; 0: the workload's {@code options.checkpointEverySec}
 */
public record SimJob(int index, String id, long arriveMs, JobSpec spec, String owner, long steps, String jobClass,
                     long checkpointEverySteps, double timeScale, double checkpointEverySec) {
    public SimJob(int index, String id, long arriveMs, JobSpec spec, String owner, long steps, String jobClass,
                  long checkpointEverySteps, double timeScale) {
        this(index, id, arriveMs, spec, owner, steps, jobClass, checkpointEverySteps, timeScale, 0);
    }

    /** The spec's environment variable that carries the class to the throughput hook. */
    public static final String CLASS_ENV = "JOB_CLASS";
}
