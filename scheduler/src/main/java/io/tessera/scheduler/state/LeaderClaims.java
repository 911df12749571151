package io.tessera.scheduler.state;

import java.util.Optional;

/**
 * The leadership claims: each new leader claims a fencing epoch one higher than any before, and
 * the {@link PlanApplier} refuses every change made under an older one.
 */
public interface LeaderClaims {
    /** The current leadership claim: member id and fencing epoch. */
    record LeaderClaim(String member, long epoch) {
    }

    /** Claims leadership for {@code member}: a new epoch, one higher than any before. */
    LeaderClaim claimLeadership(String member);

    /** The latest claim, if any member ever led: who leads (or last led) and under which epoch. */
    Optional<LeaderClaim> currentClaim();
}
