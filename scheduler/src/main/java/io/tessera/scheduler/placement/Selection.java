package io.tessera.scheduler.placement;

import java.util.List;

/**
 * A chosen gang before its batch is split.
 *
 * @param slots        the shards' slots
 * @param rate         sum of their rates, samples/s
 * @param commSec      predicted all-reduce seconds per step
 * @param throughput   predicted samples/s with a fractional (ideal) batch split
 */
record Selection(List<Slot> slots, double rate, double commSec, double throughput) {
}
