package io.tessera.scheduler.api;

import io.tessera.scheduler.auth.Principal;
import io.vertx.ext.web.Router;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Signing in: {@code GET /v1/auth} (open) tells a client how this scheduler authenticates, and in
 * oidc mode which provider and client id to sign in with; {@code GET /v1/whoami} tells a caller
 * who the scheduler takes it for.
 */
final class SignInRoutes {
    static final String PATH = "/v1/auth";
    private final Supplier<Map<String, Object>> login;
    private final Blocking blocking;

    SignInRoutes(Supplier<Map<String, Object>> login, Blocking blocking) {
        this.login = login;
        this.blocking = blocking;
    }

    void mount(Router router) {
        router.get(PATH).handler(ctx -> blocking.respond(ctx, 200, login::get));
        router.get("/v1/whoami").handler(ctx -> {
            Principal p = Access.principal(ctx);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("subject", p.subject());
            body.put("role", p.role().name().toLowerCase(Locale.ROOT));
            body.put("groups", p.groups().stream().sorted().toList());
            Blocking.json(ctx, 200, body);
        });
    }
}
