package io.tessera.agent.detect;

import io.tessera.config.wire.DeviceReport;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Runs every configured source and merges their inventories. When a source cannot be read at all
 * (its tool stopped answering), the devices it last reported are kept but marked unhealthy, so
 * they leave schedulable capacity and come back once the tool answers again. Device indices must
 * be unique on a node; a duplicate is reported and dropped. Not thread-safe: one caller.
 */
public final class CompositeDetector implements DeviceDetector {
    private final List<DeviceDetector> sources;
    private final List<List<DeviceReport>> lastKnown = new ArrayList<>();

    public CompositeDetector(List<DeviceDetector> sources) {
        this.sources = List.copyOf(sources);
        sources.forEach(s -> lastKnown.add(List.of()));
    }

    @Override
    public Inventory detect() {
        List<DeviceReport> devices = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        Set<Integer> seen = new HashSet<>();
        boolean allFailed = !sources.isEmpty();
        for (int i = 0; i < sources.size(); i++) {
            Inventory inv = safely(sources.get(i));
            problems.addAll(inv.problems());
            List<DeviceReport> found = inv.devices();
            if (inv.failed()) {
                String why = "its tool stopped answering: " + String.join("; ", inv.problems());
                found = lastKnown.get(i).stream().map(d -> d.unhealthy(why)).toList();
            } else {
                lastKnown.set(i, found);
                allFailed = false;
            }
            for (DeviceReport d : found) {
                if (seen.add(d.index())) {
                    devices.add(d);
                } else {
                    problems.add("device index " + d.index() + " reported by two sources; keeping the first");
                }
            }
        }
        return new Inventory(devices, problems, allFailed);
    }

    private static Inventory safely(DeviceDetector d) {
        try {
            return d.detect();
        } catch (RuntimeException e) {
            return Inventory.failure("detector failed: " + e);
        }
    }
}
