package io.tessera.scheduler.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.config.Documents;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The OAuth 2.0 device authorization grant (RFC 8628) against the company's identity provider:
 * ask for a user code, show the user where to enter it, and poll the token endpoint at the pace
 * the provider sets ({@code authorization_pending}, {@code slow_down}) until the user has signed
 * in, refused, or the code expired.
 */
final class DeviceCodeFlow {
    private static final String GRANT = "urn:ietf:params:oauth:grant-type:device_code";
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String deviceEndpoint;
    private final String tokenEndpoint;
    private final String clientId;

    DeviceCodeFlow(String deviceEndpoint, String tokenEndpoint, String clientId) {
        this.deviceEndpoint = deviceEndpoint;
        this.tokenEndpoint = tokenEndpoint;
        this.clientId = clientId;
    }

    /** The tokens the provider issued: {@code id_token}, {@code access_token}, as it answered. */
    JsonNode signIn(PrintWriter out) throws IOException, InterruptedException, ClientCommand.UsageError {
        JsonNode start = post(deviceEndpoint, Map.of("client_id", clientId, "scope", "openid profile"));
        if (!start.hasNonNull("device_code") || !start.hasNonNull("user_code")) {
            throw new ClientCommand.UsageError("the identity provider did not start the device flow: " + start);
        }
        String where = start.path("verification_uri_complete").asText(start.path("verification_uri").asText());
        out.println("open " + where + " and enter the code " + start.get("user_code").asText());
        out.flush();
        long intervalMs = Math.max(0, start.path("interval").asLong(5)) * 1000;
        long deadline = System.currentTimeMillis() + start.path("expires_in").asLong(600) * 1000;
        while (System.currentTimeMillis() < deadline) {
            Thread.sleep(intervalMs); // the provider's pace between polls (RFC 8628 section 3.5)
            JsonNode answer = post(tokenEndpoint, Map.of("grant_type", GRANT, "device_code",
                    start.get("device_code").asText(), "client_id", clientId));
            String error = answer.path("error").asText("");
            switch (error) {
                case "" -> {
                    return answer;
                }
                case "authorization_pending" -> { }
                case "slow_down" -> intervalMs += 5_000;
                default -> throw new ClientCommand.UsageError("sign-in failed: " + error + " "
                        + answer.path("error_description").asText(""));
            }
        }
        throw new ClientCommand.UsageError("sign-in failed: the code expired before it was entered");
    }

    private JsonNode post(String url, Map<String, String> form) throws IOException, InterruptedException {
        String body = new LinkedHashMap<>(form).entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpResponse<byte[]> resp = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/x-www-form-urlencoded").header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
        try {
            return Documents.parseJson(resp.body());
        } catch (RuntimeException e) {
            throw new IOException("the identity provider answered " + resp.statusCode() + " with something not JSON");
        }
    }
}
