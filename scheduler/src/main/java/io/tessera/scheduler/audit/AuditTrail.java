package io.tessera.scheduler.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.tessera.config.AuditConfig;
import io.tessera.config.Documents;
import io.tessera.scheduler.model.AuditRecord;
import io.tessera.scheduler.state.AuditLog;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit trail's writer. {@link #record} never blocks: it queues the record for one daemon
 * thread, which writes it as one JSON line to the {@code tessera.audit} logger (for a SIEM) and
 * appends it to the {@link AuditLog} in batches, retrying while the store is down. Refused calls go
 * through {@link #refused}, sampled per address by a {@link DeniedSampler}. The same thread
 * purges records past the retention every hour. Reads ({@link #page}) first wait for this
 * member's queued records to be stored, so a caller sees its own calls.
 */
public final class AuditTrail implements AutoCloseable {
    private static final Logger SIEM = LoggerFactory.getLogger("tessera.audit");
    private static final Logger LOG = LoggerFactory.getLogger(AuditTrail.class);
    private static final int CAPACITY = 50_000;
    private static final long PURGE_EVERY_MS = 3_600_000;
    private final AuditLog log;
    private final AuditConfig config;
    private final Clock clock;
    private final DeniedSampler sampler;
    private final BlockingQueue<AuditRecord> queue = new ArrayBlockingQueue<>(CAPACITY);
    private final AtomicLong pending = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final Thread writer;
    private volatile boolean closed;
    private long purgedAt = Long.MIN_VALUE / 2; // half: now minus it must not overflow

    public AuditTrail(AuditLog log, AuditConfig config, Clock clock) {
        this.log = log;
        this.config = config;
        this.clock = clock;
        this.sampler = new DeniedSampler(config.deniedPerMinute(), 10_000);
        this.writer = new Thread(this::write, "tessera-audit");
        writer.setDaemon(true);
        writer.start();
    }

    /**
     * Records one call. Never blocks (it runs on the event loop): the record is queued, and the
     * writer thread logs its line and stores it. A record that finds the queue full is logged at
     * once and counted as dropped from the database.
     */
    public void record(AuditRecord r) {
        pending.incrementAndGet();
        if (!queue.offer(r)) {
            pending.decrementAndGet();
            siem(r);
            long n = dropped.incrementAndGet();
            LOG.error("the audit queue is full (the database is not keeping up): {} record(s) dropped from the "
                    + "database; they are in the tessera.audit log", n);
        }
    }

    private static void siem(AuditRecord r) {
        try {
            SIEM.info(Documents.json().writeValueAsString(r));
        } catch (JsonProcessingException e) {
            LOG.warn("cannot write an audit line: {}", e.getMessage());
        }
    }

    /** Records a refused call (401, 403), unless its address has had its share this minute. */
    public void refused(AuditRecord r) {
        DeniedSampler.Decision d = sampler.refused(r.from(), r.atMs());
        if (d.previous() != null) {
            record(summary(d.previous(), r.atMs()));
        }
        if (d.record()) {
            record(r);
        }
    }

    /** Records queued by this member that the store does not hold yet. */
    public long pending() {
        return pending.get();
    }

    /** Records dropped because the queue was full. */
    public long dropped() {
        return dropped.get();
    }

    /** A page of the trail, after this member's queued records are stored (waits at most 5 s for them). */
    public List<AuditRecord> page(AuditLog.Query q) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        synchronized (pending) {
            while (pending.get() > 0 && System.nanoTime() < deadline) {
                pending.wait(50);
            }
        }
        return log.page(q);
    }

    private static AuditRecord summary(DeniedSampler.Suppressed s, long nowMs) {
        return new AuditRecord(0, nowMs, "-", "-", "auth.denied.suppressed", "", 0, "refused", s.from(),
                s.count() + " more refused call(s) from this address in the minute from " + s.sinceMs());
    }

    private void write() {
        List<AuditRecord> batch = new ArrayList<>();
        while (!closed || !queue.isEmpty() || !batch.isEmpty()) {
            try {
                if (batch.isEmpty()) {
                    AuditRecord first = queue.poll(1, TimeUnit.SECONDS);
                    if (first != null) {
                        batch.add(first);
                        queue.drainTo(batch, 499);
                        batch.forEach(AuditTrail::siem); // the log line first: the database may be down
                    }
                }
                housekeeping();
                if (!batch.isEmpty()) {
                    log.append(batch);
                    stored(batch.size());
                    batch.clear();
                }
            } catch (InterruptedException e) {
                closed = true;
            } catch (RuntimeException e) {
                LOG.warn("cannot store {} audit record(s), retrying: {}", batch.size(), e.getMessage());
                if (closed) {
                    return;
                }
                sleepQuietly();
            }
        }
    }

    private void housekeeping() {
        long now = clock.millis();
        for (DeniedSampler.Suppressed s : sampler.finished(now)) {
            record(summary(s, now));
        }
        if (now - purgedAt >= PURGE_EVERY_MS) {
            purgedAt = now;
            int n = log.purgeBefore(now - config.retentionMs());
            if (n > 0) {
                LOG.info("purged {} audit record(s) older than {} days", n, config.retentionDays());
            }
        }
    }

    private void stored(int n) {
        synchronized (pending) {
            pending.addAndGet(-n);
            pending.notifyAll();
        }
    }

    private static void sleepQuietly() {
        try {
            TimeUnit.SECONDS.sleep(1); // a backoff between retries against a store that is down, not a wait for a condition
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stores what is queued (for up to 5 s) and stops the writer. */
    @Override
    public void close() {
        closed = true;
        try {
            writer.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
