package io.tessera.scheduler.service;

import io.tessera.scheduler.model.EventType;
import java.util.ArrayList;
import java.util.stream.Collectors;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.tessera.config.LimitsConfig;
import io.tessera.config.WorkersConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import io.tessera.config.ValidationError;
import io.tessera.config.ValidationException;
import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.config.Documents;
import io.tessera.config.JobSpec;
import io.tessera.config.JobSpecParser;
import io.tessera.scheduler.model.JobEvent;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.JobTelemetry;
import io.tessera.scheduler.model.JobState;
import io.tessera.scheduler.limits.UserLimits;
import io.tessera.scheduler.limits.TooManyRequests;
import io.tessera.scheduler.security.SecretBox;
import io.tessera.scheduler.state.ClusterStore;
import io.tessera.scheduler.state.JobHistory;
import io.tessera.scheduler.state.UsageLedger;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What users can do with jobs: submit, read, list, cancel. Blocking; callers keep it off event loops.
 * A submission is stored before it is acknowledged; a cancel only flags the job, and the leader finishes it.
 */
public final class JobService {
    private final ClusterStore store;
    private final JobSpecParser parser;
    private final Clock clock;
    private final SecretBox secrets;

    private final LimitsConfig limits;
    private final JobHistory history;

    private final FleetFit fleetFit;
    private volatile int[] jobUids = WorkersConfig.DEFAULT.range();

    /** Whether any state of the fleet could hold a job: the reason it never could, or empty. */
    @FunctionalInterface
    public interface FleetFit {
        Optional<String> neverFits(JobSpec spec);
    }

    public JobService(ClusterStore store, JobSpecParser parser, Clock clock, SecretBox secrets,
                      LimitsConfig limits, JobHistory history) {
        this(store, parser, clock, secrets, limits, history, spec -> Optional.empty());
    }

    /** @param fleetFit refuses at submit a job no state of the fleet could hold, unless it allows that */
    public JobService(ClusterStore store, JobSpecParser parser, Clock clock, SecretBox secrets,
                      LimitsConfig limits, JobHistory history, FleetFit fleetFit) {
        this.fleetFit = fleetFit;
        this.limits = limits;
        this.history = history;
        this.store = store;
        this.parser = parser;
        this.clock = clock;
        this.secrets = secrets;
    }

    /** Allocates jobs' uids from {@code workers.jobUids} (null range: none, agents pick per node). */
    public JobService jobUidsFrom(WorkersConfig workers) {
        this.jobUids = workers.range();
        return this;
    }

    /** Validates and queues a job for a user in no groups. */
    public JobRecord submit(byte[] body, String contentType, String owner) {
        return submit(body, contentType, new Submitter(owner, Set.of(), false));
    }

    /**
     * Who submits: the user, their groups, and whether they are an admin (who may ask for a
     * priority above a queue's {@code maxPriority}, up to {@link QueueAdmission#ADMIN_MAX_PRIORITY}).
     */
    public record Submitter(String user, Set<String> groups, boolean admin) {
    }

    /**
     * Validates and queues a job.
     *
     * @throws ValidationException listing every problem
     * @throws Forbidden when the user may not submit to the job's queue
     */
    public JobRecord submit(byte[] body, String contentType, Submitter who) {
        JsonNode doc = Documents.parse(body, contentType);
        JobSpec parsed = QueueAdmission.admit(store, store, parser.parse(doc), doc.hasNonNull("priority"), who);
        refuseSealedLookalikes(parsed);
        return queue(parsed, who.user(), "submitted to queue " + parsed.queue() + " by " + who.user());
    }

    /**
     * Submits {@code old}'s spec again as a new job (its secrets included), with a fresh checkpoint
     * directory unless the spec resumes one; the caller has checked that the user may see {@code old}.
     */
    public JobRecord resubmit(JobRecord old, Submitter who) {
        JobSpec spec = old.spec().withSecretEnv(secrets.open(old.id(), old.spec().secretEnv()));
        JobSpec admitted = QueueAdmission.admit(store, store, spec, true, who);
        return queue(admitted, who.user(), "resubmitted from " + old.id() + " to queue " + admitted.queue() + " by "
                + who.user());
    }

