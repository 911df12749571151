package io.tessera.scheduler.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.scheduler.auth.AgentCredentials;
import io.tessera.scheduler.auth.Role;
import io.tessera.config.Documents;
import io.tessera.config.ValidationException;
import io.tessera.config.wire.AssignmentSet;
import io.tessera.config.wire.Heartbeat;
import io.tessera.config.wire.RegisterRequest;
import io.tessera.scheduler.service.AgentService;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Agent endpoints: register, heartbeat, and a long-poll for the node's assignment set.
 * The long-poll answers at once when the agent's version is stale, otherwise when the set
 * changes on any member (a Hazelcast entry listener wakes it) or when the poll times out.
 */
final class AgentRoutes {
    /** How long the join token a readmit issues stays valid. */
    static final long READMIT_TTL_MS = 24 * 3_600_000L;
    private final AgentService agents;
    private final AgentCredentials credentials;
    private final Blocking blocking;
    private final Vertx vertx;
    private final long pollTimeoutMs;
    private final Map<String, Set<Runnable>> waiters = new ConcurrentHashMap<>();

    AgentRoutes(AgentService agents, AgentCredentials credentials, Blocking blocking,
                Vertx vertx, long pollTimeoutMs) {
        this.credentials = credentials;
        this.agents = agents;
        this.blocking = blocking;
        this.vertx = vertx;
        this.pollTimeoutMs = pollTimeoutMs;
    }

    void mount(Router router) {
        router.post("/v1/agents/enroll").handler(this::enroll);
        router.delete("/v1/agents/:node/credential").handler(ctx -> {
            if (Access.require(ctx, Role.ADMIN)) {
                blocking.respond(ctx, 200, () -> Map.of("node", ctx.pathParam("node"), "revoked", true,
                        "wasEnrolled", credentials.revoke(ctx.pathParam("node"))));
            }
        });
        router.post("/v1/agents/:node/readmit").handler(ctx -> {
            if (Access.require(ctx, Role.ADMIN)) {
                blocking.respond(ctx, 200, () -> {
                    String node = ctx.pathParam("node");
                    AgentCredentials.Issued t = credentials.readmit(node, READMIT_TTL_MS).orElseThrow(() ->
                            new Problems.NotFound("node '" + Problems.truncate(node) + "' never enrolled"));
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("node", node);
                    body.put("revoked", false);
                    body.put("joinToken", t.token());
                    body.put("joinTokenId", t.id());
                    body.put("expiresAt", t.expiresAt());
                    return body;
                });
            }
        });
        router.post("/v1/agents/join-tokens").handler(ctx -> {
            if (Access.require(ctx, Role.ADMIN)) {
                issueJoinToken(ctx);
            }
        });
        router.delete("/v1/agents/join-tokens/:id").handler(ctx -> {
            if (Access.require(ctx, Role.ADMIN)) {
                blocking.call(() -> credentials.revokeJoinToken(ctx.pathParam("id"))).onSuccess(found -> {
                    if (found) {
                        Blocking.json(ctx, 200, Map.of("id", ctx.pathParam("id"), "revoked", true));
                    } else {
                        Problems.send(ctx, 404, "Not found", "no join token with that id", List.of());
                    }
                }).onFailure(e -> Problems.fail(ctx, e));
            }
        });
        router.post("/v1/agents/register").handler(ctx -> {
            RegisterRequest req;
            try {
                req = read(ctx, RegisterRequest.class);
            } catch (ValidationException e) {
                Problems.fail(ctx, e);
                return;
            }
            if (Access.requireAgentOf(ctx, String.valueOf(req.node()))) {
                String peer = ctx.request().remoteAddress().hostAddress(); // where this agent really is
                blocking.respond(ctx, 200, () -> agents.register(req, peer));
            }
        });
        router.post("/v1/agents/:node/heartbeat").handler(ctx -> {
            if (Access.requireAgentOf(ctx, ctx.pathParam("node"))) {
                heartbeat(ctx);
            }
        });
        router.get("/v1/agents/:node/assignments").handler(ctx -> {
            if (Access.requireAgentOf(ctx, ctx.pathParam("node"))) {
                poll(ctx);
            }
        });
    }

