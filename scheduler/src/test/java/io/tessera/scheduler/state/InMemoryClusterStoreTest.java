package io.tessera.scheduler.state;

import io.tessera.scheduler.state.memory.InMemoryClusterStore;

/** The store contract on the in-memory store. */
class InMemoryClusterStoreTest extends ClusterStoreContract {
    @Override
    ClusterStore store() {
        return new InMemoryClusterStore();
    }
}
