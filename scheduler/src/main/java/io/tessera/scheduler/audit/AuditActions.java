package io.tessera.scheduler.audit;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which API calls change state, and what the audit trail calls them: one row per route, the
 * target taken from the path. A state-changing call not listed here is recorded as
 * {@code http.<METHOD>} with its path as the target, so nothing goes unrecorded; the hot agent
 * paths (heartbeats, which carry reports) and the dry-run plan are exempt by name.
 */
public final class AuditActions {
    private static final List<Row> ROWS = List.of(
            row("POST", "/v1/jobs", "job.submit"),
            row("POST", "/v1/jobs/([^/]+)/resubmit", "job.resubmit"),
            row("DELETE", "/v1/jobs/([^/]+)", "job.cancel"),
            row("PUT", "/v1/queues/([^/]+)", "queue.put"),
            row("DELETE", "/v1/queues/([^/]+)", "queue.delete"),
            row("DELETE", "/v1/profiles/([^/]+)", "profile.delete"),
            row("POST", "/v1/nodes/([^/]+)/drain", "node.drain"),
            row("POST", "/v1/nodes/([^/]+)/undrain", "node.undrain"),
            row("POST", "/v1/nodes/([^/]+)/accept", "node.accept"),
            row("POST", "/v1/agents/enroll", "agent.enroll"),
            row("POST", "/v1/agents/register", "agent.register"),
            row("DELETE", "/v1/agents/([^/]+)/credential", "node.revoke"),
            row("POST", "/v1/agents/([^/]+)/readmit", "node.readmit"),
            row("POST", "/v1/agents/join-tokens", "join-token.issue"),
            row("DELETE", "/v1/agents/join-tokens/([^/]+)", "join-token.revoke"));
    private static final List<Row> EXEMPT = List.of(
            row("POST", "/v1/agents/([^/]+)/heartbeat", "-"),
            row("POST", "/v1/plan", "-"));

    private AuditActions() {
    }

    /**
     * What the trail calls a call.
     *
     * @param name   the action ({@code job.cancel})
     * @param target what it acts on, from the path; empty when the path names none
     */
    public record Action(String name, String target) {
    }

    private record Row(String method, Pattern path, String name) {
    }

    private static Row row(String method, String path, String name) {
        return new Row(method, Pattern.compile(path), name);
    }

    /** The action of a state-changing call; empty for reads and for exempt calls. */
    public static Optional<Action> of(String method, String path) {
        if (method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS")) {
            return Optional.empty();
        }
        for (Row r : EXEMPT) {
            if (r.method().equals(method) && r.path().matcher(path).matches()) {
                return Optional.empty();
            }
        }
        for (Row r : ROWS) {
            Matcher m = r.path().matcher(path);
            if (r.method().equals(method) && m.matches()) {
                return Optional.of(new Action(r.name(), m.groupCount() > 0 ? m.group(1) : ""));
            }
        }
        return Optional.of(new Action("http." + method, path));
    }

    /** The action names listed, for documentation and tests. */
    public static List<String> names() {
        return ROWS.stream().map(Row::name).toList();
    }
}
