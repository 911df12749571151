package io.tessera.config;

import java.util.regex.Pattern;

/**
 * Bandwidth of the links between shards, per device, in GB/s, and the bridge between vendor
 * groups. Within a node the catalog's {@code intraNodeLinkGBs} applies; between nodes of one
 * vendor the fabric (InfiniBand, RoCE, HCCS-over-RoCE); between vendors the common denominator,
 * usually host-staged Ethernet/RoCE with no shared collective library, which is slower.
 *
 * @param interNodeGBsPerDevice   between nodes of one vendor (default 50: 400 Gb/s per device)
 * @param crossVendorGBsPerDevice between vendors, the bridge's links (default 12.5: 100 Gb/s per device)
 * @param bridge                  the transport the communication plan bridges vendor groups' leaders
 *                                with: {@code gloo} (TCP, default, every host has it) or a library such as
 *                                {@code flagcx}, used only where every group's chip lists it in {@code bridges}
 */
public record NetworkConfig(Double interNodeGBsPerDevice, Double crossVendorGBsPerDevice, String bridge) {
    private static final Pattern LIBRARY = Pattern.compile("[a-z0-9][a-z0-9_-]{0,31}");
    /** The bridge every host can run: Gloo over TCP. */
    public static final String GLOO = "gloo";
    public static final NetworkConfig DEFAULT = new NetworkConfig(null, null, null);

    public NetworkConfig {
        interNodeGBsPerDevice = positive("network.interNodeGBsPerDevice", interNodeGBsPerDevice, 50.0);
        crossVendorGBsPerDevice = positive("network.crossVendorGBsPerDevice", crossVendorGBsPerDevice, 12.5);
        bridge = bridge == null ? GLOO : bridge;
        if (!LIBRARY.matcher(bridge).matches()) {
            throw new ValidationException("network.bridge", "must be a transport name such as gloo or flagcx, got '"
                    + bridge + "'");
        }
    }

    public NetworkConfig(Double interNodeGBsPerDevice, Double crossVendorGBsPerDevice) {
        this(interNodeGBsPerDevice, crossVendorGBsPerDevice, null);
    }

    private static double positive(String field, Double v, double dflt) {
        if (v == null) {
            return dflt;
        }
        if (!(v > 0) || v > 1e6) {
            throw new ValidationException(field, "must be a positive bandwidth in GB/s, got " + v);
        }
        return v;
    }
}
