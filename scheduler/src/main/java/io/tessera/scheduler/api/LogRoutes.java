package io.tessera.scheduler.api;

import java.util.ArrayList;
import io.tessera.config.ValidationError;
import io.tessera.config.ValidationException;
import io.tessera.scheduler.auth.Principal;
import io.tessera.scheduler.auth.Role;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.service.JobService;
import io.tessera.scheduler.service.LogLocator;
import io.tessera.scheduler.state.ClusterStore;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code GET /v1/jobs/{id}/shards/{n}/log?attempt=&tail=&follow=}: a shard's log, relayed from the
 * agent of the node that ran that attempt. Only the job's owner and admins may read it (anyone
 * else is told the job does not exist). The relay streams, so {@code follow=true} stays open
 * until the worker has ended; the scheduler presents the node's log key, which users never see.
 */
final class LogRoutes {
    /** How much of a node's error answer is read (its start is shown); the rest is never read. */
    static final int ERROR_BODY_BYTES = 1024;
    /** How long a node may take to start answering, and to finish an error answer. */
    static final long ANSWER_MS = 10_000;
    /** How many followed streams one user may hold open at once. */
    static final int FOLLOWS_PER_USER = 3;
    /** Relay connections to one node: room for many users' reads beside the followed streams. */
    static final int CONNECTIONS_PER_NODE = 64;
    private final StreamSlots follows = new StreamSlots(FOLLOWS_PER_USER);
    private final JobService jobs;
    private final Vertx vertx;
    private final ClusterStore store;
    private final Blocking blocking;
    private final HttpClient client;

