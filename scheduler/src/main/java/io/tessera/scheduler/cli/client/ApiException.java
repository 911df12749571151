package io.tessera.scheduler.cli.client;

import java.nio.charset.StandardCharsets;
import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.config.Documents;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A non-2xx answer from the API: its status and what its problem+json body says, field by field. */
public final class ApiException extends IOException {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final List<String> details;
    private final String problem;

    private ApiException(int status, String message, List<String> details, String problem) {
        super(message);
        this.status = status;
        this.details = List.copyOf(details);
        this.problem = problem;
    }

    static ApiException of(int status, byte[] body) {
        List<String> details = new ArrayList<>();
        String message = "HTTP " + status;
        String problem;
        try {
            JsonNode p = Documents.parseJson(body);
            for (JsonNode e : p.path("errors")) {
                details.add(e.path("field").asText() + ": " + e.path("message").asText());
            }
            // With field errors listed one by one, the detail (which joins them) would say the first twice.
            message = details.isEmpty() ? p.path("detail").asText(p.path("title").asText(message))
                    : p.path("title").asText(message) + " (" + details.size() + (details.size() == 1 ? " error)" : " errors)");
            problem = Documents.json().writeValueAsString(p);
        } catch (RuntimeException | IOException notJson) {
            String text = new String(body, StandardCharsets.UTF_8).strip();
            message = text.isEmpty() ? message : message + ": " + text;
            problem = problemOf(status, message);
        }
        return new ApiException(status, message, details, problem);
    }

    /** A problem+json document for an answer that carried none. */
    private static String problemOf(int status, String detail) {
        try {
            return Documents.json().writeValueAsString(Map.of("title", "HTTP " + status, "status", status, "detail", detail));
        } catch (IOException e) {
            return "{\"status\":" + status + "}";
        }
    }

    /** The answer's problem+json (RFC 9457) document, for {@code --json}. */
    public String problem() {
        return problem;
    }

    public int status() {
        return status;
    }

    /** Each {@code field: message} of a validation problem. */
    public List<String> details() {
        return details;
    }
}