    private JobRecord queue(JobSpec parsed, String owner, String why) {
        refuseNeverFitting(parsed);
        refuseBadResume(parsed, owner);
        long bytes = specBytes(parsed);
        if (parsed.checkpointDir() != null) {
            store.claimCheckpointDir(parsed.checkpointDir(), owner).ifPresent(other -> {
                throw new ValidationException("checkpointDir", "is, contains or is inside a checkpoint "
                        + "directory another user's job uses; name a directory of your own");
            });
        }
        // The user's limits are checked and the job inserted in one step under the user's
        // cluster-wide lock, against usage every member updates there (issue 27, N5).
        return store.exclusively("user/" + owner, () -> {
            UsageLedger.Entry before = usage(owner);
            UserLimits.check(owner, new UserLimits.Usage(before.jobs(), before.specBytes()), bytes, limits);
            JobRecord job = parsed.scheduling().mayBePreempted() ? insert(parsed, owner, why)
                    : store.exclusively("non-preemptible/" + parsed.queue(), () -> {
                        QueueAdmission.checkNonPreemptible(store, store, parsed);
                        return insert(parsed, owner, why);
                    });
            store.usageLedger().put(owner, new UsageLedger.Entry(before.jobs() + 1, before.specBytes() + bytes,
                    before.countedAtMs()));
            return job;
        });
    }

    private JobRecord insert(JobSpec parsed, String owner, String why) {
        long seq = store.nextSequence();
        String id = "job-" + Long.toString(seq, 36);
        JobSpec spec = parsed.withSecretEnv(secrets.seal(id, parsed.secretEnv()));
        String now = clock.instant().toString();
        JobRecord job = JobRecord.submitted(new JobRecord.Identity(id, seq, owner, now, uidFor(id)), spec, why);
        store.insertJob(job);
        return job;
    }

    /** How long a user's counted usage is reused before it is counted again from state. */
    private static final long USAGE_TTL_MS = 2000;

    /**
     * What {@code owner}'s live (not yet finished) jobs hold: counted from state at most every
     * {@value #USAGE_TTL_MS} ms, and in between grown by every member's accepted submissions in the
     * shared ledger; call it under the user's lock.
     */
    private UsageLedger.Entry usage(String owner) {
        long now = clock.millis();
        Optional<UsageLedger.Entry> c = store.usageLedger().get(owner);
        if (c.isPresent() && now - c.get().countedAtMs() < USAGE_TTL_MS && c.get().countedAtMs() <= now) {
            return c.get();
        }
        UserLimits.Usage counted = UserLimits.of(store.jobs().stream().filter(j -> owner.equals(j.owner()) && !j.state().terminal())
                .map(j -> specBytes(j.spec())).toList());
        return new UsageLedger.Entry(counted.jobs(), counted.specBytes(), now);
    }

    /**
     * A uid for the job's workers, unique across the fleet among live jobs (issue 27, N12); null when
     * agents pick one per node. A uid whose job finished (or left the state) is taken back only when
     * no fresh one is found.
     */
    private Integer uidFor(String jobId) {
        int[] range = jobUids;
        if (range == null) {
            return null;
        }
        return store.jobUids().allocate(jobId, range[0], range[1],
                        holder -> store.job(holder).map(j -> j.state().terminal()).orElse(true))
                .stream().boxed().findFirst().orElseThrow(() -> new TooManyRequests("every uid in workers.jobUids "
                        + range[0] + "-" + range[1] + " belongs to a live job; retry when jobs have finished", 60));
    }

