package io.tessera.scheduler.api;

import io.tessera.scheduler.auth.Authenticator;
import io.tessera.scheduler.auth.Principal;
import io.tessera.scheduler.auth.Role;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Set;

/**
 * Authentication and authorisation at the edge. Every {@code /v1} request but enrollment, the
 * sign-in settings and the OpenAPI contract needs
 * {@code Authorization: Bearer <token>}: a missing, malformed, forged or expired token is a 401
 * problem; a valid token of the wrong role is a 403 problem.
 */
final class Access {
    static final String PRINCIPAL = "tessera.principal";
    private static final Set<String> OPEN = Set.of("/v1/agents/enroll", OpenApiRoute.PATH, SignInRoutes.PATH);

    private Access() {
    }

    /** The route handler that authenticates. */
    static void authenticate(RoutingContext ctx, Authenticator auth, Blocking blocking, ConnectionGuard guard) {
        if (OPEN.contains(ctx.normalizedPath())) {
            ctx.next();
            return;
        }
        List<String> headers = ctx.request().headers().getAll("Authorization");
        String h = headers.size() == 1 ? headers.get(0) : null;
        if (h == null || !h.regionMatches(true, 0, "Bearer ", 0, 7) || h.length() > 8192 || h.substring(7).isBlank()) {
            unauthorized(ctx, headers.size() > 1 ? "send one Authorization header" : "send Authorization: Bearer <token>");
            return;
        }
        String token = h.substring(7).strip();
        blocking.call(() -> auth.authenticate(token)).onSuccess(p -> {
            if (p.isPresent()) {
                ctx.put(PRINCIPAL, p.get());
                if (!guard.overUser(ctx, p.get())) {
                    ctx.next();
                }
            } else if (!guard.overAddress(ctx)) {
                unauthorized(ctx, "the token is not valid (unknown, forged, expired or revoked)");
            }
        }).onFailure(e -> Problems.fail(ctx, e));
    }

    static Principal principal(RoutingContext ctx) {
        return ctx.get(PRINCIPAL);
    }

    /** True when the caller has one of {@code roles}; otherwise answers 403 and returns false. */
    static boolean require(RoutingContext ctx, Role... roles) {
        Principal p = principal(ctx);
        for (Role r : roles) {
            if (p != null && p.role() == r) {
                return true;
            }
        }
        forbidden(ctx, "this needs the " + List.of(roles).toString().toLowerCase() + " role");
        return false;
    }

    /** True when the caller is the agent of {@code node}; otherwise answers 403. */
    static boolean requireAgentOf(RoutingContext ctx, String node) {
        Principal p = principal(ctx);
        if (p != null && p.isAgentOf(node)) {
            return true;
        }
        forbidden(ctx, "only the agent of node '" + Problems.truncate(node) + "' may do this");
        return false;
    }

    static void forbidden(RoutingContext ctx, String detail) {
        Problems.send(ctx, 403, "Forbidden", detail, List.of());
    }

    static void unauthorized(RoutingContext ctx, String detail) {
        ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"tessera\"");
        Problems.send(ctx, 401, "Unauthorized", detail, List.of());
    }
}
