package io.tessera.scheduler.policy;

import io.tessera.config.ChipCatalog;
import io.tessera.config.QueueSpec;
import io.tessera.scheduler.model.JobRecord;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.TreeMap;

/**
 * What each queue, and each user within it, holds now: the sum of the charges of its jobs that
 * hold devices (PLACED or RUNNING), and how many jobs wait. Pure.
 *
 * @param byQueue charges per queue
 * @param byUser  charges per queue, then per user
 * @param pending queued jobs per queue
 */
public record QueueUsage(Map<String, QuotaCharge> byQueue, Map<String, Map<String, QuotaCharge>> byUser,
                         Map<String, Integer> pending) {
    public static QueueUsage of(Collection<JobRecord> jobs, ChipCatalog catalog) {
        Map<String, Sum> queues = new TreeMap<>();
        Map<String, Map<String, Sum>> users = new TreeMap<>();
        Map<String, Integer> pending = new TreeMap<>();
        for (JobRecord j : jobs) {
            String q = j.spec().queue();
            if (j.state().active() && j.placement() != null) {
                QuotaCharge c = QuotaCharge.of(j.placement(), catalog);
                queues.computeIfAbsent(q, k -> new Sum()).add(c);
                users.computeIfAbsent(q, k -> new HashMap<>()).computeIfAbsent(owner(j), k -> new Sum()).add(c);
            } else if (!j.state().terminal() && !j.state().active()) {
                pending.merge(q, 1, Integer::sum);
            }
        }
        Map<String, QuotaCharge> byQueue = new TreeMap<>();
        queues.forEach((q, sum) -> byQueue.put(q, sum.charge()));
        Map<String, Map<String, QuotaCharge>> byUser = new TreeMap<>();
        users.forEach((q, m) -> {
            Map<String, QuotaCharge> out = new HashMap<>();
            m.forEach((u, sum) -> out.put(u, sum.charge()));
            byUser.put(q, out);
        });
        return new QueueUsage(byQueue, byUser, pending);
    }

    /** A running total of charges, built into one {@link QuotaCharge} at the end. */
    private static final class Sum {
        private double tflops;
        private final Map<String, Integer> devices = new TreeMap<>();

        void add(QuotaCharge c) {
            tflops += c.tflops();
            c.devices().forEach((k, v) -> devices.merge(k, v, Integer::sum));
        }

        QuotaCharge charge() {
            return new QuotaCharge(tflops, devices);
        }
    }

    /** The job's owner, or "" for jobs stored before owners were recorded. */
    static String owner(JobRecord j) {
        return j.owner() == null ? "" : j.owner();
    }

    public QuotaCharge of(String queue) {
        return byQueue.getOrDefault(queue, QuotaCharge.NONE);
    }

    public QuotaCharge of(String queue, String user) {
        return byUser.getOrDefault(queue, Map.of()).getOrDefault(user, QuotaCharge.NONE);
    }

    /** This usage with {@code charge} added to {@code queue} and {@code user}. */
    public QueueUsage plus(String queue, String user, QuotaCharge charge) {
        Map<String, QuotaCharge> q = new TreeMap<>(byQueue);
        q.merge(queue, charge, QuotaCharge::plus);
        Map<String, Map<String, QuotaCharge>> u = new TreeMap<>(byUser);
        Map<String, QuotaCharge> users = new HashMap<>(u.getOrDefault(queue, Map.of()));
        users.merge(user, charge, QuotaCharge::plus);
        u.put(queue, users);
        return new QueueUsage(q, u, pending);
    }

    /** The queue spec in force for {@code name}: its definition, or an open queue. */
    public static QueueSpec spec(Map<String, QueueSpec> queues, String name) {
        QueueSpec q = queues.get(name);
        if (q != null) {
            return q;
        }
        QueueSpec open = OPEN.get(name);
        if (open == null) {
            open = QueueSpec.open(name);
            if (OPEN.size() < 1024) {
                OPEN.put(name, open);
            }
        }
        return open;
    }

    /** Open definitions of undefined queues, built once per name (a queue name is validated on each build). */
    private static final Map<String, QueueSpec> OPEN = new ConcurrentHashMap<>();
}
