package io.tessera.scheduler.api;

import io.tessera.scheduler.auth.AuthSetup;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * {@code /metrics} for Prometheus. Fleet-wide series are open to any scrape; series that name a
 * job ({@code job}, {@code job_name} labels: whose work runs where, at what speed) are served only
 * to a scrape that presents a scrape token ({@code auth.metricsTokenFile}) or an admin's token. A
 * scrape presenting a token that is not valid is a 401, so a misconfigured Prometheus shows up as down.
 */
final class MetricsRoute {
    private static final Pattern JOB_LABEL = Pattern.compile("[{,]job(_name)?=\"");
    private final Supplier<String> metrics;
    private final AuthSetup auth;
    private final Blocking blocking;

    MetricsRoute(Supplier<String> metrics, AuthSetup auth, Blocking blocking) {
        this.metrics = metrics;
        this.auth = auth;
        this.blocking = blocking;
    }

    void mount(Router router) {
        router.get("/metrics").handler(ctx -> {
            List<String> headers = ctx.request().headers().getAll("Authorization");
            String h = headers.size() == 1 ? headers.get(0) : null;
            if (headers.size() > 1 || h != null && (!h.regionMatches(true, 0, "Bearer ", 0, 7) || h.length() > 8192)) {
                Access.unauthorized(ctx, "send at most one Authorization: Bearer <scrape token>");
                return;
            }
            String token = h == null ? null : h.substring(7).strip();
            blocking.call(() -> auth.metricsView(token))
                    .compose(view -> view == AuthSetup.MetricsView.REFUSED ? Future.succeededFuture((String) null)
                            : blocking.call(() -> view == AuthSetup.MetricsView.FULL ? metrics.get() : fleetOnly(metrics.get())))
                    .onSuccess(text -> {
                        if (text == null) {
                            Access.unauthorized(ctx, "the scrape token is not valid");
                        } else {
                            ctx.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(text);
                        }
                    }).onFailure(e -> Problems.fail(ctx, e));
        });
    }

    /** The exposition without the samples that name a job (their HELP and TYPE lines stay, which Prometheus allows). */
    static String fleetOnly(String text) {
        return text.lines().filter(l -> l.startsWith("#") || !JOB_LABEL.matcher(l).find())
                .collect(Collectors.joining("\n", "", "\n"));
    }
}