    LogRoutes(JobService jobs, ClusterStore store, Blocking blocking, Vertx vertx) {
        this.jobs = jobs;
        this.store = store;
        this.blocking = blocking;
        this.vertx = vertx;
        this.client = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(3000).setIdleTimeout(0),
                new PoolOptions().setHttp1MaxSize(CONNECTIONS_PER_NODE));
    }

    void mount(Router router) {
        router.get("/v1/jobs/:id/shards/:n/log").handler(this::log);
    }

    private void log(RoutingContext ctx) {
        if (!Access.require(ctx, Role.USER, Role.ADMIN)) {
            return;
        }
        Principal p = Access.principal(ctx);
        Query q;
        try {
            q = Query.parse(ctx);
        } catch (ValidationException e) {
            Problems.fail(ctx, e);
            return;
        }
        String id = ctx.pathParam("id");
        blocking.call(() -> {
            JobRecord job = jobs.job(id).filter(j -> p.isAdmin() || p.subject().equals(j.owner()))
                    .orElseThrow(() -> new Problems.NotFound("no job with id '" + Problems.truncate(id) + "'"));
            return LogLocator.locate(job, q.shard(), q.attempt(), store::node);
        }).onSuccess(where -> {
            if (where instanceof LogLocator.Found f && q.follow()) {
                follow(ctx, p.subject(), f, q);
            } else if (where instanceof LogLocator.Found f) {
                relay(ctx, f, q);
            } else if (where instanceof LogLocator.Missing m) {
                Problems.send(ctx, 404, "Not found", m.reason(), List.of());
            } else if (where instanceof LogLocator.Unreachable u) {
                Problems.send(ctx, 503, "Unavailable", u.reason(), List.of());
            }
        }).onFailure(e -> Problems.fail(ctx, e));
    }

    /**
     * A followed stream, within the user's {@link #FOLLOWS_PER_USER} (429 beyond): regression
     * (issue 27, N3), six streams of one user held all five relay connections to a node, and every
     * other user's log reads there timed out.
     */
    private void follow(RoutingContext ctx, String user, LogLocator.Found f, Query q) {
        if (!follows.take(user)) {
            Problems.send(ctx, 429, "Too many streams", "you follow " + follows.perUser() + " logs already, the most "
                    + "one user may; close one (or read without follow)", List.of());
            return;
        }
        ctx.addEndHandler(v -> follows.release(user));
        relay(ctx, f, q);
    }

    private void relay(RoutingContext ctx, LogLocator.Found f, Query q) {
        String query = (q.tail() == null ? "" : "tail=" + q.tail()) + (q.follow() ? (q.tail() == null ? "" : "&") + "follow=true" : "");
        RequestOptions opts = new RequestOptions().setMethod(HttpMethod.GET)
                .setAbsoluteURI(f.endpoint().url() + f.path() + (query.isEmpty() ? "" : "?" + query))
                .putHeader("Authorization", "Bearer " + f.endpoint().key());
        client.request(opts).compose(req -> {
            long late = vertx.setTimer(ANSWER_MS, t -> req.reset()); // a node that never answers frees the user
            return req.send().onComplete(r -> vertx.cancelTimer(late));
        }).onSuccess(resp -> {
            if (resp.statusCode() != 200) {
                refused(ctx, f, resp);
                return;
            }
            ctx.response().setChunked(true).putHeader("Content-Type", "text/plain; charset=utf-8")
                    .putHeader("X-Tessera-Node", f.node()).putHeader("X-Tessera-Attempt", Integer.toString(f.attempt()));
            ctx.response().closeHandler(v -> resp.request().connection().close());
            resp.pipeTo(ctx.response());
        }).onFailure(e -> Problems.send(ctx, 502, "Bad gateway", "cannot reach the log endpoint of node " + f.node()
                + ": " + e.getMessage(), List.of()));
    }

    /**
     * A node's answer other than 200, told to the user with at most {@link #ERROR_BODY_BYTES} of its
     * body, read within {@link #ANSWER_MS}; the rest is never read (the connection is reset).
     * Regression: the whole body was read into memory, so one log request against a node answering
     * a 700 MB error put the scheduler into an out-of-memory storm.
     */
    private void refused(RoutingContext ctx, LogLocator.Found f, HttpClientResponse resp) {
        Buffer head = Buffer.buffer();
        AtomicBoolean told = new AtomicBoolean();
        Runnable tell = () -> {
            if (told.compareAndSet(false, true)) {
                boolean missing = resp.statusCode() == 404;
                Problems.send(ctx, missing ? 404 : 502, missing ? "Not found" : "Bad gateway", "node " + f.node()
                        + " answered " + resp.statusCode() + (head.length() > 0 ? ": " + Problems.truncate(head.toString()) : ""),
                        List.of());
            }
        };
        long late = vertx.setTimer(ANSWER_MS, t -> {
            resp.request().reset();
            tell.run();
        });
        resp.handler(chunk -> {
            head.appendBuffer(chunk.slice(0, Math.min(chunk.length(), ERROR_BODY_BYTES - head.length())));
            if (head.length() >= ERROR_BODY_BYTES) {
                vertx.cancelTimer(late);
                resp.request().reset();
                tell.run();
            }
        });
        resp.endHandler(v -> {
            vertx.cancelTimer(late);
            tell.run();
        });
        resp.exceptionHandler(e -> {
            vertx.cancelTimer(late);
            tell.run();
        });
    }

    /** The request's parameters; every bad one is a 400 naming it. */
    record Query(int shard, Integer attempt, Integer tail, boolean follow) {
        static Query parse(RoutingContext ctx) {
            List<ValidationError> errors = new ArrayList<>();
            int shard = number(ctx.pathParam("n"), "shard", 0, 4095, errors);
            String a = ctx.queryParams().get("attempt");
            String t = ctx.queryParams().get("tail");
            String f = ctx.queryParams().get("follow");
            Integer attempt = a == null ? null : number(a, "attempt", 1, 1_000_000, errors);
            Integer tail = t == null ? null : number(t, "tail", 0, 10_000, errors);
            if (f != null && !f.equals("true") && !f.equals("false")) {
                errors.add(new ValidationError("follow", "must be true or false"));
            }
            if (!errors.isEmpty()) {
                throw new ValidationException(errors);
            }
            return new Query(shard, attempt, tail, "true".equals(f));
        }

        private static int number(String s, String field, int min, int max, List<ValidationError> errors) {
            try {
                int v = Integer.parseInt(s);
                if (v >= min && v <= max) {
                    return v;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            errors.add(new ValidationError(field, "must be a whole number from " + min + " to " + max));
            return -1;
        }
    }
}
