package io.tessera.config.wire;

/**
 * Where an agent serves its workers' logs, and the key that opens it. The agent makes the key
 * at start and gives it only to the scheduler, at registration; the scheduler keeps it in
 * cluster state (which only members reach) and presents it when it relays a user's log request.
 *
 * @param url base URL, e.g. {@code http://10.0.0.7:41233}
 * @param key the bearer key the agent accepts; never shown by the API
 */
public record LogEndpoint(String url, String key) {
}
