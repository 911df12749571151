package io.tessera.scheduler.placement;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Picks the gang from candidate slots: the fastest slots up to the shard maximum, then repairs
 * the vendor-share cap (swap the capped vendor's weakest slot for another vendor's best, or drop
 * it while above the minimum) and the vendor minimum. Pure; empty when no selection satisfies both.
 */
final class SlotSelector {
    private SlotSelector() {
    }

    /** @param slots candidates, best first */
    static Optional<List<Slot>> select(List<Slot> slots, int min, int max, double cap, int minVendors) {
        int n = Math.min(max, slots.size());
        if (n < min) {
            return Optional.empty();
        }
        List<Slot> chosen = new ArrayList<>(slots.subList(0, n));
        List<Slot> rest = new ArrayList<>(slots.subList(n, slots.size()));
        for (int guard = 0; guard < slots.size() * 2 + 4; guard++) {
            Optional<String> over = overCap(chosen, cap);
            if (over.isPresent()) {
                if (!swapOut(chosen, rest, over.get(), cap) && !dropWeakest(chosen, over.get(), min)) {
                    return Optional.empty();
                }
                continue;
            }
            if (vendors(chosen).size() < minVendors) {
                if (!addVendor(chosen, rest)) {
                    return Optional.empty();
                }
                continue;
            }
            return Optional.of(chosen);
        }
        return Optional.empty();
    }

    static Map<String, Double> shares(List<Slot> chosen) {
        Map<String, Double> byVendor = new HashMap<>();
        double total = chosen.stream().mapToDouble(Slot::rate).sum();
        chosen.forEach(s -> byVendor.merge(s.vendor(), s.rate() / total, Double::sum));
        return byVendor;
    }

    private static Optional<String> overCap(List<Slot> chosen, double cap) {
        return shares(chosen).entrySet().stream().filter(e -> e.getValue() > cap + 1e-9)
                .max(Map.Entry.comparingByValue()).map(Map.Entry::getKey);
    }

    private static boolean swapOut(List<Slot> chosen, List<Slot> rest, String vendor, double cap) {
        Slot weakest = weakestOf(chosen, vendor);
        for (Slot candidate : rest) {
            if (candidate.vendor().equals(vendor)) {
                continue;
            }
            List<Slot> trial = new ArrayList<>(chosen);
            trial.set(trial.indexOf(weakest), candidate);
            if (shares(trial).getOrDefault(candidate.vendor(), 0.0) <= cap + 1e-9) {
                chosen.set(chosen.indexOf(weakest), candidate);
                rest.remove(candidate);
                rest.add(weakest);
                rest.sort(Comparator.comparingDouble(Slot::rate).reversed());
                return true;
            }
        }
        return false;
    }

    private static boolean dropWeakest(List<Slot> chosen, String vendor, int min) {
        if (chosen.size() <= min) {
            return false;
        }
        return chosen.remove(weakestOf(chosen, vendor));
    }

    private static boolean addVendor(List<Slot> chosen, List<Slot> rest) {
        Map<String, Long> counts = new HashMap<>();
        chosen.forEach(s -> counts.merge(s.vendor(), 1L, Long::sum));
        Optional<Slot> newcomer = rest.stream().filter(s -> !counts.containsKey(s.vendor())).findFirst();
        if (newcomer.isEmpty()) {
            return false;
        }
        String crowded = counts.entrySet().stream().filter(e -> e.getValue() > 1)
                .max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(null);
        if (crowded == null) {
            return false;
        }
        Slot out = weakestOf(chosen, crowded);
        chosen.set(chosen.indexOf(out), newcomer.get());
        rest.remove(newcomer.get());
        rest.add(out);
        return true;
    }

    private static Slot weakestOf(List<Slot> chosen, String vendor) {
        Slot weakest = null;
        for (Slot s : chosen) {
            if (s.vendor().equals(vendor) && (weakest == null || s.rate() <= weakest.rate())) {
                weakest = s;
            }
        }
        return weakest;
    }

    static Set<String> vendors(List<Slot> chosen) {
        Set<String> v = new HashSet<>();
        chosen.forEach(s -> v.add(s.vendor()));
        return v;
    }
}
