package io.tessera.agent.container;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which devices and driver files a shard's container gets, per vendor, with and without CDI. */
class VendorDevicesTest {
    @TempDir
    Path dir;

    @Test
    void onlyTheShardsOwnNvidiaDevicesAndTheControlNodesThatExistAreHandedIn() {
        Set<String> host = Set.of("/dev/nvidia0", "/dev/nvidia1", "/dev/nvidia2", "/dev/nvidiactl", "/dev/nvidia-uvm");
        VendorDevices.Handover h = VendorDevices.forShard("nvidia", List.of(1, 2), List.of(), p -> host.contains(p.toString()));
        assertThat(h.devices()).containsExactly("/dev/nvidia1", "/dev/nvidia2", "/dev/nvidiactl", "/dev/nvidia-uvm");
        assertThat(h.mounts()).isEmpty();
    }

    @Test
    void ascendShardsGetTheirDavinciNodesAndTheDriverReadOnly() {
        Set<String> host = Set.of("/dev/davinci3", "/dev/davinci_manager", "/dev/devmm_svm", "/dev/hisi_hdc",
                "/usr/local/Ascend/driver", "/usr/local/bin/npu-smi");
        VendorDevices.Handover h = VendorDevices.forShard("huawei", List.of(3), List.of(), p -> host.contains(p.toString()));
        assertThat(h.devices()).containsExactly("/dev/davinci3", "/dev/davinci_manager", "/dev/devmm_svm", "/dev/hisi_hdc");
        assertThat(h.mounts()).extracting(m -> m.host().toString() + (m.readOnly() ? ":ro" : ""))
                .containsExactly("/usr/local/Ascend/driver:ro", "/usr/local/bin/npu-smi:ro");
    }

    @Test
    void cdiNamesAreUsedWhenTheNodesSpecsNameEveryDeviceOfTheShard() {
        List<String> cdi = List.of("nvidia.com/gpu=0", "nvidia.com/gpu=1", "acme/device=0");
        assertThat(VendorDevices.forShard("nvidia", List.of(0, 1), cdi, p -> true).devices())
                .containsExactly("nvidia.com/gpu=0", "nvidia.com/gpu=1");
        assertThat(VendorDevices.forShard("nvidia", List.of(1, 2), cdi, p -> true).devices())
                .as("not every device is in a CDI spec: device nodes instead").contains("/dev/nvidia2");
        assertThat(VendorDevices.forShard("acme", List.of(0), cdi, p -> true).devices()).containsExactly("acme/device=0");
        assertThat(VendorDevices.forShard("acme", List.of(1), cdi, p -> true).devices())
                .as("an ASIC without a CDI spec gets nothing it did not declare").isEmpty();
    }

    @Test
    void cdiSpecsInYamlAndJsonAreReadAndBrokenOnesSkipped() throws Exception {
        Path etc = Files.createDirectories(dir.resolve("etc-cdi"));
        Path run = Files.createDirectories(dir.resolve("run-cdi"));
        Files.writeString(etc.resolve("nvidia.yaml"), """
                cdiVersion: 0.5.0
                kind: nvidia.com/gpu
                devices:
                  - name: "0"
                    containerEdits: {deviceNodes: [{path: /dev/nvidia0}]}
                  - name: all
                """);
        Files.writeString(run.resolve("acme.json"), "{\"cdiVersion\": \"0.5.0\", \"kind\": \"acme/device\", "
                + "\"devices\": [{\"name\": \"0\"}, {\"name\": \"1\"}]}");
        Files.writeString(run.resolve("broken.json"), "{not json");
        Files.writeString(run.resolve("nokind.yaml"), "devices: [{name: x}]\n");
        assertThat(CdiSpecs.devices(List.of(etc, run, dir.resolve("missing"))))
                .containsExactly("acme/device=0", "acme/device=1", "nvidia.com/gpu=0", "nvidia.com/gpu=all");
    }
}
