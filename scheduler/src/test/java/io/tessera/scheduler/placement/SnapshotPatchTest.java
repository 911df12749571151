package io.tessera.scheduler.placement;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.config.ChipCatalog;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Regression: one patch that takes a chip type's last free device on one node and frees one on
 * another (a gang moving between nodes in one commit) threw a NullPointerException, because the
 * chip's node list was dropped when it emptied and then looked up again. Found by the simulator.
 */
class SnapshotPatchTest {
    private static NodeView node(String name, int free) {
        return new NodeView(name, name, Map.of(), Map.of("nvidia-h20", free == 0 ? List.of() : List.of(0)));
    }

    @Test
    void aChipTypesLastFreeDeviceMovingToAnotherNodeInOnePatchMatchesAFreshBuild() {
        ChipCatalog catalog = ChipCatalog.builtIn();
        ClusterSnapshot before = new ClusterSnapshot(catalog, List.of(node("a", 1), node("b", 0)));
        ClusterSnapshot patched = before.with(List.of(node("a", 0), node("b", 1)), List.of());
        ClusterSnapshot fresh = new ClusterSnapshot(catalog, List.of(node("a", 0), node("b", 1)));
        assertThat(patched.nodesWith("nvidia-h20")).extracting(NodeView::name).containsExactly("b");
        assertThat(patched.nodesWith("nvidia-h20")).isEqualTo(fresh.nodesWith("nvidia-h20"));
        assertThat(patched.fingerprint()).isEqualTo(fresh.fingerprint());
    }
}
