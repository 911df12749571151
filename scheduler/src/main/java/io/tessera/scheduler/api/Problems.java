package io.tessera.scheduler.api;

import com.hazelcast.core.HazelcastException;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import java.util.concurrent.RejectedExecutionException;
import io.tessera.scheduler.limits.TooManyRequests;
import io.tessera.config.Documents;
import io.tessera.config.ValidationError;
import io.tessera.config.ValidationException;
import io.tessera.scheduler.service.Forbidden;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes errors as RFC 9457 problem+json: {@code type}, {@code title}, {@code status}, {@code detail},
 * and for validation failures {@code errors}, a list of {@code {field, message}}.
 */
public final class Problems {
    private static final Logger LOG = LoggerFactory.getLogger(Problems.class);

    private Problems() {
    }

    public static void send(RoutingContext ctx, int status, String title, String detail, List<ValidationError> errors) {
        if (ctx.response().ended() || ctx.response().closed()) {
            return;
        }
        ctx.put(AuditRoutes.DETAIL, title + ": " + cap(detail));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "https://tessera.dev/problems/" + title.toLowerCase().replace(' ', '-'));
        body.put("title", title);
        body.put("status", status);
        body.put("detail", cap(detail));
        if (!errors.isEmpty()) {
            body.put("errors", errors.stream().limit(MAX_ERRORS)
                    .map(e -> new ValidationError(cap(e.field(), MAX_ECHO), cap(e.message()))).toList());
        }
        try {
            ctx.response().setStatusCode(status).putHeader("Content-Type", "application/problem+json")
                    .end(Documents.json().writeValueAsString(body));
        } catch (Exception e) {
            ctx.response().setStatusCode(status).end();
        }
    }

    /** 429 with {@code Retry-After}. */
    public static void tooMany(RoutingContext ctx, String detail, long retryAfterSec) {
        if (!ctx.response().ended() && !ctx.response().closed()) {
            ctx.response().putHeader("Retry-After", Long.toString(retryAfterSec));
        }
        send(ctx, 429, "Too many requests", detail, List.of());
    }

    /** Maps a failure from a handler or the blocking layer to a response. */
    public static void fail(RoutingContext ctx, Throwable error) {
        if (error instanceof ValidationException ve) {
            send(ctx, 400, "Invalid request", ve.getMessage(), ve.errors());
        } else if (error instanceof TooManyRequests tm) {
            tooMany(ctx, tm.getMessage(), tm.retryAfterSec());
        } else if (error instanceof Forbidden f) {
            send(ctx, 403, "Forbidden", f.getMessage(), List.of(new ValidationError(f.field(), f.getMessage())));
        } else if (error instanceof NotFound nf) {
            send(ctx, 404, "Not found", nf.getMessage(), List.of());
        } else if (error instanceof Blocking.ShuttingDown) {
            send(ctx, 503, "Shutting down", error.getMessage() + "; retry on another member", List.of());
        } else if (error instanceof HazelcastException
                || error instanceof HazelcastInstanceNotActiveException
                || error instanceof RejectedExecutionException) {
            LOG.warn("state unavailable: {}", error.toString());
            send(ctx, 503, "Unavailable", "cluster state is unavailable; retry shortly", List.of());
        } else {
            LOG.error("unexpected failure on {} {}", ctx.request().method(), ctx.request().path(), error);
            send(ctx, 500, "Internal error", "an unexpected error occurred; it has been logged", List.of());
        }
    }

    /**
     * The most characters of a field name an error carries. Messages are capped only at
     * {@link #MAX_TEXT}, a bound no explanation reaches: what they echo of the input is abbreviated
     * where it is quoted ({@link #truncate}, the spec parser's own), so an explanation is never cut
     * short. Regression: every message was cut at 256 characters ("ascend-910b: insufficient de...").
     */
    static final int MAX_ECHO = 256;
    static final int MAX_TEXT = 4000;
    private static final int MAX_ERRORS = 50;

    private static String cap(String s) {
        return cap(s, MAX_TEXT);
    }

    private static String cap(String s, int max) {
        return s == null ? null : s.length() > max ? s.substring(0, max - 3) + "..." : s;
    }

    /** At most 80 characters of untrusted text, for messages. */
    public static String truncate(String s) {
        return s == null ? "" : s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }

    /** Thrown for a missing resource. */
    public static final class NotFound extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public NotFound(String message) {
            super(message, null, false, false);
        }
    }
}
