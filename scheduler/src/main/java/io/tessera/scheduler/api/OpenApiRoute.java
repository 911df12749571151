package io.tessera.scheduler.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.config.Documents;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * {@code GET /v1/openapi.json}: the API's OpenAPI 3.1 contract, written by hand in
 * {@code openapi.yaml} (in the jar) and served as JSON to anyone, no token needed. The contract
 * is checked, not trusted: OpenApiConformanceTest validates real answers of every operation
 * against it.
 */
final class OpenApiRoute {
    static final String PATH = "/v1/openapi.json";
    private static final String JSON = load();

    private OpenApiRoute() {
    }

    static void mount(Router router) {
        router.get(PATH).handler(ctx -> ctx.response().putHeader("Content-Type", "application/json")
                .putHeader("Cache-Control", "no-cache").end(JSON));
    }

    private static String load() {
        try (InputStream in = OpenApiRoute.class.getResourceAsStream("/openapi.yaml")) {
            if (in == null) {
                throw new IllegalStateException("openapi.yaml is missing from the jar");
            }
            JsonNode doc = Documents.parseYaml(in.readAllBytes());
            return Documents.json().writeValueAsString(doc);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
