package io.tessera.scheduler.api;

import io.tessera.scheduler.auth.Role;
import io.tessera.scheduler.state.ProfileStore;
import io.vertx.ext.web.Router;
import java.util.Map;

/**
 * {@code /v1/profiles}: the throughput each job class was measured at, per chip type and
 * precision, which seeds the next placement of that class. Admins read them and reset one (the
 * class's next job is placed on the catalog's estimates again). Job names are a tenant's own, so
 * other users see what was learned only in their own jobs' views.
 */
final class ProfileRoutes {
    private final ProfileStore profiles;
    private final Blocking blocking;

    ProfileRoutes(ProfileStore profiles, Blocking blocking) {
        this.profiles = profiles;
        this.blocking = blocking;
    }

    void mount(Router router) {
        router.get("/v1/profiles").handler(ctx -> {
            if (Access.require(ctx, Role.ADMIN)) {
                blocking.respond(ctx, 200, () -> Map.of("profiles", profiles.all().values()));
            }
        });
        router.delete("/v1/profiles/:key").handler(ctx -> {
            if (Access.require(ctx, Role.ADMIN)) {
                String key = ctx.pathParam("key");
                blocking.respond(ctx, 200, () -> {
                    if (!profiles.delete(key)) {
                        throw new Problems.NotFound("no throughput profile '" + Problems.truncate(key) + "'");
                    }
                    return Map.of("deleted", key);
                });
            }
        });
    }
}
