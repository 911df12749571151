package io.tessera.bench;

import java.util.concurrent.CompletionException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The load harness's HTTP side. The simulated nodes' connections are spread over several clients
 * (each has one selector thread, which thousands of long-polls and heartbeats would otherwise
 * saturate), and the user's submissions and dry runs have a client of their own, as they would in
 * real life. Failures are counted by kind, for the report.
 */
final class HarnessHttp {
    private final String url;
    private final HttpClient[] nodeClients = new HttpClient[4];
    private final HttpClient api = client();
    private final AtomicLong errors = new AtomicLong();

    HarnessHttp(String url) {
        this.url = url;
        for (int i = 0; i < nodeClients.length; i++) {
            nodeClients[i] = client();
        }
    }

    private static HttpClient client() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .executor(Executors.newFixedThreadPool(2)).connectTimeout(Duration.ofSeconds(10)).build();
    }

    /** The client the node named {@code node} speaks through. */
    HttpClient of(String node) {
        return nodeClients[Math.floorMod(node.hashCode(), nodeClients.length)];
    }

    /** The user's client. */
    HttpClient api() {
        return api;
    }

    long errors() {
        return errors.get();
    }

    private final Map<String, AtomicLong> errorKinds = new ConcurrentHashMap<>();

    /** Counts a failure by kind (the request and the error, numbers left out); the report lists the kinds. */
    Void failed(Throwable e) {
        errors.incrementAndGet();
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        String kind = String.valueOf(cause.getMessage()).replaceAll("\\d+", "N");
        errorKinds.computeIfAbsent(kind.length() > 160 ? kind.substring(0, 160) : kind, k -> new AtomicLong()).incrementAndGet();
        return null;
    }

    /** Prints the {@code n} commonest kinds of failure. */
    void printErrorKinds(int n) {
        errorKinds.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue().get(), a.getValue().get())).limit(n)
                .forEach(k -> System.out.printf(Locale.ROOT, "  error x%d: %s%n", k.getValue().get(), k.getKey()));
    }

    /** One request; a status of 300 or more fails the future, naming the request (node numbers left out). */
    CompletableFuture<HttpResponse<String>> send(HttpClient http, String method, String path, String token, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString()).handle((r, e) -> {
            if (e != null) {
                throw new CompletionException(new IOException(method + " "
                        + path.replaceAll("sim-\\d+", "sim-N").replaceAll("version=.*", "version=V") + ": " + e.getMessage(), e));
            }
            if (r.statusCode() >= 300) {
                throw new IllegalStateException(method + " " + path + " answered " + r.statusCode() + ": " + r.body());
            }
            return r;
        });
    }
}