    private static long specBytes(JobSpec spec) {
        try {
            return Documents.json().writeValueAsBytes(spec).length;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private void refuseNeverFitting(JobSpec spec) {
        if (!spec.scheduling().mayBeUnschedulable()) {
            fleetFit.neverFits(spec).ifPresent(why -> {
                throw new ValidationException("$", "no state of this fleet could ever hold this job: "
                        + why + "; set allowUnschedulable: true to queue it anyway");
            });
        }
    }

    /** {@code resumeFrom} must name a finished job of the same owner with a checkpoint directory of its own. */
    private void refuseBadResume(JobSpec spec, String owner) {
        String from = spec.scheduling().resumeFrom();
        if (from == null) {
            return;
        }
        Optional<JobRecord> old = job(from).filter(j -> owner.equals(j.owner()));
        String problem = old.isEmpty() ? "names no job of yours"
                : !old.get().state().terminal() ? "names a job that has not finished; cancel it first"
                : old.get().spec().checkpointDir() == null || spec.checkpointDir() == null
                        ? "needs checkpointDir set, on both jobs (the resumed job's directory is checkpointDir/" + from + ")"
                : !old.get().spec().checkpointDir().equals(spec.checkpointDir())
                        ? "names a job with another checkpointDir (" + old.get().spec().checkpointDir() + ")" : null;
        if (problem != null) {
            throw new ValidationException("resumeFrom", problem);
        }
    }

    /** A plain value that looks sealed would be taken for one on delivery: refuse it. */
    private static void refuseSealedLookalikes(JobSpec spec) {
        List<ValidationError> errors = new ArrayList<>();
        spec.env().forEach((k, v) -> {
            if (v.startsWith(SecretBox.PREFIX)) {
                errors.add(new ValidationError("env." + k, "must not start with " + SecretBox.PREFIX));
            }
        });
        spec.secretEnv().forEach((k, v) -> {
            if (v.startsWith(SecretBox.PREFIX)) {
                errors.add(new ValidationError("secretEnv." + k, "must not start with " + SecretBox.PREFIX));
            }
        });
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
    }

    /** A job, live or finished (from the history). */
    public Optional<JobRecord> job(String id) {
        Optional<JobRecord> hot = store.job(id);
        return hot.isPresent() ? hot : history.get(id);
    }

    /** A job's training curve: from hot state while the job is there, else from the history. */
    public Optional<JobTelemetry> telemetry(String id) {
        Optional<JobTelemetry> hot = store.telemetry().get(id);
        return hot.isPresent() ? hot : history.telemetry(id);
    }

    /** A page of jobs, newest first, live and finished alike, and the cursor of the next page (null at the end). */
    public record Page(List<JobRecord> jobs, String nextCursor) {
    }

    /** The page of jobs {@code q} selects: the hot ones and the history's, merged by submission order. */
    public Page jobs(JobHistory.Query q) {
        Map<String, JobRecord> merged = new LinkedHashMap<>();
        store.jobs().stream().filter(q::matches).sorted(Comparator.comparingLong(JobRecord::seq).reversed())
                .limit(q.limit()).forEach(j -> merged.put(j.id(), j));
        history.page(q).forEach(j -> merged.putIfAbsent(j.id(), j));
        List<JobRecord> page = merged.values().stream().sorted(Comparator.comparingLong(JobRecord::seq).reversed())
                .limit(q.limit()).toList();
        String next = page.size() < q.limit() ? null : Long.toString(page.get(page.size() - 1).seq(), 36);
        return new Page(page, next);
    }

    /** The ids of the jobs {@code owner} submitted. */
    public Set<String> idsOwnedBy(String owner) {
        return store.jobs().stream().filter(j -> owner.equals(j.owner())).map(JobRecord::id)
                .collect(Collectors.toSet());
    }

    /** Flags a job for cancellation; a finished job is returned unchanged. Empty if unknown. */
    public Optional<JobRecord> cancel(String id) {
        String now = clock.instant().toString();
        return store.updateJob(id, j -> j.state().terminal() || j.cancelRequested() ? j
                : j.withCancelRequested().withEvent(new JobEvent(now, EventType.CANCEL_REQUESTED, "cancel requested")));
    }
}
