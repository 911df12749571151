package io.tessera.scheduler.state;

import io.tessera.scheduler.state.hazelcast.HazelcastMember;
import io.tessera.scheduler.state.hazelcast.HazelcastClusterStore;
import io.tessera.config.ConfigLoader;
import io.tessera.config.Documents;
import com.hazelcast.core.HazelcastInstance;
import io.tessera.config.SchedulerConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;

/** The store contract on a real Hazelcast member (memory-only state, a cluster name of its own per store). */
class HazelcastClusterStoreTest extends ClusterStoreContract {
    private final List<HazelcastInstance> members = new ArrayList<>();

    @Override
    ClusterStore store() {
        SchedulerConfig config = ConfigLoader.bind(Documents.json().createObjectNode()
                .put("clusterName", "contract-" + UUID.randomUUID()).put("dataDir", "none"), SchedulerConfig.class);
        HazelcastInstance hz = HazelcastMember.start(config);
        members.add(hz);
        return new HazelcastClusterStore(hz);
    }

    @AfterEach
    void stop() {
        members.forEach(HazelcastInstance::shutdown);
    }
}
