package io.tessera.scheduler.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.config.Documents;
import io.tessera.config.wire.AssignmentSet;
import io.tessera.config.wire.DeviceReport;
import io.tessera.config.wire.ShardAssignment;
import java.util.ArrayList;
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

    @Test
    void aDeviceIsOneFlatObjectAsBeforeItWasInParts() throws Exception {
        ShardAssignment a = ShardAssignment.builder("job-1", 3).devices(List.of(1), "nvidia-h20", "nvidia",
                "CUDA_VISIBLE_DEVICES").batch("bf16", 1, 1, 1, 1).rendezvous("10.0.0.1", 29500, null).build();
        NodeApiView v = NodeApiView.of(node(NodeState.READY), new AssignmentSet("n1", 1, List.of(a)), 1000);
        JsonNode json = Documents.json().readTree(Documents.json().writeValueAsString(v));
        List<String> free = new ArrayList<>();
        json.get("devices").get(0).fieldNames().forEachRemaining(free::add);
        assertThat(free).containsExactlyInAnyOrder("index", "uuid", "chipType", "rawName", "memoryGiB", "state");
        JsonNode held = json.get("devices").get(1);
        assertThat(held.get("jobId").asText()).isEqualTo("job-1");
        assertThat(held.get("shard").asInt()).isEqualTo(3);
        assertThat(held.get("state").asText()).isEqualTo("allocated");
        assertThat(held.has("holder") || held.has("hardware") || held.has("telemetry")).isFalse();
    }
}
