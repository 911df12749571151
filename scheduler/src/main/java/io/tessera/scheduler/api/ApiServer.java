package io.tessera.scheduler.api;

import io.tessera.scheduler.auth.AuthSetup;
import io.tessera.scheduler.audit.AuditTrail;
import java.net.BindException;
import io.tessera.scheduler.health.HealthMonitor;
import java.io.IOException;
import java.net.InetAddress;
import java.util.function.Predicate;
import java.net.ServerSocket;
import java.util.function.Supplier;
import java.util.concurrent.TimeUnit;
import io.tessera.config.SchedulerConfig;
import io.tessera.scheduler.auth.Role;
import io.tessera.scheduler.service.AgentService;
import io.tessera.scheduler.service.JobService;
import io.tessera.scheduler.service.PlanService;
import io.tessera.scheduler.service.QueueService;
import io.tessera.scheduler.state.ClusterStore;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * The REST API under {@code /v1}. Assembles routes, caps body size, and turns every failure,
 * routing misses included, into problem+json. All state access runs on a worker pool.
 */
public final class ApiServer {
    private ApiServer() {
    }

    public static Future<HttpServer> start(Vertx vertx, SchedulerConfig config, JobService jobs, AgentService agents,
                                           PlanService plans, QueueService queues, ClusterStore store, Clock clock,
                                           Supplier<String> metrics,
                                           AuthSetup auth,
                                           HealthMonitor health, AuditTrail audit) {
        Blocking blocking = new Blocking(vertx.createSharedWorkerExecutor("tessera-state", 16));
        // Agents get their own pool: no amount of user traffic can delay a heartbeat.
        Blocking agentPool = new Blocking(vertx.createSharedWorkerExecutor("tessera-agents", 8));
        ConnectionGuard guard = new ConnectionGuard(vertx, config);
        Router router = Router.router(vertx);
        router.route().handler(guard::rate);
        AuditRoutes auditRoutes = new AuditRoutes(audit, blocking, clock);
        router.route().handler(auditRoutes::recorder);
        router.route("/v1/*").handler(BodyHandler.create(false).setBodyLimit(config.maxBodyBytes()));
        router.route("/v1/*").handler(ctx -> Access.authenticate(ctx, auth.all(),
                ctx.normalizedPath().startsWith("/v1/agents/") ? agentPool : blocking, guard));
        new JobRoutes(jobs, store, blocking, clock).mount(router);
        auditRoutes.mount(router);
        new SignInRoutes(auth.login(), blocking).mount(router);
        new QueueRoutes(queues, blocking).mount(router);
        new ProfileRoutes(store.profiles(), blocking).mount(router);
        new LogRoutes(jobs, store, blocking, vertx).mount(router);
        AgentRoutes agentRoutes = new AgentRoutes(agents, auth.agents(), agentPool, vertx, config.longPollTimeoutMs());
        agentRoutes.mount(router);
        store.onAssignmentsChanged(agentRoutes::changed);
        router.get("/v1/nodes").handler(ctx -> {
            if (Access.require(ctx, Role.USER, Role.ADMIN)) {
                var who = Access.principal(ctx);
                blocking.respond(ctx, 200, () -> {
                    var sets = agents.assignmentsByNode();
                    long now = clock.millis();
                    Predicate<String> visible = who.role() == Role.ADMIN ? id -> true
                            : jobs.idsOwnedBy(who.subject())::contains;
                    return Map.of("nodes", agents.nodes().stream()
                            .map(n -> NodeApiView.of(n, sets.get(n.name()), now, visible)).toList());
                });
            }
        });
        router.get("/v1/fleet").handler(ctx -> {
            if (Access.require(ctx, Role.USER, Role.ADMIN)) {
                blocking.respond(ctx, 200, () -> FleetView.of(agents.nodes(), agents.assignmentsByNode(), agents.catalog()));
            }
        });
        router.get("/v1/fleet/usage").handler(ctx -> {
            if (Access.require(ctx, Role.USER, Role.ADMIN)) {
                blocking.respond(ctx, 200, () -> FleetUsageView.of(agents.fleetUsage()));
            }
        });
        for (String action : List.of("drain", "undrain")) {
            router.post("/v1/nodes/:name/" + action).handler(ctx -> {
                if (Access.require(ctx, Role.ADMIN)) {
                    boolean evacuate = action.equals("drain") && "true".equals(ctx.queryParams().get("evacuate"));
                    blocking.respond(ctx, 200, () -> agents.drain(ctx.pathParam("name"), action.equals("drain"), evacuate)
                            .map(n -> NodeApiView.of(n, agents.storedAssignments(n.name()), clock.millis()))
                            .orElseThrow(() -> new Problems.NotFound("no node '" + Problems.truncate(ctx.pathParam("name")) + "'")));
                }
            });
        }
        router.post("/v1/nodes/:name/accept").handler(ctx -> {
            if (Access.require(ctx, Role.ADMIN)) {
                blocking.respond(ctx, 200, () -> agents.acceptInventory(ctx.pathParam("name"))
                        .map(n -> NodeApiView.of(n, agents.storedAssignments(n.name()), clock.millis()))
                        .orElseThrow(() -> new Problems.NotFound("no node '" + Problems.truncate(ctx.pathParam("name")) + "'")));
            }
        });
        router.get("/v1/cluster").handler(ctx -> {
            if (Access.require(ctx, Role.ADMIN)) {
                blocking.respond(ctx, 200, () -> MembersView.of(health.members(), store.currentClaim()));
            }
        });
                router.post("/v1/plan").handler(ctx -> {
            if (!Access.require(ctx, Role.USER, Role.ADMIN)) {
                return;
            }
            byte[] body = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
            String type = ctx.request().getHeader("Content-Type");
            blocking.respond(ctx, 200, () -> {
                PlanService.DryRun d = plans.dryRun(body, type);
                return PlanView.of(d.result(), d.spec());
            });
        });
        WebPage.mount(router);
        OpenApiRoute.mount(router);
        new MetricsRoute(metrics, auth, blocking).mount(router);
        // Liveness: 503 once the member is beyond saving (it is exiting). Readiness: the last check of each part.
        router.get("/healthz").handler(ctx -> Blocking.json(ctx, health.alive() ? 200 : 503,
                Map.of("status", health.alive() ? "ok" : "failing")));
        router.get("/readyz").handler(ctx -> Blocking.json(ctx, health.ready() && health.alive() ? 200 : 503,
                health.readiness()));
        router.route().failureHandler(ctx -> failure(ctx));
        router.errorHandler(404, ctx -> Problems.send(ctx, 404, "Not found", "no route for "
                + ctx.request().method() + " " + truncate(ctx.request().path()), List.of()));
        router.errorHandler(405, ctx -> Problems.send(ctx, 405, "Method not allowed",
                ctx.request().method() + " is not allowed here", List.of()));
        Handler<HttpServerRequest> handler = guard.requests(router);
        if (config.httpPort() != 0) {
            return listenAll(vertx, config, guard, handler, config.httpPort());
        }
        // Port 0: servers share a port only when they ask for the same one, so pick a free one first (again if taken meanwhile).
        Future<HttpServer> bound = listenAll(vertx, config, guard, handler, freePort(config.httpHost()));
        for (int retry = 0; retry < 3; retry++) {
            bound = bound.recover(e -> e instanceof BindException
                    ? listenAll(vertx, config, guard, handler, freePort(config.httpHost())) : Future.failedFuture(e));
        }
        return bound;
    }

