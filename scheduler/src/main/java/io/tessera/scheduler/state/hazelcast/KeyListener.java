package io.tessera.scheduler.state.hazelcast;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import java.util.function.Consumer;

/** Passes the key of every added, updated or removed entry on. */
record KeyListener(Consumer<String> keys) implements EntryAddedListener<String, String>,
        EntryUpdatedListener<String, String>, EntryRemovedListener<String, String> {
    @Override
    public void entryAdded(EntryEvent<String, String> e) {
        keys.accept(e.getKey());
    }

    @Override
    public void entryUpdated(EntryEvent<String, String> e) {
        keys.accept(e.getKey());
    }

    @Override
    public void entryRemoved(EntryEvent<String, String> e) {
        keys.accept(e.getKey());
    }
}
