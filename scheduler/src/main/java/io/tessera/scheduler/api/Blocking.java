package io.tessera.scheduler.api;

import java.util.concurrent.RejectedExecutionException;
import io.tessera.config.Documents;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.Callable;

/**
 * Runs blocking state calls on a worker pool, never on the event loop, and writes the result as
 * JSON (or the failure as problem+json).
 */
public final class Blocking {
    private final WorkerExecutor workers;

    public Blocking(WorkerExecutor workers) {
        this.workers = workers;
    }

    /**
     * Runs {@code work} on the pool. Once the pool is closed (the member is stopping; a long-poll's
     * timer may still fire) the future fails with {@link ShuttingDown}; nothing is thrown.
     */
    public <T> Future<T> call(Callable<T> work) {
        try {
            return workers.executeBlocking(work, false);
        } catch (RejectedExecutionException e) {
            return Future.failedFuture(new ShuttingDown());
        }
    }

    /** The member is stopping: its worker pools take no more work. */
    public static final class ShuttingDown extends RuntimeException {
        public ShuttingDown() {
            super("the scheduler is shutting down", null, false, false);
        }
    }

    /**
     * Runs {@code work} and responds with its result as JSON and {@code status}. The JSON is written
     * on the worker too, so a large answer never holds up the event loop.
     */
    public <T> void respond(RoutingContext ctx, int status, Callable<T> work) {
        call(() -> Documents.json().writeValueAsString(work.call())).onSuccess(text -> {
            if (!ctx.response().ended() && !ctx.response().closed()) {
                ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(text);
            }
        }).onFailure(e -> Problems.fail(ctx, e));
    }

    public static void json(RoutingContext ctx, int status, Object body) {
        if (ctx.response().ended() || ctx.response().closed()) {
            return;
        }
        try {
            ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                    .end(Documents.json().writeValueAsString(body));
        } catch (Exception e) {
            Problems.fail(ctx, e);
        }
    }
}
