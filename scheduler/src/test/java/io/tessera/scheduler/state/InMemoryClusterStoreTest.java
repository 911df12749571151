package io.tessera.scheduler.state;

/** The store contract on the in-memory store. */
class InMemoryClusterStoreTest extends ClusterStoreContract {
    @Override
    ClusterStore store() {
        return new InMemoryClusterStore();
    }
}
