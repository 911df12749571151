package io.tessera.scheduler.placement;

import io.tessera.config.ChipType;
import java.util.IdentityHashMap;
import io.tessera.config.JobSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;

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
 * The slots need reach only {@code max} deep per chip type ({@link SlotSource}).
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

    /**
     * The best selection from the candidates (slots fastest first, and one-node gangs), or empty
     * when no gang satisfies the constraints.
     */
    Optional<Selection> best(SlotSource.Candidates candidates) {
        List<Slot> slots = candidates.slots();
        int[][] queues = vendorQueues(slots);
        Selection best = walk(slots, queues, false);
        if (minVendors > 1) {
            best = better(best, walk(slots, queues, true));
        }
        if (cap < 1 - EPS || minVendors > 1) {
            best = better(best, new CappedSearch(job, link, cap, minVendors, gradientBytes).best(slots));
        }
        best = better(best, confinedGroups(GroupScopes.of(slots, candidates.singleNodes(), queues, max,
                Math.max(1, minVendors), cap < 1 - EPS)));
        if (cap >= 1 - EPS && minVendors <= 1) {
            for (int[] vendor : queues) {
                best = better(best, walk(slots, new int[][] {vendor}, false));
            }
            best = better(best, singleNodes(candidates.singleNodes()));
        }
        return Optional.ofNullable(best);
    }

    /** The best gang over {@link GroupScopes}: vendors left out or confined to one node. */
    private Selection confinedGroups(GroupScopes.Scopes scopes) {
        Selection best = null;
        List<Slot> slots = scopes.slots();
        for (int[][] q : scopes.queues()) {
            best = better(best, walk(slots, q, false));
            if (minVendors > 1) {
                best = better(best, walk(slots, q, true));
            }
            if (cap < 1 - EPS || minVendors > 1) {
                best = better(best, new CappedSearch(job, link, cap, minVendors, gradientBytes)
                        .best(GroupScopes.within(slots, q)));
            }
        }
        return best;
    }

    /** Slot indices per vendor, each in slot order; vendors numbered by first appearance. */
    private static int[][] vendorQueues(List<Slot> slots) {
        Map<String, Integer> ids = new HashMap<>();
        int[] vendorOf = new int[slots.size()];
        List<int[]> counts = new ArrayList<>();
        Slot last = null;
        for (int i = 0; i < slots.size(); i++) {
            Slot s = slots.get(i);
            int v = last != null && last.chip() == s.chip() ? vendorOf[i - 1]
                    : ids.computeIfAbsent(s.vendor(), k -> ids.size());
            if (v == counts.size()) {
                counts.add(new int[1]);
            }
            counts.get(v)[0]++;
            vendorOf[i] = v;
            last = s;
        }
        int[][] queues = new int[counts.size()][];
        int[] fill = new int[counts.size()];
        for (int v = 0; v < queues.length; v++) {
            queues[v] = new int[counts.get(v)[0]];
        }
        for (int i = 0; i < slots.size(); i++) {
            queues[vendorOf[i]][fill[vendorOf[i]]++] = i;
        }
        return queues;
    }

    /** Gangs confined to one node: each candidate is one node's slots of one chip type. */
    private Selection singleNodes(List<List<Slot>> nodes) {
        Selection best = null;
        for (List<Slot> node : nodes) {
            if (node.size() >= min) {
                best = better(best, walk(node, new int[][] {IntStream.range(0, node.size()).toArray()}, false));
            }
        }
        return best;
    }

    private static Selection better(Selection a, Selection b) {
        if (b == null) {
            return a;
        }
        return a == null || b.throughput() > a.throughput() * (1 + 1e-12) ? b : a;
    }

    /** Grows a gang slot by slot from per-vendor queues of slot indices and returns its best feasible prefix. */
    private Selection walk(List<Slot> slots, int[][] queues, boolean seedVendors) {
        int[] head = new int[queues.length];
        Prefix prefix = new Prefix(queues.length);
        if (seedVendors) {
            List<Integer> order = new ArrayList<>();
            for (int v = 0; v < queues.length; v++) {
                order.add(v);
            }
            order.sort(Comparator.comparingDouble(v -> -slots.get(queues[v][0]).rate()));
            order.stream().limit(minVendors).forEach(v -> prefix.add(slots.get(queues[v][head[v]++]), v));
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
            int v = next(slots, queues, head, prefix);
            if (v < 0 || prefix.size() == max) {
                break;
            }
            prefix.add(slots.get(queues[v][head[v]++]), v);
        }
        return bestLength < 0 ? null : evaluate(prefix.slots.subList(0, bestLength), job, link, gradientBytes);
    }

    /** The vendor whose next slot is fastest among those within the cap, else the least-represented vendor; -1 if none. */
    private int next(List<Slot> slots, int[][] queues, int[] head, Prefix prefix) {
        int pick = -1;
        int fallback = -1;
        double pickRate = 0;
        for (int v = 0; v < queues.length; v++) {
            if (head[v] >= queues[v].length) {
                continue;
            }
            double r = slots.get(queues[v][head[v]]).rate();
            boolean within = prefix.vendorRate[v] + r <= cap * (prefix.rate + r) + EPS;
            if (within && (pick < 0 || r > pickRate)) {
                pick = v;
                pickRate = r;
            }
            if (fallback < 0 || prefix.vendorRate[v] < prefix.vendorRate[fallback]) {
                fallback = v;
            }
        }
        return pick >= 0 ? pick : fallback;
    }

    /** The figures of a given gang: rate, span, all-reduce and throughput. */
    static Selection evaluate(List<Slot> gang, JobSpec job, LinkModel link, double gradientBytes) {
        double rate = 0;
        Groups groups = new Groups();
        for (Slot s : gang) {
            rate += s.rate();
            groups.add(s);
        }
        double comm = gang.isEmpty() ? 0 : link.commSec(groups.shapes(), gradientBytes, job.devicesPerShard());
        double b = job.globalBatch();
        return new Selection(List.copyOf(gang), rate, comm, b / (b / rate + comm));
    }

    /**
     * A growing gang's communication groups ({@link CommPlanner#groupKey}): chips are few and
     * shared, so a slot finds its group by its chip's identity, and the key is built once per chip.
     */
    private static final class Groups {
        private final IdentityHashMap<ChipType, LinkModel.GroupShape> byChip =
                new IdentityHashMap<>();
        private final Map<String, LinkModel.GroupShape> byKey = new HashMap<>(4);
        private final List<LinkModel.GroupShape> shapes = new ArrayList<>(4);
        private ChipType lastChip;
        private LinkModel.GroupShape last;

        void add(Slot s) {
            LinkModel.GroupShape g = s.chip() == lastChip ? last : byChip.get(s.chip());
            if (g == null) {
                g = byKey.computeIfAbsent(CommPlanner.groupKey(s.chip()), k -> {
                    LinkModel.GroupShape fresh = new LinkModel.GroupShape();
                    shapes.add(fresh);
                    return fresh;
                });
                byChip.put(s.chip(), g);
            }
            lastChip = s.chip();
            last = g;
            g.add(s.node().name(), s.chip().intraNodeLinkGBs());
        }

        List<LinkModel.GroupShape> shapes() {
            return shapes;
        }
    }

    /** The growing gang with the running figures each prefix needs; vendors are numbered. */
    private final class Prefix {
        private final List<Slot> slots = new ArrayList<>();
        private final double[] vendorRate;
        private int vendorsUsed;
        private final Groups groups = new Groups();
        private double rate;

        Prefix(int vendors) {
            this.vendorRate = new double[vendors];
        }

        void add(Slot s, int vendor) {
            slots.add(s);
            rate += s.rate();
            if (vendorRate[vendor] == 0) {
                vendorsUsed++;
            }
            vendorRate[vendor] += s.rate();
            groups.add(s);
        }

        int size() {
            return slots.size();
        }

        boolean feasible() {
            if (vendorsUsed < minVendors) {
                return false;
            }
            for (double v : vendorRate) {
                if (v > cap * rate + EPS) {
                    return false;
                }
            }
            return true;
        }

        double throughput() {
            double comm = link.commSec(groups.shapes(), gradientBytes, job.devicesPerShard());
            double b = job.globalBatch();
            return b / (b / rate + comm);
        }
    }
}
