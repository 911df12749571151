package io.tessera.scheduler.api;

import java.time.Clock;
import java.util.LinkedHashMap;
import io.tessera.config.ValidationException;
import io.tessera.scheduler.auth.Principal;
import io.tessera.scheduler.auth.Role;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.JobTelemetry;
import io.tessera.scheduler.model.JobState;
import io.tessera.scheduler.policy.EfficiencyLearning;
import io.tessera.scheduler.service.JobService;
import io.tessera.scheduler.state.ClusterStore;
import io.tessera.scheduler.state.JobHistory;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;

/** {@code /v1/jobs}: submit, list, get, cancel. Handlers only translate HTTP; decisions live in {@link JobService}. */
final class JobRoutes {
    private final JobService jobs;
    private final ClusterStore store;
    private final Blocking blocking;

    private final Clock clock;

    JobRoutes(JobService jobs, ClusterStore store, Blocking blocking, Clock clock) {
        this.clock = clock;
        this.jobs = jobs;
        this.store = store;
        this.blocking = blocking;
    }

    void mount(Router router) {
        router.post("/v1/jobs").handler(this::submit);
        router.get("/v1/jobs").handler(ctx -> {
            if (Access.require(ctx, Role.USER, Role.ADMIN)) {
                JobHistory.Query q;
                try {
                    q = JobQueryParams.parse(ctx.queryParams(), Access.principal(ctx));
                } catch (ValidationException e) {
                    Problems.fail(ctx, e);
                    return;
                }
                blocking.respond(ctx, 200, () -> {
                    JobService.Page page = jobs.jobs(q);
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("jobs", page.jobs().stream().map(j -> view(j, null)).toList());
                    body.put("nextCursor", page.nextCursor());
                    return body;
                });
            }
        });
        router.get("/v1/jobs/:id").handler(ctx -> {
            if (Access.require(ctx, Role.USER, Role.ADMIN)) {
                Principal p = Access.principal(ctx);
                blocking.respond(ctx, 200, () -> {
                    JobRecord job = find(p, ctx.pathParam("id"));
                    return view(job, jobs.telemetry(job.id()).orElse(null));
                });
            }
        });
        router.get("/v1/jobs/:id/metrics").handler(ctx -> {
            if (Access.require(ctx, Role.USER, Role.ADMIN)) {
                Principal p = Access.principal(ctx);
                blocking.respond(ctx, 200, () -> {
                    JobRecord job = find(p, ctx.pathParam("id"));
                    return TelemetryView.of(job, jobs.telemetry(job.id()).orElse(JobTelemetry.empty(job.id())));
                });
            }
        });
        router.post("/v1/jobs/:id/resubmit").handler(ctx -> {
            if (Access.require(ctx, Role.USER, Role.ADMIN)) {
                Principal p = Access.principal(ctx);
                blocking.call(() -> jobs.resubmit(find(p, ctx.pathParam("id")),
                        new JobService.Submitter(p.subject(), p.groups(), p.isAdmin()))).onSuccess(job -> {
                    ctx.response().putHeader("Location", "/v1/jobs/" + job.id());
                    Blocking.json(ctx, 201, Map.of("id", job.id(), "state", job.state().name(),
                            "resubmittedFrom", ctx.pathParam("id")));
                }).onFailure(e -> Problems.fail(ctx, e));
            }
        });
        router.delete("/v1/jobs/:id").handler(ctx -> {
            if (Access.require(ctx, Role.USER, Role.ADMIN)) {
                Principal p = Access.principal(ctx);
                blocking.respond(ctx, 200, () -> {
                    find(p, ctx.pathParam("id"));
                    return view(jobs.cancel(ctx.pathParam("id")).orElseThrow(() -> notFound(ctx.pathParam("id"))), null);
                });
            }
        });
    }

    /** Users see their own jobs; admins see all. Another user's job is answered as not found. */
    private static boolean visible(Principal p, JobRecord job) {
        return p.isAdmin() || p.subject().equals(job.owner());
    }

    private void submit(RoutingContext ctx) {
        if (!Access.require(ctx, Role.USER, Role.ADMIN)) {
            return;
        }
        Principal who = Access.principal(ctx);
        byte[] body = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
        String type = ctx.request().getHeader("Content-Type");
        blocking.call(() -> jobs.submit(body, type, new JobService.Submitter(who.subject(), who.groups(),
                who.isAdmin()))).onSuccess(job -> {
            ctx.put(AuditRoutes.TARGET, job.id());
            ctx.response().putHeader("Location", "/v1/jobs/" + job.id());
            Blocking.json(ctx, 201, Map.of("id", job.id(), "state", job.state().name()));
        }).onFailure(e -> Problems.fail(ctx, e));
    }

    private JobRecord find(Principal p, String id) {
        return jobs.job(id).filter(j -> visible(p, j)).orElseThrow(() -> notFound(id));
    }

    /** @param telemetry its training curve, or null (job lists carry none) */
    private JobView view(JobRecord job, JobTelemetry telemetry) {
        int n = job.placement() == null ? 0 : job.placement().shards().size();
        return JobView.of(job, n == 0 || !job.finalShards().isEmpty() ? Map.of() : store.shardReports(job.id(), n),
                job.state() == JobState.QUEUED ? store.estimatedStart(job.id()).orElse(null) : null, clock.millis(),
                n == 0 ? null : store.profiles().get(EfficiencyLearning.key(job.spec())).orElse(null), telemetry);
    }

    private static Problems.NotFound notFound(String id) {
        return new Problems.NotFound("no job with id '" + Problems.truncate(id) + "'");
    }
}