    /**
     * The API on {@code port}, once per event loop: Vert.x deals connections out among servers
     * that share a port, so thousands of agents' connections do not all land on one thread.
     */
    private static Future<HttpServer> listenAll(Vertx vertx, SchedulerConfig config, ConnectionGuard guard,
                                                Handler<HttpServerRequest> handler, int port) {
        Future<HttpServer> first = server(vertx, config, guard, handler).listen(port, config.httpHost());
        int extra = eventLoops() - 1;
        return first.compose(s -> vertx.deployVerticle(() -> new VerticleBase() {
            @Override
            public Future<?> start() {
                return server(vertx, config, guard, handler).listen(port, config.httpHost());
            }
        }, new DeploymentOptions().setInstances(extra)).map(id -> s));
    }

    private static int freePort(String host) {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("cannot find a free port on " + host + ": " + e.getMessage(), e);
        }
    }

    /** How many event loops serve the API: one per core, at least two. */
    static int eventLoops() {
        return Math.max(2, Runtime.getRuntime().availableProcessors());
    }

    private static HttpServer server(Vertx vertx, SchedulerConfig config, ConnectionGuard guard,
                                     Handler<HttpServerRequest> handler) {
        return vertx.createHttpServer(new io.vertx.core.http.HttpServerOptions()
                        .setMaxInitialLineLength(8192).setMaxHeaderSize(16384)
                        // No h2c: with it, Vert.x makes the connection only once a first request is parsed,
                        // so a connection that never finishes its headers could not be timed out.
                        .setHttp2ClearTextEnabled(false)
                        .setIdleTimeout((int) config.idleTimeoutMs()).setIdleTimeoutUnit(TimeUnit.MILLISECONDS))
                .connectionHandler(guard::onConnection)
                .requestHandler(handler);
    }

    private static void failure(io.vertx.ext.web.RoutingContext ctx) {
        int status = ctx.statusCode();
        if (status == 413) {
            Problems.send(ctx, 413, "Body too large", "the request body exceeds the limit", List.of());
        } else if (ctx.failure() != null) {
            Problems.fail(ctx, ctx.failure());
        } else {
            Problems.send(ctx, status < 400 ? 500 : status, "Request failed", "status " + status, List.of());
        }
    }

    private static String truncate(String s) {
        return s == null ? "" : s.length() > 100 ? s.substring(0, 100) + "..." : s;
    }
}
