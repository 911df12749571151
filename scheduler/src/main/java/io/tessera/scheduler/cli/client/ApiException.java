package io.tessera.scheduler.cli.client;

import java.nio.charset.StandardCharsets;
import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.config.Documents;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** A non-2xx answer from the API: its status and what its problem+json body says, field by field. */
public final class ApiException extends IOException {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final List<String> details;

    private ApiException(int status, String message, List<String> details) {
        super(message);
        this.status = status;
        this.details = List.copyOf(details);
    }

    static ApiException of(int status, byte[] body) {
        List<String> details = new ArrayList<>();
        String message = "HTTP " + status;
        try {
            JsonNode p = Documents.parseJson(body);
            message = p.path("detail").asText(p.path("title").asText(message));
            for (JsonNode e : p.path("errors")) {
                details.add(e.path("field").asText() + ": " + e.path("message").asText());
            }
        } catch (RuntimeException notJson) {
            String text = new String(body, StandardCharsets.UTF_8).strip();
            message = text.isEmpty() ? message : message + ": " + text;
        }
        return new ApiException(status, message, details);
    }

    public int status() {
        return status;
    }

    /** Each {@code field: message} of a validation problem. */
    public List<String> details() {
        return details;
    }
}
