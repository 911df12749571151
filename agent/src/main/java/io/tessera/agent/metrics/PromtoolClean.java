package io.tessera.agent.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;

/**
 * Keeps Micrometer's standard binders within what {@code promtool check metrics} accepts: it leaves
 * out {@code process.cpu.time} (nanoseconds: promtool refuses the abbreviated unit;
 * {@code process_cpu_usage} says the same) and names {@code system.cpu.count} {@code system.cpus}
 * (a gauge may not end in {@code _count}). Registered before any binder.
 */
final class PromtoolClean implements MeterFilter {
    @Override
    public MeterFilterReply accept(Meter.Id id) {
        return id.getName().startsWith("process.cpu.time") ? MeterFilterReply.DENY : MeterFilterReply.NEUTRAL;
    }

    @Override
    public Meter.Id map(Meter.Id id) {
        return id.getName().equals("system.cpu.count") ? id.withName("system.cpus") : id;
    }
}
