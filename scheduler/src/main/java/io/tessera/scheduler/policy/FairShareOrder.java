package io.tessera.scheduler.policy;

import io.tessera.config.QueueSpec;
import io.tessera.scheduler.model.JobRecord;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The order one pass offers queued jobs capacity in: weighted max-min fairness over normalized
 * compute (the TFLOPS charge of what each queue holds, {@link QuotaCharge}), in the spirit of
 * Gavel's heterogeneity-aware max-min. The next job comes from the queue whose holding divided by
 * its weight is smallest (ties by queue name); with a {@link UsageHistory}, the holding is averaged
 * with the queue's decayed recent use, so a queue that used much lately yields for a while. Within that queue, the highest priority goes
 * first; among jobs of that priority, the user who holds least goes first; then submission order.
 * Each placement is added to its queue's and user's holding at once ({@link #placed}), so a pass
 * interleaves queues in proportion to their weights. Jobs that preempted others come before all
 * of this, so the room their victims give up goes to them. Deterministic; pure apart from its own state.
 */
public final class FairShareOrder {
    private final Map<String, QueueSpec> queues;
    private QueueUsage usage;
    private final UsageHistory history;
    /** Per queue: priority (highest first), then per user, jobs in {@link QueueOrder}. */
    private final Map<String, TreeMap<Integer, Map<String, Deque<JobRecord>>>> waiting = new TreeMap<>();

    /** Jobs offered before all others: those that preempted for room which is now theirs. */
    private final Deque<JobRecord> first = new ArrayDeque<>();

    /** @param queued the queued jobs, in {@link QueueOrder#FIRST_TO_PLACE} */
    public FairShareOrder(List<JobRecord> queued, Map<String, QueueSpec> queues, QueueUsage usage) {
        this(queued, queues, usage, Set.of());
    }

    /**
     * @param queued  the queued jobs, in {@link QueueOrder#FIRST_TO_PLACE}
     * @param claimed jobs that preempted others: offered first, so the room their victims give up is theirs
     */
    public FairShareOrder(List<JobRecord> queued, Map<String, QueueSpec> queues, QueueUsage usage,
                          Set<String> claimed) {
        this(queued, queues, usage, claimed, null);
    }

    /** @param history each queue's recent use; when given, queues are compared on {@link UsageHistory#effective} */
    public FairShareOrder(List<JobRecord> queued, Map<String, QueueSpec> queues, QueueUsage usage,
                          Set<String> claimed, UsageHistory history) {
        this.queues = queues;
        this.usage = usage;
        this.history = history;
        for (JobRecord j : queued) {
            if (claimed.contains(j.id())) {
                first.add(j);
                continue;
            }
            waiting.computeIfAbsent(j.spec().queue(), k -> new TreeMap<>(Comparator.reverseOrder()))
                    .computeIfAbsent(j.spec().priority(), k -> new LinkedHashMap<>())
                    .computeIfAbsent(QueueUsage.owner(j), k -> new ArrayDeque<>()).add(j);
        }
    }

    /** The next job to offer capacity to, or empty when every job has been offered. */
    public Optional<JobRecord> next() {
        if (!first.isEmpty()) {
            return Optional.of(first.poll());
        }
        String queue = null;
        double least = Double.POSITIVE_INFINITY;
        for (String q : waiting.keySet()) {
            double holds = usage.of(q).tflops();
            double share = (history == null ? holds : history.effective(q, holds)) / QueueUsage.spec(queues, q).weight();
            if (queue == null || share < least) {
                queue = q;
                least = share;
            }
        }
        if (queue == null) {
            return Optional.empty();
        }
        TreeMap<Integer, Map<String, Deque<JobRecord>>> levels = waiting.get(queue);
        Map<String, Deque<JobRecord>> users = levels.firstEntry().getValue();
        String user = leastHolding(queue, users);
        Deque<JobRecord> jobs = users.get(user);
        JobRecord job = jobs.poll();
        if (jobs.isEmpty()) {
            users.remove(user);
            if (users.isEmpty()) {
                levels.pollFirstEntry();
                if (levels.isEmpty()) {
                    waiting.remove(queue);
                }
            }
        }
        return Optional.of(job);
    }

    /** Records that {@code job} was placed with {@code charge}: its queue and user now hold more. */
    public void placed(JobRecord job, QuotaCharge charge) {
        usage = usage.plus(job.spec().queue(), QueueUsage.owner(job), charge);
    }

    /** What the pass has added so far, on top of the usage it started from. */
    public QueueUsage usage() {
        return usage;
    }

    private String leastHolding(String queue, Map<String, Deque<JobRecord>> users) {
        String pick = null;
        for (Map.Entry<String, Deque<JobRecord>> e : users.entrySet()) {
            if (pick == null) {
                pick = e.getKey();
                continue;
            }
            int c = Double.compare(usage.of(queue, e.getKey()).tflops(), usage.of(queue, pick).tflops());
            if (c < 0 || c == 0 && QueueOrder.FIRST_TO_PLACE.compare(e.getValue().peek(), users.get(pick).peek()) < 0) {
                pick = e.getKey();
            }
        }
        return pick;
    }
}
