package io.tessera.scheduler.state.hazelcast;

import io.tessera.scheduler.leader.Leadership;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import java.util.Iterator;

/** Hazelcast leadership: the oldest member of the cluster (the first in the member list) leads. */
public final class OldestMemberLeadership implements Leadership {
    private final HazelcastInstance hz;

    public OldestMemberLeadership(HazelcastInstance hz) {
        this.hz = hz;
    }

    @Override
    public boolean isLeader() {
        if (!hz.getLifecycleService().isRunning()) {
            return false;
        }
        Iterator<Member> members = hz.getCluster().getMembers().iterator();
        return members.hasNext() && members.next().localMember();
    }
}
