package io.tessera.scheduler.placement;

import io.tessera.config.ChipType;
import io.tessera.config.Precision;
import java.util.List;

/**
 * A place one shard could go: devicesPerShard free devices of one chip type on one node, the
 * precision it would run at, its predicted rate, and its zone (for locality tie-breaks).
 */
public record Slot(NodeView node, ChipType chip, List<Integer> devices, Precision precision, double rate,
                   String zone) {
    public String vendor() {
        return chip.vendor();
    }
}
