package io.tessera.scheduler.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.tessera.scheduler.health.HealthMonitor;
import io.tessera.scheduler.state.LeaderClaims.LeaderClaim;
import java.util.List;
import java.util.Optional;

/**
 * {@code GET /v1/cluster}: the scheduler members, oldest first, and which one leads the scheduling
 * loop. The leader is the member holding the latest fencing claim while it is still a member; the
 * claim's epoch counts the terms since the cluster's state began.
 *
 * @param leader   the leading member, or null while none holds a claim (a new oldest member claims at its next pass)
 * @param epoch    the latest claim's fencing epoch (0: none yet)
 * @param members  every member, oldest first
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record MembersView(Entry leader, long epoch, List<Entry> members) {
    /** One member: its id and address, whether it leads, and whether it answered this call. */
    record Entry(String id, String address, boolean leads, boolean self) {
    }

    static MembersView of(List<HealthMonitor.Member> members, Optional<LeaderClaim> claim) {
        String leads = claim.map(LeaderClaim::member).orElse(null);
        List<Entry> entries = members.stream().map(m -> new Entry(m.id(), m.address(), m.id().equals(leads), m.self()))
                .toList();
        return new MembersView(entries.stream().filter(Entry::leads).findFirst().orElse(null),
                claim.map(LeaderClaim::epoch).orElse(0L), entries);
    }
}
