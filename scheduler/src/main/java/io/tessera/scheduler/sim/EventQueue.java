package io.tessera.scheduler.sim;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The discrete-event queue: events in virtual-time order, and events of the same instant in the
 * order they were scheduled, so a run is a function of its inputs and seed alone.
 */
public final class EventQueue {
    private record Entry(long atMs, long seq, SimEvent event) {
    }

    private final PriorityQueue<Entry> queue = new PriorityQueue<>(
            Comparator.comparingLong(Entry::atMs).thenComparingLong(Entry::seq));
    private long seq;
    private long ticks;

    public void at(long atMs, SimEvent event) {
        queue.add(new Entry(atMs, seq++, event));
        if (event instanceof SimEvent.Tick) {
            ticks++;
        }
    }

    /** Drops every pending {@code event} (equal by value): an attempt's events once the attempt is over. */
    public void cancel(SimEvent event) {
        queue.removeIf(e -> e.event.equals(event));
    }

    public boolean isEmpty() {
        return queue.isEmpty();
    }

    /** Whether only timer ticks are left: nothing of the fleet or the workload will happen again. */
    public boolean onlyTicks() {
        return ticks == queue.size();
    }

    /** The time of the next event; the queue must not be empty. */
    public long nextAtMs() {
        return queue.peek().atMs;
    }

    /** Removes and returns every event due at the next instant, in scheduling order. */
    public List<SimEvent> takeNext() {
        long at = nextAtMs();
        List<SimEvent> out = new ArrayList<>();
        while (!queue.isEmpty() && queue.peek().atMs == at) {
            SimEvent e = queue.poll().event;
            if (e instanceof SimEvent.Tick) {
                ticks--;
            }
            out.add(e);
        }
        return out;
    }
}
