package io.tessera.scheduler.policy;

import io.tessera.scheduler.model.JobRecord;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Chooses which running jobs to preempt so a waiting gang fits. Pure: the caller says which jobs
 * may be preempted, what each would lose, and whether the gang fits with a given set gone.
 * <ol>
 *   <li>Candidates are ranked by priority (lowest first), then by lost work (least first: the
 *       time since each one's last checkpoint), then by id.</li>
 *   <li>If one candidate is enough, the first such in that order is the only victim.</li>
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

    /** A job that may be preempted, with the work it would lose (seconds since its last checkpoint). */
    public record Candidate(JobRecord job, double lostWorkSec) {
    }

    static final Comparator<Candidate> RANK = Comparator.comparingInt((Candidate c) -> c.job().spec().priority())
            .thenComparingDouble(Candidate::lostWorkSec).thenComparing(c -> c.job().id());

    /**
     * @param candidates the jobs that may be preempted for this gang
     * @param fits       whether the gang fits (and is admitted) with these jobs' devices free
     * @return the victims, or empty when preempting cannot make the gang fit
     */
    public static Optional<List<JobRecord>> select(List<Candidate> candidates, Predicate<List<JobRecord>> fits) {
        List<Candidate> ranked = new ArrayList<>(candidates);
        ranked.sort(RANK);
        if (ranked.size() > MAX_CANDIDATES) {
            ranked = ranked.subList(0, MAX_CANDIDATES);
        }
        for (Candidate c : ranked) {
            if (fits.test(List.of(c.job()))) {
                return Optional.of(List.of(c.job()));
            }
        }
        List<JobRecord> chosen = new ArrayList<>();
        boolean fit = false;
        for (Candidate c : ranked) {
            chosen.add(c.job());
            if (fits.test(chosen)) {
                fit = true;
                break;
            }
        }
        if (!fit) {
            return Optional.empty();
        }
        for (int i = chosen.size() - 1; i >= 0 && chosen.size() > 1; i--) {
            List<JobRecord> without = new ArrayList<>(chosen);
            without.remove(i);
            if (fits.test(without)) {
                chosen = without;
            }
        }
        return Optional.of(List.copyOf(chosen));
    }
}
