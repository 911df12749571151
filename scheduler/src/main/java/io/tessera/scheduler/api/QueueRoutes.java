package io.tessera.scheduler.api;

import io.tessera.scheduler.auth.Principal;
import io.tessera.scheduler.auth.Role;
import io.tessera.scheduler.service.QueueService;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;

/**
 * {@code /v1/queues}: everyone signed in reads queues and their usage; admins define, replace
 * and remove them. Decisions are in {@link QueueService}.
 */
final class QueueRoutes {
    private final QueueService queues;
    private final Blocking blocking;

    QueueRoutes(QueueService queues, Blocking blocking) {
        this.queues = queues;
        this.blocking = blocking;
    }

    void mount(Router router) {
        router.get("/v1/queues").handler(ctx -> {
            if (Access.require(ctx, Role.USER, Role.ADMIN)) {
                Principal p = Access.principal(ctx);
                blocking.respond(ctx, 200, () -> Map.of("queues", queues.list().stream()
                        .map(q -> q.shownTo(p.subject(), p.isAdmin())).toList()));
            }
        });
        router.get("/v1/queues/:name").handler(ctx -> {
            if (Access.require(ctx, Role.USER, Role.ADMIN)) {
                Principal p = Access.principal(ctx);
                blocking.respond(ctx, 200, () -> queues.get(ctx.pathParam("name")).map(q -> q.shownTo(p.subject(),
                        p.isAdmin())).orElseThrow(() -> notFound(ctx)));
            }
        });
        router.put("/v1/queues/:name").handler(ctx -> {
            if (Access.require(ctx, Role.ADMIN)) {
                byte[] body = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
                String type = ctx.request().getHeader("Content-Type");
                blocking.respond(ctx, 200, () -> queues.put(ctx.pathParam("name"), body, type));
            }
        });
        router.delete("/v1/queues/:name").handler(ctx -> {
            if (Access.require(ctx, Role.ADMIN)) {
                blocking.respond(ctx, 200, () -> {
                    if (!queues.delete(ctx.pathParam("name"))) {
                        throw notFound(ctx);
                    }
                    return Map.of("deleted", ctx.pathParam("name"));
                });
            }
        });
    }

    private static Problems.NotFound notFound(RoutingContext ctx) {
        return new Problems.NotFound("no queue '" + Problems.truncate(ctx.pathParam("name")) + "'");
    }
}
