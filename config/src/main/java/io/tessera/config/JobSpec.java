package io.tessera.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.stream.Stream;
import java.util.TreeMap;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import java.util.List;
import java.util.Map;

/**
 * A training job as its submitter describes it. Built only by {@link JobSpecParser}, which
 * guarantees every invariant below; stored and returned as JSON with the same field names, one
 * flat object (its parts are unwrapped: {@code JobRecordWireTest} reads a spec stored before they
 * were grouped).
 *
 * @param name         a short identifier chosen by the user
 * @param queue        the queue it waits in
 * @param priority     higher runs first, -1000..1000
 * @param worker       what its workers run, with which environment
 * @param shape        the gang's shape and what one sample costs
 * @param hardware     the chips and numerics it accepts
 * @param restartLimit how many times the gang may be restarted after failures
 * @param scheduling   hints for queueing: how many steps it runs, whether it may be preempted
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobSpec(String name, String queue, int priority, @JsonUnwrapped Worker worker,
                      @JsonUnwrapped Shape shape, @JsonUnwrapped Hardware hardware, int restartLimit,
                      Scheduling scheduling) {

    public JobSpec {
        scheduling = scheduling == null ? Scheduling.DEFAULT : scheduling;
    }

    /** This spec declaring {@code r} as the recovery rungs its workers support (null: none). */
    public JobSpec withRecovery(Recovery r) {
        Scheduling s = scheduling;
        return new JobSpec(name, queue, priority, worker, shape, hardware, restartLimit, new Scheduling(s.steps(),
                s.preemptible(), s.allowUnschedulable(), s.resumeFrom(), s.profileKey(), s.restartCostSec(), r));
    }

    /**
     * What a job's workers run.
     *
     * @param command       the worker executable and its fixed arguments; never run through a shell
     * @param args          further arguments appended to {@code command}
     * @param env           extra environment for every worker
     * @param secretEnv     environment for every worker that the API, logs and events never show
     * @param shell         run {@code command} through {@code /bin/sh -c}; false (the default) runs it directly
     * @param checkpointDir where workers write checkpoints; absolute, no {@code ..}; may be null
     * @param image         the OCI image every shard runs in; null runs shards as host processes
     * @param variants      overrides by vendor or chip type (a chip type's wins over its vendor's); see {@link WorkerVariant}
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Worker(List<String> command, List<String> args, Map<String, String> env,
                         Map<String, String> secretEnv, boolean shell, String checkpointDir, String image,
                         @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, WorkerVariant> variants) {
        public Worker {
            command = List.copyOf(command);
            args = List.copyOf(args);
            env = Map.copyOf(env);
            secretEnv = secretEnv == null ? Map.of() : Map.copyOf(secretEnv);
            variants = variants == null ? Map.of() : Map.copyOf(variants);
        }

        /** A host-process worker with no image and no variants. */
        public Worker(List<String> command, List<String> args, Map<String, String> env, Map<String, String> secretEnv,
                      boolean shell, String checkpointDir) {
            this(command, args, env, secretEnv, shell, checkpointDir, null, Map.of());
        }
    }

    /**
     * A job's gang and what one sample costs.
     *
     * @param shards          how many data-parallel shards, as a range
     * @param devicesPerShard devices one shard uses, all on one node and of one chip type
     * @param workload        model size or explicit FLOPs and memory per sample
     * @param globalBatch     samples per optimizer step across all shards; at least {@code shards.min}
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Shape(ShardRange shards, int devicesPerShard, Workload workload, long globalBatch) {
    }

    /**
     * The chips and numerics a job accepts.
     *
     * @param precisions      acceptable precisions, most preferred first; never empty
     * @param precisionPolicy uniform (default) or per-shard
     * @param vendorPolicy    how much of the job one vendor may carry, and which vendors
     * @param chipTypes       allowed chip types (catalog ids); empty means any
     * @param efficiency      per-chip-type overrides of the catalog's achievable efficiency
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Hardware(List<Precision> precisions, PrecisionPolicy precisionPolicy, VendorPolicy vendorPolicy,
                           List<String> chipTypes, Map<String, Double> efficiency) {
        public Hardware {
            precisions = List.copyOf(precisions);
            precisionPolicy = precisionPolicy == null ? PrecisionPolicy.UNIFORM : precisionPolicy;
            chipTypes = List.copyOf(chipTypes);
            efficiency = efficiency == null ? Map.of() : Map.copyOf(efficiency);
        }
    }

    /** The value shown instead of a secret. */
    public static final String REDACTED = "<redacted>";

    /** This spec with every secret value replaced by {@link #REDACTED}, for display. */
    public JobSpec redacted() {
        Map<String, String> hidden = new TreeMap<>();
        secretEnv().keySet().forEach(k -> hidden.put(k, REDACTED));
        return withSecretEnv(hidden);
    }

    /** This spec at another priority (a queue's default for a job that named none). */
    public JobSpec withPriority(int value) {
        return new JobSpec(name, queue, value, worker, shape, hardware, restartLimit, scheduling);
    }

    /** This spec with other {@code secretEnv} values (the same names, sealed for storage). */
    public JobSpec withSecretEnv(Map<String, String> values) {
        Worker w = new Worker(worker.command(), worker.args(), worker.env(), values, worker.shell(), worker.checkpointDir(),
                worker.image(), worker.variants());
        return new JobSpec(name, queue, priority, w, shape, hardware, restartLimit, scheduling);
    }

    public List<String> command() {
        return worker.command();
    }

    public List<String> args() {
        return worker.args();
    }

    public Map<String, String> env() {
        return worker.env();
    }

    public Map<String, String> secretEnv() {
        return worker.secretEnv();
    }

    public boolean shell() {
        return worker.shell();
    }

    public String checkpointDir() {
        return worker.checkpointDir();
    }

    /** The image every shard runs in unless a variant names another; null for host processes. */
    public String image() {
        return worker.image();
    }

    /** The overrides by vendor or chip type. */
    public Map<String, WorkerVariant> variants() {
        return worker.variants();
    }

    /** Whether any shard of this job would run in a container. */
    public boolean usesImages() {
        return worker.image() != null || worker.variants().values().stream().anyMatch(v -> v.image() != null);
    }

    /** The key of the variant that applies to {@code chip}: its chip type's, else its vendor's, else null. */
    public String variantKey(ChipType chip) {
        return variantKey(chip.id(), chip.vendor());
    }

    private String variantKey(String chipType, String vendor) {
        if (worker.variants().containsKey(chipType)) {
            return chipType;
        }
        return worker.variants().containsKey(vendor) ? vendor : null;
    }

    /** What a shard on {@code chip} runs: the job's worker with the variant for {@code chip} applied. */
    public EffectiveWorker workerFor(ChipType chip) {
        return workerFor(chip.id(), chip.vendor());
    }

    /** What a shard on a chip of type {@code chipType} from {@code vendor} runs. */
    public EffectiveWorker workerFor(String chipType, String vendor) {
        String key = variantKey(chipType, vendor);
        WorkerVariant v = key == null ? WorkerVariant.NONE : worker.variants().get(key);
        List<String> command = v.command() != null ? v.command() : command();
        List<String> args = v.args() != null ? v.args() : args();
        Map<String, String> env = new LinkedHashMap<>(env());
        if (v.env() != null) {
            env.putAll(v.env());
        }
        env.putAll(secretEnv());
        return new EffectiveWorker(v.image() != null ? v.image() : image(), argv(command, args), env, key);
    }

    public ShardRange shards() {
        return shape.shards();
    }

    public int devicesPerShard() {
        return shape.devicesPerShard();
    }

    public Workload workload() {
        return shape.workload();
    }

    public long globalBatch() {
        return shape.globalBatch();
    }

    public List<Precision> precisions() {
        return hardware.precisions();
    }

    public PrecisionPolicy precisionPolicy() {
        return hardware.precisionPolicy();
    }

    public VendorPolicy vendorPolicy() {
        return hardware.vendorPolicy();
    }

    public List<String> chipTypes() {
        return hardware.chipTypes();
    }

    public Map<String, Double> efficiency() {
        return hardware.efficiency();
    }

    /**
     * The full worker argv: command then args, or with {@code shell}, {@code /bin/sh -c "<command joined>"}
     * with the args as the script's positional parameters.
     */
    public List<String> argv() {
        return argv(command(), args());
    }

    private List<String> argv(List<String> command, List<String> args) {
        if (shell()) {
            List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c", String.join(" ", command), "tessera-job"));
            argv.addAll(args);
            return argv;
        }
        return Stream.concat(command.stream(), args.stream()).toList();
    }

    /** The job's whole worker environment, secrets included: for agents only. */
    public Map<String, String> workerEnv() {
        Map<String, String> all = new LinkedHashMap<>(env());
        all.putAll(secretEnv());
        return all;
    }

    /** A shard count range, {@code 1 <= min <= max}. */
    public record ShardRange(int min, int max) {
        public boolean elastic() {
            return min < max;
        }
    }

    /**
     * What one sample costs. Either {@code parameters} and {@code tokensPerSample} are set, or
     * {@code flopsPerSample} and {@code memoryPerShardGiB} are. {@code activationGiBPerSample}
     * optionally overrides the activation-memory estimate.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Workload(Double parameters, Long tokensPerSample, Double flopsPerSample, Double memoryPerShardGiB,
                           Double activationGiBPerSample) {
        /** Training FLOPs per sample: 6 x parameters x tokens, or the explicit figure. */
        public double trainingFlopsPerSample() {
            if (flopsPerSample != null) {
                return flopsPerSample;
            }
            return 6.0 * parameters * tokensPerSample;
        }
    }

    /**
     * Queueing hints and how the job starts.
     *
     * @param steps              optimizer steps the job runs, if known: with the plan's step time it predicts
     *                           how long the job takes, so it may backfill before a reservation
     * @param preemptible        false asks never to be preempted; its queue must allow it ({@code maxNonPreemptible})
     * @param allowUnschedulable true accepts a job that no state of the fleet could hold (it waits,
     *                           marked UNSCHEDULABLE); otherwise such a job is refused at submit
     * @param resumeFrom         the id of an earlier job of the same owner whose checkpoints this one
     *                           resumes; null starts from a fresh checkpoint directory
     * @param profileKey         the class whose learned throughput seeds this job's placement and which
     *                           this job's measurements teach; null: the job's name
     * @param restartCostSec     what one restart costs this job, in seconds: saving its checkpoint, restoring
     *                           it and starting its workers (spec key {@code scheduling.restartCostSec}); preemption
     *                           weighs it against other victims'. Null: measured, or the cluster's default
     * @param recovery           the cheaper recovery rungs the job's workers support (spec key {@code recovery});
     *                           null: none, every failure restarts the gang from its last checkpoint
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Scheduling(Long steps, Boolean preemptible, Boolean allowUnschedulable, String resumeFrom,
                             String profileKey, Double restartCostSec, Recovery recovery) {
        public static final Scheduling DEFAULT = new Scheduling(null, null, null, null, null, null, null);

        public Scheduling(Long steps, Boolean preemptible, Boolean allowUnschedulable, String resumeFrom,
                          String profileKey, Double restartCostSec) {
            this(steps, preemptible, allowUnschedulable, resumeFrom, profileKey, restartCostSec, null);
        }

        public Scheduling(Long steps, Boolean preemptible, Boolean allowUnschedulable, String resumeFrom,
                          String profileKey) {
            this(steps, preemptible, allowUnschedulable, resumeFrom, profileKey, null);
        }

        /** What the job declared it supports; {@link Recovery#NONE} when it declared nothing. */
        public Recovery recoveryOrNone() {
            return recovery == null ? Recovery.NONE : recovery;
        }

        public Scheduling(Long steps, Boolean preemptible) {
            this(steps, preemptible, null, null, null);
        }

        public Scheduling(Long steps, Boolean preemptible, Boolean allowUnschedulable, String resumeFrom) {
            this(steps, preemptible, allowUnschedulable, resumeFrom, null, null);
        }

        public boolean mayBePreempted() {
            return preemptible == null || preemptible;
        }

        public boolean mayBeUnschedulable() {
            return allowUnschedulable != null && allowUnschedulable;
        }
    }

    /**
     * The recovery rungs below a gang restart that a job's workers support (docs/worker-contract.md,
     * "Recovery"). A gang restart from the last checkpoint stays the last rung whatever is declared.
     *
     * @param processRestarts   how many times per attempt a shard's worker that failed on a healthy node is
     *                          restarted in place while its peers keep running and re-form the gang with it
     *                          (spec key {@code recovery.processRestarts}); 0, the default, turns the rung off
     * @param shardReplacements how many times per attempt the shards of a lost node are placed again alone, on
     *                          free devices of the same chip type, while the other shards keep running and re-form
     *                          the gang with them (spec key {@code recovery.shardReplacements}); 0, the default: off
     */
    public record Recovery(int processRestarts, int shardReplacements) {
        public static final Recovery NONE = new Recovery(0, 0);

        public Recovery(int processRestarts) {
            this(processRestarts, 0);
        }
    }

    /**
     * Vendor options; a null field means "use the cluster default".
     *
     * @param maxVendorShare the largest fraction of the job's predicted throughput one vendor may carry
     * @param minVendors     the fewest distinct vendors the job must span
     * @param vendors        the only vendors it may run on (spec key {@code vendors}; empty: any)
     * @param excludeVendors vendors it must not run on (spec key {@code excludeVendors})
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record VendorPolicy(Double maxVendorShare, Integer minVendors, List<String> vendors, List<String> excludeVendors) {
        public static final VendorPolicy DEFAULT = new VendorPolicy(null, null);

        public VendorPolicy {
            vendors = vendors == null ? List.of() : List.copyOf(vendors);
            excludeVendors = excludeVendors == null ? List.of() : List.copyOf(excludeVendors);
        }

        public VendorPolicy(Double maxVendorShare, Integer minVendors) {
            this(maxVendorShare, minVendors, List.of(), List.of());
        }

        /** Whether a chip of {@code vendor} may run the job. */
        public boolean allows(String vendor) {
            return (vendors.isEmpty() || vendors.contains(vendor)) && !excludeVendors.contains(vendor);
        }
    }

    /** Whether the job may run on {@code chip}: its chipTypes (empty: any) and its vendors allow it. */
    public boolean allows(ChipType chip) {
        return (chipTypes().isEmpty() || chipTypes().contains(chip.id())) && vendorPolicy().allows(chip.vendor());
    }
}
