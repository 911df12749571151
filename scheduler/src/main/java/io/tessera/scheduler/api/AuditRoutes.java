package io.tessera.scheduler.api;

import io.tessera.config.ValidationException;
import io.tessera.scheduler.audit.AuditActions;
import io.tessera.scheduler.audit.AuditTrail;
import io.tessera.scheduler.auth.Principal;
import io.tessera.scheduler.auth.Role;
import io.tessera.scheduler.model.AuditRecord;
import io.tessera.scheduler.state.AuditLog;
import io.vertx.core.MultiMap;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The audit trail at the edge. Every request passes {@link #recorder} first, which, when the
 * response has ended, records each state-changing call (whatever its result) and each refused
 * one (401, 403, sampled per address) to the {@link AuditTrail}. Handlers may name the target
 * ({@link #TARGET}) when the path does not (a new job's id). {@code GET /v1/audit} (admins)
 * reads the trail, newest first, with filters and a cursor.
 */
final class AuditRoutes {
    /** Context key: what a call acted on, when its path does not say. */
    static final String TARGET = "tessera.audit.target";
    /** Context key: the problem a call ended with. */
    static final String DETAIL = "tessera.audit.detail";
    private static final int MAX_LIMIT = 1000;
    private final AuditTrail trail;
    private final Blocking blocking;
    private final Clock clock;

    AuditRoutes(AuditTrail trail, Blocking blocking, Clock clock) {
        this.trail = trail;
        this.blocking = blocking;
        this.clock = clock;
    }

    /** The handler that records; mount it before authentication. */
    void recorder(RoutingContext ctx) {
        String method = ctx.request().method().name();
        String path = ctx.normalizedPath();
        String from = ctx.request().remoteAddress() == null ? "" : ctx.request().remoteAddress().hostAddress();
        ctx.addEndHandler(done -> {
            int status = ctx.response().getStatusCode();
            Principal p = Access.principal(ctx);
            Optional<AuditActions.Action> action = AuditActions.of(method, path);
            boolean refused = status == 401 || status == 403;
            if (action.isEmpty() && !refused) {
                return;
            }
            String name = action.map(AuditActions.Action::name).orElse(status == 401 ? "auth.denied" : "access.denied");
            String named = ctx.get(TARGET);
            String problem = ctx.get(DETAIL);
            String target = named != null ? named : action.map(AuditActions.Action::target).orElse(path);
            String detail = status >= 400 && problem != null ? problem : "";
            AuditRecord r = new AuditRecord(0, clock.millis(), p == null ? "-" : p.subject(),
                    p == null ? "-" : p.role().name().toLowerCase(Locale.ROOT), name, target, status,
                    AuditRecord.outcomeOf(status), from, detail);
            if (refused) {
                trail.refused(r);
            } else {
                trail.record(r);
            }
        });
        ctx.next();
    }

    void mount(Router router) {
        router.get("/v1/audit").handler(ctx -> {
            if (!Access.require(ctx, Role.ADMIN)) {
                return;
            }
            AuditLog.Query q;
            try {
                q = query(ctx.queryParams());
            } catch (ValidationException e) {
                Problems.fail(ctx, e);
                return;
            }
            blocking.respond(ctx, 200, () -> {
                List<AuditRecord> page = trail.page(q);
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("records", page);
                body.put("nextCursor", page.size() == q.limit() ? page.get(page.size() - 1).id() : null);
                return body;
            });
        });
    }

    /** The query the parameters ask for; a bad parameter is a 400 that names it. */
    static AuditLog.Query query(MultiMap params) {
        long limit = params.get("limit") == null ? 100 : number("limit", params.get("limit"));
        if (limit < 1 || limit > MAX_LIMIT) { // checked before narrowing: 2^32 + 1 must not pass as 1
            throw new ValidationException("limit", "must be between 1 and " + MAX_LIMIT + ", got " + limit);
        }
        Long before = params.get("cursor") == null ? null : number("cursor", params.get("cursor"));
        return new AuditLog.Query(params.get("actor"), params.get("action"), params.get("target"),
                params.get("outcome"), time("since", params.get("since")), time("until", params.get("until")), before,
                (int) limit);
    }

    private static long number(String field, String value) {
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw new ValidationException(field, "must be a whole number, got '" + Problems.truncate(value) + "'");
        }
    }

    /** An ISO-8601 instant ({@code 2026-12-07T10:00:00Z}) or epoch milliseconds. */
    private static Long time(String field, String value) {
        if (value == null) {
            return null;
        }
        try {
            return value.strip().chars().allMatch(Character::isDigit) ? Long.parseLong(value.strip())
                    : Instant.parse(value.strip()).toEpochMilli();
        } catch (DateTimeParseException | NumberFormatException e) {
            throw new ValidationException(field, "must be an ISO-8601 instant or epoch milliseconds, got '"
                    + Problems.truncate(value) + "'");
        }
    }
}
