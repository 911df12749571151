package io.tessera.agent.container;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Which device nodes and driver files a shard's container gets, per vendor: only the shard's own
 * devices, plus the vendor's control nodes and driver mounts. Where the node's CDI specs name
 * every one of the shard's devices ({@code nvidia.com/gpu=3}), those names are used instead and
 * the CDI spec says what else to hand in. Vendors without an entry (an in-house ASIC) get their
 * devices only through CDI. Pure, given {@code exists}.
 */
public final class VendorDevices {
    /**
     * One vendor's device files.
     *
     * @param cdiKind  its CDI kind ({@code nvidia.com/gpu})
     * @param perIndex the device node of device {@code N} ({@code %d} stands for N)
     * @param shared   control nodes every container of the vendor needs
     * @param mounts   driver directories and tools mounted read-only, where they exist
     */
    record Vendor(String cdiKind, String perIndex, List<String> shared, List<String> mounts) {
    }

    private static final Map<String, Vendor> VENDORS = Map.of(
            "nvidia", new Vendor("nvidia.com/gpu", "/dev/nvidia%d",
                    List.of("/dev/nvidiactl", "/dev/nvidia-uvm", "/dev/nvidia-uvm-tools", "/dev/nvidia-modeset"), List.of()),
            "huawei", new Vendor("huawei.com/npu", "/dev/davinci%d",
                    List.of("/dev/davinci_manager", "/dev/devmm_svm", "/dev/hisi_hdc"),
                    List.of("/usr/local/Ascend/driver", "/usr/local/bin/npu-smi", "/usr/local/dcmi")));

    /**
     * What one shard's container is handed.
     *
     * @param devices device node paths or CDI names
     * @param mounts  read-only driver mounts
     */
    public record Handover(List<String> devices, List<ContainerRun.Mount> mounts) {
    }

    private VendorDevices() {
    }

    /** The handover of {@code indices} of {@code vendor} on a node whose CDI specs name {@code cdi}. */
    public static Handover forShard(String vendor, List<Integer> indices, List<String> cdi, Predicate<Path> exists) {
        Vendor v = VENDORS.get(vendor);
        String kind = v != null ? v.cdiKind() : vendor + "/device";
        List<String> named = indices.stream().map(i -> kind + "=" + i).toList();
        if (!indices.isEmpty() && cdi.containsAll(named)) {
            return new Handover(named, List.of());
        }
        if (v == null) {
            return new Handover(List.of(), List.of());
        }
        List<String> devices = new ArrayList<>();
        indices.forEach(i -> devices.add(String.format(v.perIndex(), i)));
        devices.addAll(v.shared());
        List<ContainerRun.Mount> mounts = v.mounts().stream().map(Path::of).filter(exists)
                .map(p -> ContainerRun.Mount.same(p, true)).toList();
        return new Handover(devices.stream().filter(d -> exists.test(Path.of(d))).toList(), mounts);
    }

    /** The handover as this host's files say. */
    public static Handover forShard(String vendor, List<Integer> indices, List<String> cdi) {
        return forShard(vendor, indices, cdi, Files::exists);
    }
}
