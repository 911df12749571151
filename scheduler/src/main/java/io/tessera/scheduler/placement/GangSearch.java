package io.tessera.scheduler.placement;

import io.tessera.config.JobSpec;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Chooses the shard count and chip mix that maximise predicted throughput
 * {@code B / (B / R + allReduce)} where R is the gang's summed rate. For a fixed shard count and
 * a fixed span (one node, one vendor, any), the best gang without caps is the fastest slots of
 * that scope; so the search walks, per scope, a sequence of slots that grows one shard at a time
 * and evaluates every prefix in [min, max]. Under a vendor-share cap the sequence is built
 * greedily: the fastest slot whose vendor stays within the cap, else the slot of the vendor with
 * the smallest share; a second sequence seeds one slot of each of the minVendors best vendors.
 * Scopes: all slots; each vendor alone; each node alone (the last two only when one vendor may
 * carry the whole job). Cost: O((max + slots) x vendors) per scope. Pure.
 */
final class GangSearch {
    private static final double EPS = 1e-9;
    private final JobSpec job;
    private final LinkModel link;
    private final int min;
    private final int max;
    private final double cap;
    private final int minVendors;
    private final double gradientBytes;

    GangSearch(JobSpec job, LinkModel link, double cap, int minVendors, double gradientBytes) {
        this.job = job;
        this.link = link;
        this.min = job.shards().min();
        this.max = (int) Math.min(job.shards().max(), job.globalBatch());
        this.cap = cap;
        this.minVendors = minVendors;
        this.gradientBytes = gradientBytes;
    }

    /** The best selection from {@code slots} (fastest first), or empty when no gang satisfies the constraints. */
    Optional<Selection> best(List<Slot> slots) {
        Selection best = null;
        best = better(best, walk(slots, false));
        if (minVendors > 1) {
            best = better(best, walk(slots, true));
        }
        if (cap < 1 - EPS || minVendors > 1) {
            best = better(best, new CappedSearch(job, link, cap, minVendors, gradientBytes).best(slots));
        }
        if (cap >= 1 - EPS && minVendors <= 1) {
            for (List<Slot> group : groupBy(slots, Slot::vendor).values()) {
                best = better(best, walk(group, false));
            }
            Map<String, Integer> perNode = new HashMap<>();
            slots.forEach(s -> perNode.merge(s.node().name(), 1, Integer::sum));
            List<Slot> roomy = slots.stream().filter(s -> perNode.get(s.node().name()) >= min).toList();
            for (List<Slot> group : groupBy(roomy, s -> s.node().name()).values()) {
                best = better(best, walk(group, false));
            }
        }
        return Optional.ofNullable(best);
    }

    private static Selection better(Selection a, Selection b) {
        if (b == null) {
            return a;
        }
        return a == null || b.throughput() > a.throughput() * (1 + 1e-12) ? b : a;
    }

    /** Grows a gang slot by slot and returns its best feasible prefix. */
    private Selection walk(List<Slot> slots, boolean seedVendors) {
        Map<String, Deque<Slot>> queues = new LinkedHashMap<>();
        for (Slot s : slots) {
            queues.computeIfAbsent(s.vendor(), k -> new ArrayDeque<>()).add(s);
        }
        Prefix prefix = new Prefix();
        if (seedVendors) {
            queues.values().stream().map(Deque::peekFirst).sorted(Comparator.comparingDouble(Slot::rate).reversed())
                    .limit(minVendors).toList().forEach(s -> prefix.add(queues.get(s.vendor()).pollFirst()));
        }
        int bestLength = -1;
        double bestThroughput = 0;
        while (prefix.size() <= max) {
            if (prefix.size() >= min && prefix.feasible()) {
                double t = prefix.throughput();
                if (t > bestThroughput * (1 + 1e-12)) {
                    bestThroughput = t;
                    bestLength = prefix.size();
                }
            }
            Slot next = next(queues, prefix);
            if (next == null || prefix.size() == max) {
                break;
            }
            prefix.add(next);
        }
        return bestLength < 0 ? null : prefix.selection(bestLength);
    }

