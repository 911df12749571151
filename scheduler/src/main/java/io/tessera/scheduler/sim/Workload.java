package io.tessera.scheduler.sim;

import io.tessera.config.ElasticConfig;
import io.tessera.config.PreemptionConfig;
import io.tessera.config.QueueSpec;
import java.util.List;

/**
 * Everything a simulation runs: the jobs in arrival order, the queues they go to, the injected
 * events, and the simulated agents' timings.
 *
 * @param jobs     jobs, ordered by arrival time then index
 * @param queues   queue definitions, as in the scheduler config's {@code queues:}
 * @param injected outages, failures and preemptions at their times
 * @param options  timings and the measurement window
 * @param seed     the seed the generators drew with
 * @param elastic  the scheduler's growth and migration settings ({@code elastic:} in the scheduler config)
 * @param preemption how the scheduler ranks preemption victims ({@code preemption:} in the scheduler config)
 */
public record Workload(List<SimJob> jobs, List<QueueSpec> queues, List<Timed> injected, Options options, long seed,
                       ElasticConfig elastic, PreemptionConfig preemption) {
    public Workload {
        jobs = List.copyOf(jobs);
        queues = List.copyOf(queues);
        injected = List.copyOf(injected);
        preemption = preemption == null ? PreemptionConfig.DEFAULT : preemption;
    }

    /** With the default preemption settings. */
    public Workload(List<SimJob> jobs, List<QueueSpec> queues, List<Timed> injected, Options options, long seed,
                    ElasticConfig elastic) {
        this(jobs, queues, injected, options, seed, elastic, PreemptionConfig.DEFAULT);
    }

    /** The same workload with victims ranked by {@code order} instead. */
    public Workload withVictimOrder(PreemptionConfig.VictimOrder order) {
        return new Workload(jobs, queues, injected, options, seed, elastic,
                new PreemptionConfig(order.spelled(), preemption.restartCostSec(), preemption.maxRestartCostSec()));
    }

    /** The same workload with every job recovering by gang restarts only: its {@code recovery:} declarations dropped. */
    public Workload withGangRecoveryOnly() {
        List<SimJob> gangOnly = jobs.stream().map(j -> new SimJob(j.index(), j.id(), j.arriveMs(), j.spec().withRecovery(null),
                j.owner(), j.steps(), j.jobClass(), j.checkpointEverySteps(), j.timeScale(), j.checkpointEverySec())).toList();
        return new Workload(gangOnly, queues, injected, options, seed, elastic, preemption);
    }

    /** An event at a time, in ms after the start. */
    public record Timed(long atMs, SimEvent event) {
    }

    /**
     * @param startupSec          from a gang's placement until its workers run (agent delivery, process start)
     * @param stopSec             from a preemption's SIGTERM until the workers have checkpointed and exited
     * @param heartbeatTimeoutSec silence after which the scheduler declares a node lost
     * @param passIntervalSec     the scheduler's pass interval while jobs wait and nothing else happens
     * @param windowFrom          the first job index measured (inclusive)
     * @param windowTo            the last job index measured (exclusive)
     * @param checkpointEverySec  how often workers checkpoint, for jobs that do not give checkpointEverySteps; 0: never
     * @param checkpointOnStop    whether a preempted worker checkpoints at its SIGTERM (true: nothing is lost but the
     *                            restart); false: it keeps only its last periodic checkpoint, as a job whose
     *                            checkpoint does not fit its grace period
     */
    public record Options(double startupSec, double stopSec, double heartbeatTimeoutSec, double passIntervalSec,
                          int windowFrom, int windowTo, double checkpointEverySec, boolean checkpointOnStop) {
        public static final Options DEFAULT = new Options(0, 0, 30, 60, 0, Integer.MAX_VALUE, 0);

        public Options(double startupSec, double stopSec, double heartbeatTimeoutSec, double passIntervalSec,
                       int windowFrom, int windowTo, double checkpointEverySec) {
            this(startupSec, stopSec, heartbeatTimeoutSec, passIntervalSec, windowFrom, windowTo, checkpointEverySec, true);
        }

        public boolean measured(int index) {
            return index >= windowFrom && index < windowTo;
        }
    }
}
