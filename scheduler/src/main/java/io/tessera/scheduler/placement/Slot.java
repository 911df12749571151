package io.tessera.scheduler.placement;

import io.tessera.config.ChipType;
import java.util.List;

/** A place one shard could go: devicesPerShard free devices of one chip type on one node, and its rate. */
record Slot(NodeView node, ChipType chip, List<Integer> devices, double rate) {
    String vendor() {
        return chip.vendor();
    }
}