    /** The fastest head whose vendor stays within the cap, else the head of the least-represented vendor. */
    private Slot next(Map<String, Deque<Slot>> queues, Prefix prefix) {
        Deque<Slot> pick = null;
        Deque<Slot> fallback = null;
        for (Deque<Slot> q : queues.values()) {
            Slot head = q.peekFirst();
            if (head == null) {
                continue;
            }
            boolean within = prefix.byVendor(head.vendor()) + head.rate() <= cap * (prefix.rate + head.rate()) + EPS;
            if (within && (pick == null || head.rate() > pick.peekFirst().rate())) {
                pick = q;
            }
            if (fallback == null || prefix.byVendor(head.vendor()) < prefix.byVendor(fallback.peekFirst().vendor())) {
                fallback = q;
            }
        }
        Deque<Slot> q = pick != null ? pick : fallback;
        return q == null ? null : q.pollFirst();
    }

    /** The figures of a given gang: rate, span, all-reduce and throughput. */
    static Selection evaluate(List<Slot> gang, JobSpec job, LinkModel link, double gradientBytes) {
        double rate = 0;
        double minIntra = Double.MAX_VALUE;
        java.util.Set<String> vendors = new java.util.HashSet<>();
        java.util.Set<String> nodes = new java.util.HashSet<>();
        for (Slot s : gang) {
            rate += s.rate();
            minIntra = Math.min(minIntra, s.chip().intraNodeLinkGBs());
            vendors.add(s.vendor());
            nodes.add(s.node().name());
        }
        LinkModel.Span span = vendors.size() > 1 ? LinkModel.Span.CROSS_VENDOR
                : nodes.size() > 1 ? LinkModel.Span.VENDOR : LinkModel.Span.NODE;
        double comm = LinkModel.allReduceSec(gang.size(), gradientBytes, job.devicesPerShard(),
                link.perDeviceGBs(span, minIntra));
        double b = job.globalBatch();
        return new Selection(List.copyOf(gang), rate, comm, b / (b / rate + comm), span);
    }

    private static <K> Map<K, List<Slot>> groupBy(List<Slot> slots, java.util.function.Function<Slot, K> key) {
        Map<K, List<Slot>> out = new LinkedHashMap<>();
        slots.forEach(s -> out.computeIfAbsent(key.apply(s), k -> new ArrayList<>()).add(s));
        return out;
    }

    /** The growing gang with the running figures each prefix needs. */
    private final class Prefix {
        private final List<Slot> slots = new ArrayList<>();
        private final Map<String, Double> vendorRate = new HashMap<>();
        private final Map<String, Integer> nodes = new HashMap<>();
        private double rate;
        private double minIntra = Double.MAX_VALUE;

        void add(Slot s) {
            slots.add(s);
            rate += s.rate();
            vendorRate.merge(s.vendor(), s.rate(), Double::sum);
            nodes.merge(s.node().name(), 1, Integer::sum);
            minIntra = Math.min(minIntra, s.chip().intraNodeLinkGBs());
        }

        int size() {
            return slots.size();
        }

        double byVendor(String vendor) {
            return vendorRate.getOrDefault(vendor, 0.0);
        }

        boolean feasible() {
            if (vendorRate.size() < minVendors) {
                return false;
            }
            for (double v : vendorRate.values()) {
                if (v > cap * rate + EPS) {
                    return false;
                }
            }
            return true;
        }

        LinkModel.Span span() {
            return vendorRate.size() > 1 ? LinkModel.Span.CROSS_VENDOR
                    : nodes.size() > 1 ? LinkModel.Span.VENDOR : LinkModel.Span.NODE;
        }

        double commSec() {
            return LinkModel.allReduceSec(slots.size(), gradientBytes, job.devicesPerShard(),
                    link.perDeviceGBs(span(), minIntra));
        }

        double throughput() {
            double b = job.globalBatch();
            return b / (b / rate + commSec());
        }

        /** The first {@code length} slots as a selection. */
        Selection selection(int length) {
            return evaluate(slots.subList(0, length), job, link, gradientBytes);
        }
    }
}
