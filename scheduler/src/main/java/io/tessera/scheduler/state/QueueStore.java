package io.tessera.scheduler.state;

import io.tessera.config.QueueSpec;
import java.util.Map;
import java.util.Optional;

/** The queues admins defined (the implicit default queue is not stored). Blocking, thread-safe. */
public interface QueueStore {
    /** The queues admins defined, by name. */
    Map<String, QueueSpec> queues();

    Optional<QueueSpec> queue(String name);

    /** Creates or replaces a queue definition. */
    void putQueue(QueueSpec queue);

    /** Removes a queue definition; false if there was none. */
    boolean deleteQueue(String name);
}
