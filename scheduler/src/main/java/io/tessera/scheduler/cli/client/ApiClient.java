package io.tessera.scheduler.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.config.Documents;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * A small blocking client for the REST API, used by the CLI. A non-2xx answer becomes an
 * {@link ApiException} carrying the status and the problem+json detail; a connection failure is
 * an {@link IOException}.
 */
public final class ApiClient {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final String token;

    public ApiClient(String base, String token) {
        this.base = base.replaceAll("/+$", "");
        this.token = token;
    }

    public String base() {
        return base;
    }

    /** The bearer token this client sends, or null. */
    public String token() {
        return token;
    }

    public JsonNode get(String path) throws IOException, InterruptedException {
        return json(send(request(path).GET(), Duration.ofSeconds(30)));
    }

    public JsonNode post(String path, String body, String contentType) throws IOException, InterruptedException {
        return json(send(request(path).header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofString(body)),
                Duration.ofSeconds(30)));
    }

    public JsonNode put(String path, String body, String contentType) throws IOException, InterruptedException {
        return json(send(request(path).header("Content-Type", contentType).PUT(HttpRequest.BodyPublishers.ofString(body)),
                Duration.ofSeconds(30)));
    }

    public JsonNode delete(String path) throws IOException, InterruptedException {
        return json(send(request(path).DELETE(), Duration.ofSeconds(30)));
    }

    /** A streamed GET (logs): the body as it arrives; no overall timeout, so following can last. */
    public InputStream stream(String path) throws IOException, InterruptedException {
        HttpRequest req = authorized(request(path).GET()).build();
        HttpResponse<InputStream> resp = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
        if (resp.statusCode() / 100 != 2) {
            try (InputStream in = resp.body()) {
                throw ApiException.of(resp.statusCode(), in.readAllBytes());
            }
        }
        return resp.body();
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path));
    }

    private HttpRequest.Builder authorized(HttpRequest.Builder req) {
        return token == null ? req : req.header("Authorization", "Bearer " + token);
    }

    private byte[] send(HttpRequest.Builder req, Duration timeout) throws IOException, InterruptedException {
        HttpResponse<byte[]> resp = http.send(authorized(req).timeout(timeout).build(), HttpResponse.BodyHandlers.ofByteArray());
        if (resp.statusCode() / 100 != 2) {
            throw ApiException.of(resp.statusCode(), resp.body());
        }
        return resp.body();
    }

    private static JsonNode json(byte[] body) {
        return Documents.parseJson(body);
    }
}
