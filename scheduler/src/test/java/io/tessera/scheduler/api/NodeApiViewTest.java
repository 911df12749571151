package io.tessera.scheduler.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.config.wire.DeviceReport;
import io.tessera.scheduler.model.NodeRecord;
import io.tessera.scheduler.model.NodeState;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What {@code GET /v1/nodes} says about a node's devices. */
class NodeApiViewTest {
    private static NodeRecord node(NodeState state) {
        List<DeviceReport> devices = List.of(DeviceReport.basic(0, "u0", "nvidia-h20", "NVIDIA H20", 96, true, null),
                DeviceReport.basic(1, "u1", "nvidia-h20", "NVIDIA H20", 96, true, null));
        return new NodeRecord("n1", "10.0.0.1", Map.of(), devices, state, "t", 0, false);
    }

    @Test
    void aLostNodesDevicesAreNotShownAsFree() {
        NodeApiView lost = NodeApiView.of(node(NodeState.LOST), null, 1000);
        assertThat(lost.devices()).as("regression: a LOST node showed its devices as free")
                .allMatch(d -> d.state().equals("unhealthy"));
        assertThat(lost.deviceCounts()).containsEntry("free", 0).containsEntry("unhealthy", 2);
        NodeApiView ready = NodeApiView.of(node(NodeState.READY), null, 1000);
        assertThat(ready.devices()).allMatch(d -> d.state().equals("free"));
    }
}
