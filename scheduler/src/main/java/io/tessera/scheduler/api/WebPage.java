package io.tessera.scheduler.api;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * The web page for the people who submit jobs: static files from the jar ({@code web/}) at
 * {@code /} and {@code /ui/*}, no build step. The page asks for a token and calls the same
 * {@code /v1} API as the CLI, so it sees exactly what that token may see. A strict content
 * security policy allows only the page's own scripts and styles, and no framing.
 */
final class WebPage {
    private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    private WebPage() {
    }

    static void mount(Router router) {
        StaticHandler files = StaticHandler.create("web").setCachingEnabled(false).setDirectoryListing(false)
                .setIncludeHidden(false);
        router.get("/").handler(WebPage::headers).handler(files);
        router.get("/ui/*").handler(WebPage::headers).handler(files);
    }

    private static void headers(RoutingContext ctx) {
        ctx.response().putHeader("Content-Security-Policy", CSP).putHeader("X-Content-Type-Options", "nosniff")
                .putHeader("Referrer-Policy", "no-referrer").putHeader("X-Frame-Options", "DENY");
        ctx.next();
    }
}
