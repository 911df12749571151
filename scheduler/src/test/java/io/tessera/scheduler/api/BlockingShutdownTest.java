package io.tessera.scheduler.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Regression: on SIGTERM, long-poll timers fired into the closed worker pool, and each threw
 * RejectedExecutionException on the event loop (logged as an ERROR, 74-350 per stop). Work handed
 * to a closed pool now fails its future with {@link Blocking.ShuttingDown} instead of throwing.
 */
class BlockingShutdownTest {
    @Test
    void workForAClosedPoolFailsItsFutureInsteadOfThrowing() throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            WorkerExecutor pool = vertx.createSharedWorkerExecutor("closing-" + System.nanoTime(), 1);
            Blocking blocking = new Blocking(pool);
            assertThat(blocking.call(() -> 42).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS))
                    .isEqualTo(42);
            pool.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            Future<Integer> after = blocking.call(() -> 43);
            assertThat(after.failed()).isTrue();
            assertThat(after.cause()).isInstanceOf(Blocking.ShuttingDown.class);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