    private void issueJoinToken(RoutingContext ctx) {
        JsonNode body = objectOr400(ctx);
        if (body == null) {
            return;
        }
        String node = body.hasNonNull("node") ? body.get("node").asText() : null;
        long uses = body.path("uses").asLong(1);
        long ttl = body.path("ttlSeconds").asLong(86_400);
        if (node != null && !node.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}")) {
            Problems.fail(ctx, new ValidationException("node", "must be 1-128 letters, digits, '.', '_' or '-'"));
        } else if (uses < 1 || uses > 10_000) {
            Problems.fail(ctx, new ValidationException("uses", "must be 1-10000"));
        } else if (ttl < 1 || ttl > 365L * 86_400) {
            Problems.fail(ctx, new ValidationException("ttlSeconds", "must be 1 s to 365 days"));
        } else {
            blocking.respond(ctx, 201, () -> credentials.issue(node, (int) uses, ttl * 1000));
        }
    }

    /** The body as a JSON object, or null after answering 400. */
    private static JsonNode objectOr400(RoutingContext ctx) {
        try {
            return object(ctx);
        } catch (ValidationException e) {
            Problems.fail(ctx, e);
            return null;
        }
    }

    /** The body as a JSON object; a missing body, {@code null} or another type is a 400. */
    private static JsonNode object(RoutingContext ctx) {
        JsonNode body = Documents.parseJson(ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes());
        if (body == null || !body.isObject()) {
            throw new ValidationException("$", "the body must be a JSON object");
        }
        return body;
    }

    private void enroll(RoutingContext ctx) {
        JsonNode body = objectOr400(ctx);
        if (body == null) {
            return;
        }
        String node = body.path("node").isTextual() ? body.get("node").asText() : "";
        String join = body.path("joinToken").isTextual() ? body.get("joinToken").asText() : "";
        if (!node.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}") || join.isEmpty() || join.length() > 512) {
            Problems.send(ctx, 400, "Invalid request", "node (1-128 letters, digits, '.', '_', '-') and joinToken are required",
                    List.of());
            return;
        }
        ctx.put(AuditRoutes.TARGET, node);
        String auth = ctx.request().getHeader("Authorization");
        Optional<String> presented = auth != null && auth.startsWith("Bearer ")
                ? Optional.of(auth.substring(7).strip()) : Optional.empty();
        blocking.call(() -> credentials.enroll(node, join, presented)).onSuccess(result -> {
            if (result instanceof AgentCredentials.Enrolled e) {
                Blocking.json(ctx, 200, Map.of("node", e.node(), "credential", e.credential()));
            } else {
                var r = (AgentCredentials.Refused) result;
                if (r.status() == 401) {
                    Access.unauthorized(ctx, r.reason());
                } else if (r.status() == 409) {
                    Problems.send(ctx, 409, "Conflict", r.reason(), List.of());
                } else {
                    Access.forbidden(ctx, r.reason());
                }
            }
        }).onFailure(e -> Problems.fail(ctx, e));
    }

    private void heartbeat(RoutingContext ctx) {
        blocking.call(() ->
                agents.heartbeat(ctx.pathParam("node"), read(ctx, Heartbeat.class))).onSuccess(answer -> {
                    if (answer.isPresent()) {
                        Blocking.json(ctx, 200, answer.get());
                    } else {
                        Problems.send(ctx, 404, "Unknown node", "node is not registered; register again", List.of());
                    }
                }).onFailure(e -> Problems.fail(ctx, e));
    }

    /** Called (on a Hazelcast thread) when a node's assignment set changed anywhere in the cluster. */
    void changed(String node) {
        Set<Runnable> set = waiters.get(node);
        if (set != null) {
            set.forEach(Runnable::run);
        }
    }

    private void poll(RoutingContext ctx) {
        String node = ctx.pathParam("node");
        long known;
        try {
            known = Long.parseLong(ctx.queryParams().get("version") == null ? "-1" : ctx.queryParams().get("version"));
        } catch (NumberFormatException e) {
            Problems.send(ctx, 400, "Invalid request", "version must be a whole number", List.of());
            return;
        }
        AtomicBoolean done = new AtomicBoolean();
        Context context = vertx.getOrCreateContext();
        Runnable[] waiter = new Runnable[1];
        long timer = vertx.setTimer(pollTimeoutMs, t -> answer(ctx, node, done, waiter[0]));
        waiter[0] = () -> context.runOnContext(v -> {
            vertx.cancelTimer(timer);
            answer(ctx, node, done, waiter[0]);
        });
        waiters.computeIfAbsent(node, k -> ConcurrentHashMap.newKeySet()).add(waiter[0]);
        ctx.response().closeHandler(v -> remove(node, waiter[0]));
        blocking.call(() -> agents.assignments(node)).onSuccess(set -> {
            if (set.version() != known) {
                vertx.cancelTimer(timer);
                finish(ctx, node, done, waiter[0], set);
            }
        }).onFailure(e -> {
            vertx.cancelTimer(timer);
            remove(node, waiter[0]);
            Problems.fail(ctx, e);
        });
    }

    private void answer(RoutingContext ctx, String node, AtomicBoolean done, Runnable waiter) {
        if (done.get()) {
            return;
        }
        blocking.call(() -> agents.assignments(node)).onSuccess(set -> finish(ctx, node, done, waiter, set))
                .onFailure(e -> {
                    remove(node, waiter);
                    Problems.fail(ctx, e);
                });
    }

    private void finish(RoutingContext ctx, String node, AtomicBoolean done, Runnable waiter, AssignmentSet set) {
        if (done.compareAndSet(false, true)) {
            remove(node, waiter);
            Blocking.json(ctx, 200, set);
        }
    }

    private void remove(String node, Runnable waiter) {
        waiters.computeIfPresent(node, (k, set) -> {
            set.remove(waiter);
            return set.isEmpty() ? null : set;
        });
    }

    private static <T> T read(RoutingContext ctx, Class<T> type) {
        JsonNode doc = object(ctx);
        try {
            return Documents.json().treeToValue(doc, type);
        } catch (ValidationException e) {
            throw e;
        } catch (Exception e) {
            throw new ValidationException("$", "not a valid " + type.getSimpleName() + ": "
                    + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
        }
    }
}
