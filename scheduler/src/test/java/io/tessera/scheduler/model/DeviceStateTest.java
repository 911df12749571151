package io.tessera.scheduler.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.config.ChipCatalog;
import io.tessera.config.wire.DeviceReport;
import io.tessera.scheduler.api.NodeApiView;
import io.tessera.scheduler.placement.NodeView;
import io.tessera.scheduler.placement.Veto;
import io.tessera.scheduler.placement.VetoReason;
import io.tessera.scheduler.state.SnapshotBuilder;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * One classification of a device's state, read alike by the node API and the placement snapshot;
 * and the kinds of veto.
 */
class DeviceStateTest {
    @ParameterizedTest(name = "node {0}, healthy {1}, held {2}: {3}")
    @CsvSource({
        "READY, true, false, FREE",
        "READY, true, true, ALLOCATED",
        "READY, false, false, UNHEALTHY",
        "READY, false, true, UNHEALTHY",
        "LOST, true, false, UNHEALTHY",
        "LOST, true, true, UNHEALTHY",
    })
    void eachDeviceHasOneState(NodeState nodeState, boolean healthy, boolean held, DeviceState expected) {
        DeviceReport d = DeviceReport.basic(0, "u0", "nvidia-h20", "NVIDIA H20", 96, healthy, healthy ? null : "xid 79");
        NodeRecord node = new NodeRecord("n1", "10.0.0.1", Map.of(), List.of(d), nodeState, "t", 0, false);
        assertThat(DeviceState.of(node, d, held)).isEqualTo(expected);
    }

    @Test
    void theApiCountsEveryStateAndPlacementSeesOnlyTheFreeDevicesOfAReadyNode() {
        List<DeviceReport> devices = List.of(DeviceReport.basic(0, "u0", "nvidia-h20", "NVIDIA H20", 96, true, null),
                DeviceReport.basic(1, "u1", "nvidia-h20", "NVIDIA H20", 96, false, "xid 79"));
        NodeRecord ready = new NodeRecord("n1", "10.0.0.1", Map.of(), devices, NodeState.READY, "t", 0, false);
        NodeApiView api = NodeApiView.of(ready, null, 0);
        assertThat(api.deviceCounts()).containsOnlyKeys("free", "allocated", "unhealthy")
                .containsEntry("free", 1).containsEntry("unhealthy", 1);
        NodeView placement = SnapshotBuilder.view(ChipCatalog.builtIn(), ready, null);
        assertThat(placement.freeDevices()).containsExactly(Map.entry("nvidia-h20", List.of(0)));
        NodeRecord drained = new NodeRecord("n1", "10.0.0.1", Map.of(), devices, NodeState.READY, "t", 0, true);
        assertThat(SnapshotBuilder.view(ChipCatalog.builtIn(), drained, null)).as("a drained node takes no new shards")
                .isNull();
    }

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource({
        "NOT_ALLOWED, STATIC", "PRECISION, STATIC", "MEMORY, STATIC",
        "INSUFFICIENT_DEVICES, DYNAMIC", "VENDOR_CAP, DYNAMIC",
        "NOT_WORTH_COMMUNICATION, CHOICE", "NOT_NEEDED, CHOICE",
    })
    void eachVetoHasAKind(VetoReason reason, VetoReason.Kind kind) {
        assertThat(reason.kind()).isEqualTo(kind);
        assertThat(reason.blocks()).isEqualTo(kind != VetoReason.Kind.CHOICE);
        assertThat(new Veto("nvidia-h20", reason, "d").kind()).isEqualTo(kind.name().toLowerCase(Locale.ROOT));
    }
}
