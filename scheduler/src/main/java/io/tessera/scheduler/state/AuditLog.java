package io.tessera.scheduler.state;

import io.tessera.scheduler.model.AuditRecord;
import java.util.List;

/**
 * The audit trail's store: append-only, read in pages newest first, purged by age. Adapters:
 * the state database ({@code jdbc/JdbcAuditLog}, shared by all members and durable) and memory
 * ({@code memory/InMemoryAuditLog}, this member only). All methods block and are thread-safe.
 */
public interface AuditLog {
    /**
     * Which records a page holds; every filter is optional (null: any).
     *
     * @param actor    exactly this caller
     * @param action   exactly this action, or every action under it when it ends in {@code .} ({@code job.})
     * @param target   exactly this target
     * @param outcome  exactly this outcome
     * @param sinceMs  records at or after this time
     * @param untilMs  records before this time
     * @param beforeId the cursor: only records stored before this one
     * @param limit    at most this many
     */
    record Query(String actor, String action, String target, String outcome, Long sinceMs, Long untilMs, Long beforeId,
                 int limit) {
        public boolean matches(AuditRecord r) {
            return (actor == null || actor.equals(r.actor()))
                    && (action == null || (action.endsWith(".") ? r.action().startsWith(action) : action.equals(r.action())))
                    && (target == null || target.equals(r.target())) && (outcome == null || outcome.equals(r.outcome()))
                    && (sinceMs == null || r.atMs() >= sinceMs) && (untilMs == null || r.atMs() < untilMs)
                    && (beforeId == null || r.id() < beforeId);
        }
    }

    /** Stores the records in order; each gets the next sequence number. */
    void append(List<AuditRecord> records);

    /** Up to {@code q.limit()} records matching {@code q}, newest first. */
    List<AuditRecord> page(Query q);

    /** Deletes records from before {@code cutoffMs}; returns how many. */
    int purgeBefore(long cutoffMs);
}
