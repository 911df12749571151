package io.tessera.scheduler.api;

import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.service.JobService;
import io.tessera.scheduler.state.ClusterStore;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;

/** {@code /v1/jobs}: submit, list, get, cancel. Handlers only translate HTTP; decisions live in {@link JobService}. */
final class JobRoutes {
    private final JobService jobs;
    private final ClusterStore store;
    private final Blocking blocking;

    JobRoutes(JobService jobs, ClusterStore store, Blocking blocking) {
        this.jobs = jobs;
        this.store = store;
        this.blocking = blocking;
    }

    void mount(Router router) {
        router.post("/v1/jobs").handler(this::submit);
        router.get("/v1/jobs").handler(ctx -> blocking.respond(ctx, 200,
                () -> Map.of("jobs", jobs.jobs().stream().map(this::view).toList())));
        router.get("/v1/jobs/:id").handler(ctx -> blocking.respond(ctx, 200, () -> view(find(ctx.pathParam("id")))));
        router.delete("/v1/jobs/:id").handler(ctx -> blocking.respond(ctx, 200,
                () -> view(jobs.cancel(ctx.pathParam("id")).orElseThrow(() -> notFound(ctx.pathParam("id"))))));
    }

    private void submit(RoutingContext ctx) {
        byte[] body = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
        String type = ctx.request().getHeader("Content-Type");
        blocking.call(() -> jobs.submit(body, type)).onSuccess(job -> {
            ctx.response().putHeader("Location", "/v1/jobs/" + job.id());
            Blocking.json(ctx, 201, Map.of("id", job.id(), "state", job.state().name()));
        }).onFailure(e -> Problems.fail(ctx, e));
    }

    private JobRecord find(String id) {
        return jobs.job(id).orElseThrow(() -> notFound(id));
    }

    private JobView view(JobRecord job) {
        int n = job.placement() == null ? 0 : job.placement().shards().size();
        return JobView.of(job, n == 0 ? Map.of() : store.shardReports(job.id(), n));
    }

    private static Problems.NotFound notFound(String id) {
        return new Problems.NotFound("no job with id '" + (id.length() > 80 ? id.substring(0, 80) : id) + "'");
    }
}
