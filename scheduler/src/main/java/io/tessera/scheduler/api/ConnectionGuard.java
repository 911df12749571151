package io.tessera.scheduler.api;

import java.util.concurrent.ConcurrentHashMap;
import java.lang.management.ManagementFactory;
import java.util.Map;
import io.tessera.scheduler.auth.Principal;
import io.tessera.scheduler.auth.Role;
import com.sun.management.UnixOperatingSystemMXBean;
import io.tessera.config.SchedulerConfig;
import io.tessera.scheduler.limits.RateLimiter;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one client from taking the HTTP front door: a cap on open connections (closed at once
 * past it), a deadline for each request's headers (a connection must send a whole request within
 * {@code headerTimeoutMs} of opening, and within the idle timeout of its previous answer), and
 * request rates: per user once authenticated, and per address (at ten times the rate) for requests
 * with no valid token, so rotating made-up tokens does not escape it. Runs on the event loop and never blocks.
 */
final class ConnectionGuard {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionGuard.class);
    private final Vertx vertx;
    private final int maxConnections;
    private final long headerTimeoutMs;
    private final long idleTimeoutMs;
    private final RateLimiter perClient;
    private final RateLimiter perAddress;
    private final AtomicInteger open = new AtomicInteger();
    private final Map<HttpConnection, Long> deadlines = new ConcurrentHashMap<>();

    ConnectionGuard(Vertx vertx, SchedulerConfig config) {
        this.vertx = vertx;
        this.maxConnections = Math.min(config.limits().maxConnections(), fdBudget());
        this.headerTimeoutMs = config.limits().headerTimeoutMs();
        this.idleTimeoutMs = config.idleTimeoutMs();
        this.perClient = new RateLimiter(config.limits().requestsPerSecond(), config.limits().requestBurst(),
                System::nanoTime, 100_000);
        this.perAddress = new RateLimiter(config.limits().requestsPerSecond() * 10, config.limits().requestBurst() * 10,
                System::nanoTime, 100_000);
    }

    /** Three quarters of the file descriptors this process may open, leaving room for the database and Hazelcast. */
    private static int fdBudget() {
        if (ManagementFactory.getOperatingSystemMXBean()
                instanceof UnixOperatingSystemMXBean unix) {
            return (int) Math.max(64, Math.min(Integer.MAX_VALUE, unix.getMaxFileDescriptorCount() * 3 / 4));
        }
        return Integer.MAX_VALUE;
    }

    int maxConnections() {
        return maxConnections;
    }

    /** For {@code HttpServer.connectionHandler}: counts, caps and arms the first header deadline. */
    void onConnection(HttpConnection conn) {
        if (open.incrementAndGet() > maxConnections) {
            open.decrementAndGet();
            LOG.debug("connection cap {} reached; closing a new connection", maxConnections);
            conn.close();
            return;
        }
        arm(conn, headerTimeoutMs);
    }

    /** Wraps the router: a request that arrived disarms its connection's deadline, its answer re-arms it. */
    Handler<HttpServerRequest> requests(Handler<HttpServerRequest> router) {
        return req -> {
            HttpConnection conn = req.connection();
            Long timer = conn == null ? null : deadlines.remove(conn);
            if (timer != null) {
                vertx.cancelTimer(timer);
            }
            if (conn != null) {
                req.response().endHandler(v -> arm(conn, idleTimeoutMs));
            }
            router.handle(req);
        };
    }

    /**
     * The rate limit for requests that carry no token: by address, at ten times a user's rate
     * (health checks, scrapes, probes). Enrollment is exempt: a whole fleet may enroll from one
     * address, and a join token cannot be guessed.
     */
    void rate(RoutingContext ctx) {
        if (ctx.request().getHeader("Authorization") != null || ctx.normalizedPath().equals("/v1/agents/enroll")) {
            ctx.next();
            return;
        }
        if (!overAddress(ctx)) {
            ctx.next();
        }
    }

    /**
     * After authentication: a user is limited per user; admins and agents are not (an agent's
     * calls are paced by the scheduler's heartbeat interval). True when it answered 429.
     */
    boolean overUser(RoutingContext ctx, Principal who) {
        if (who.role() != Role.USER) {
            return false;
        }
        long wait = perClient.acquire("u:" + who.subject());
        if (wait > 0) {
            Problems.tooMany(ctx, "too many requests from " + who.subject() + "; retry in " + wait + " s", wait);
            return true;
        }
        return false;
    }

    /** Charges the caller's address (a request without a valid token); true when it answered 429. */
    boolean overAddress(RoutingContext ctx) {
        String address = ctx.request().remoteAddress() == null ? "?" : ctx.request().remoteAddress().hostAddress();
        long wait = perAddress.acquire(address);
        if (wait > 0) {
            Problems.tooMany(ctx, "too many requests from this address; retry in " + wait + " s", wait);
            return true;
        }
        return false;
    }

    private void arm(HttpConnection conn, long ms) {
        long timer = vertx.setTimer(ms, t -> {
            deadlines.remove(conn);
            conn.close();
        });
        Long old = deadlines.put(conn, timer);
        if (old != null) {
            vertx.cancelTimer(old);
        }
        conn.closeHandler(v -> {
            open.decrementAndGet();
            Long t = deadlines.remove(conn);
            if (t != null) {
                vertx.cancelTimer(t);
            }
        });
    }
}
