package io.tessera.config.wire;

import java.util.List;

/**
 * What a node offers for running workers in containers, as its agent reports at registration.
 * Placement sends a shard that runs in an image only to a node that has a runtime.
 *
 * @param runtime    the container engine ({@code podman}); never null in a report
 * @param version    the engine's version, for operators
 * @param cdiDevices the Container Device Interface names the node's CDI specs declare
 *                   ({@code nvidia.com/gpu=0}); empty when it has none
 */
public record ContainerSupport(String runtime, String version, List<String> cdiDevices) {
    public ContainerSupport {
        cdiDevices = cdiDevices == null ? List.of() : List.copyOf(cdiDevices);
    }
}
