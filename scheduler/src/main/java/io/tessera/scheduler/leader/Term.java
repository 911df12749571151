package io.tessera.scheduler.leader;

/**
 * A leadership term: the member that leads and the fencing epoch it claimed. Every commit of a
 * plan carries its term, and the commit is refused unless that term is still the current one, so
 * a deposed leader's late commits never land.
 *
 * @param member    the leader's Hazelcast member id
 * @param epoch     increases with every new term, across restarts
 * @param startedMs when this member became leader (liveness grace starts here)
 */
public record Term(String member, long epoch, long startedMs) {
}
