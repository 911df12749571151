package io.tessera.scheduler.model;

/**
 * One entry of the audit trail: who did what to which target, with what result, when and from
 * where. Records are appended and never changed; {@code id} is given by the log when stored
 * (0 before) and orders records cluster-wide.
 *
 * @param id      the log's sequence number, increasing with each record stored
 * @param atMs    when the call ended (epoch ms)
 * @param actor   the caller: a user, an admin, {@code node:<name>} for an agent, or {@code -} when not signed in
 * @param role    the caller's role ({@code user}, {@code admin}, {@code agent}) or {@code -}
 * @param action  what was asked
 *                ({@code job.submit}, {@code node.drain}, {@code auth.denied}, ...)
 * @param target  what it was asked of (a job id, node, queue, token id, or the path), or empty
 * @param status  the HTTP status the call ended with
 * @param outcome {@code ok}, {@code refused} (4xx), {@code forbidden} (403), {@code unauthenticated} (401)
 *                or {@code failed} (5xx)
 * @param from    the caller's address
 * @param detail  why it was refused or failed, in a line; empty when it succeeded
 */
public record AuditRecord(long id, long atMs, String actor, String role, String action, String target, int status,
                          String outcome, String from, String detail) {
    public AuditRecord {
        actor = cap(actor, 256);
        role = cap(role, 16);
        action = cap(action, 64);
        target = cap(target, 256);
        outcome = cap(outcome, 16);
        from = cap(from, 64);
        detail = cap(detail, 512);
    }

    /** The outcome an HTTP status stands for. */
    public static String outcomeOf(int status) {
        if (status < 400) {
            return "ok";
        }
        return switch (status) {
            case 401 -> "unauthenticated";
            case 403 -> "forbidden";
            default -> status >= 500 ? "failed" : "refused";
        };
    }

    /** This record as stored, with its sequence number. */
    public AuditRecord withId(long value) {
        return new AuditRecord(value, atMs, actor, role, action, target, status, outcome, from, detail);
    }

    private static String cap(String s, int max) {
        String v = s == null ? "" : s.replaceAll("[\\p{Cntrl}]", "?");
        return v.length() <= max ? v : v.substring(0, max);
    }
}
