package io.tessera.scheduler.state.memory;

import io.tessera.scheduler.model.AuditRecord;
import io.tessera.scheduler.state.AuditLog;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;

/**
 * {@link AuditLog} in this member's memory, for tests and for a scheduler run without a
 * database: not durable, not shared with other members, and bounded (the oldest records go
 * first once {@code capacity} is reached).
 */
public final class InMemoryAuditLog implements AuditLog {
    private final Deque<AuditRecord> records = new ArrayDeque<>();
    private final int capacity;
    private long next = 1;

    public InMemoryAuditLog(int capacity) {
        this.capacity = capacity;
    }

    @Override
    public synchronized void append(List<AuditRecord> batch) {
        for (AuditRecord r : batch) {
            records.addLast(r.withId(next++));
            if (records.size() > capacity) {
                records.removeFirst();
            }
        }
    }

    @Override
    public synchronized List<AuditRecord> page(Query q) {
        List<AuditRecord> out = new ArrayList<>();
        for (Iterator<AuditRecord> it = records.descendingIterator(); it.hasNext() && out.size() < q.limit(); ) {
            AuditRecord r = it.next();
            if (q.matches(r)) {
                out.add(r);
            }
        }
        return out;
    }

    @Override
    public synchronized int purgeBefore(long cutoffMs) {
        int before = records.size();
        records.removeIf(r -> r.atMs() < cutoffMs);
        return before - records.size();
    }
}
