package io.tessera.agent;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.net.ConnectException;
import io.tessera.config.wire.HeartbeatResponse;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.util.List;
import java.util.Map;
import com.fasterxml.jackson.databind.JsonNode;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tessera.config.Documents;
import io.tessera.config.wire.AssignmentSet;
import io.tessera.config.wire.Heartbeat;
import io.tessera.config.wire.RegisterRequest;
import io.tessera.config.wire.RegisterResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The agent's HTTP client for the scheduler's agent endpoints. Blocking; every call has a timeout.
 * Connection problems surface as {@link IOException}; an unknown node as {@link UnknownNodeException}.
 */
public final class SchedulerClient {
    private static final ObjectMapper JSON = Documents.json();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private final List<String> bases;
    private final AtomicInteger current = new AtomicInteger();
    private volatile String credential;

    /** @param baseUrls one scheduler URL, or several separated by commas (any member serves the whole API) */
    public SchedulerClient(String baseUrls) {
        this.bases = Arrays.stream(baseUrls.split(",")).map(String::strip).filter(u -> !u.isEmpty())
                .map(u -> u.replaceAll("/+$", "")).toList();
    }

    private String base() {
        return bases.get(Math.floorMod(current.get(), bases.size()));
    }

    /** The node credential every call presents as its bearer token. */
    public void useCredential(String value) {
        this.credential = value;
    }

    /** Whether a credential is set: calls other than enrollment are refused without one. */
    public boolean hasCredential() {
        return credential != null;
    }

    /** Exchanges a join token for this node's credential. */
    public String enroll(String node, String joinToken) throws IOException, InterruptedException {
        String body = JSON.writeValueAsString(Map.of("node", node, "joinToken", joinToken));
        HttpRequest req = HttpRequest.newBuilder(URI.create(base() + "/v1/agents/enroll")).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return JSON.readTree(send(req)).get("credential").asText();
    }

    public RegisterResponse register(RegisterRequest req) throws IOException, InterruptedException {
        return JSON.readValue(post("/v1/agents/register", req, Duration.ofSeconds(10)), RegisterResponse.class);
    }

    /** Sends a heartbeat; the answer carries the cadence to keep (zeros from a scheduler that sets none). */
    public HeartbeatResponse heartbeat(Heartbeat hb) throws IOException, InterruptedException {
        String path = "/v1/agents/" + hb.node() + "/heartbeat";
        String body;
        try {
            body = post(path, hb, Duration.ofSeconds(10));
        } catch (ConnectException | HttpTimeoutException e) {
            throw e;
        } catch (IOException closed) {
            // A kept-alive connection the scheduler closed as idle just as this heartbeat went out (intervals
            // stretch with the fleet): a heartbeat may be repeated, so send it once more on a new connection.
            body = post(path, hb, Duration.ofSeconds(10));
        }
        JsonNode answer = JSON.readTree(body);
        return new HeartbeatResponse(hb.node(), true,
                answer.path("heartbeatIntervalMs").asLong(0), answer.path("heartbeatTimeoutMs").asLong(0));
    }

    /** Long-polls for an assignment set whose version differs from {@code version}. */
    public AssignmentSet assignments(String node, long version, Duration timeout) throws IOException, InterruptedException {
        HttpRequest req = authorized(HttpRequest.newBuilder(URI.create(base() + "/v1/agents/" + node
                + "/assignments?version=" + version))).timeout(timeout).GET().build();
        return JSON.readValue(send(req), AssignmentSet.class);
    }

    private String post(String path, Object body, Duration timeout) throws IOException, InterruptedException {
        HttpRequest req = authorized(HttpRequest.newBuilder(URI.create(base() + path))).timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))).build();
        return send(req);
    }

    private HttpRequest.Builder authorized(HttpRequest.Builder b) {
        String c = credential;
        return c == null ? b : b.header("Authorization", "Bearer " + c);
    }

    private String send(HttpRequest req) throws IOException, InterruptedException {
        HttpResponse<String> resp;
        try {
            resp = http.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException | HttpConnectTimeoutException e) {
            current.incrementAndGet(); // this member is down: the next call tries the next one
            throw e;
        }
        if (resp.statusCode() == 401) {
            throw new UnauthorizedException(resp.body());
        }
        if (resp.statusCode() == 403 && req.uri().getPath().endsWith("/enroll")) {
            throw new UnauthorizedException(resp.body());
        }
        if (resp.statusCode() == 404 && req.uri().getPath().endsWith("/heartbeat")) {
            throw new UnknownNodeException();
        }
        if (resp.statusCode() / 100 != 2) {
            throw new IOException(req.method() + " " + req.uri().getPath() + " answered " + resp.statusCode() + ": "
                    + resp.body());
        }
        return resp.body();
    }

    /** The scheduler refused the credential or the join token. */
    public static final class UnauthorizedException extends IOException {
        private static final long serialVersionUID = 1L;

        UnauthorizedException(String body) {
            super("scheduler refused the credential: " + body);
        }
    }

    /** The scheduler does not know this node (it restarted, or forgot it): register again. */
    public static final class UnknownNodeException extends IOException {
        private static final long serialVersionUID = 1L;

        UnknownNodeException() {
            super("scheduler does not know this node");
        }
    }
}
