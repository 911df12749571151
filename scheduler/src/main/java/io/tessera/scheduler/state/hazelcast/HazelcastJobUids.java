package io.tessera.scheduler.state.hazelcast;

import com.hazelcast.map.IMap;
import io.tessera.scheduler.state.JobUids;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Predicate;

/** {@link JobUids} on one Hazelcast map, uid to job id (shared by the members, not written to the database). */
final class HazelcastJobUids implements JobUids {
    private final IMap<String, String> map;
    private final Slots slots;

    HazelcastJobUids(IMap<String, String> map) {
        this.map = map;
        this.slots = new Slots() {
            @Override
            public String claim(int uid, String job) {
                return map.putIfAbsent(Integer.toString(uid), job);
            }

            @Override
            public boolean replace(int uid, String expected, String job) {
                return map.replace(Integer.toString(uid), expected, job);
            }
        };
    }

    @Override
    public OptionalInt allocate(String jobId, int first, int last, Predicate<String> finished) {
        return JobUids.allocate(slots, jobId, first, last, finished);
    }

    @Override
    public Optional<String> holder(int uid) {
        return Optional.ofNullable(map.get(Integer.toString(uid)));
    }

    @Override
    public void adopt(String jobId, int uid) {
        map.putIfAbsent(Integer.toString(uid), jobId);
    }
}
