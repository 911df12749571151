package io.tessera.config;

/**
 * Bandwidth of the links between shards, per device, in GB/s. Within a node the catalog's
 * {@code intraNodeLinkGBs} applies; between nodes of one vendor the fabric (InfiniBand, RoCE,
 * HCCS-over-RoCE); between vendors the common denominator, usually host-staged Ethernet/RoCE
 * with no shared collective library, which is slower.
 *
 * @param interNodeGBsPerDevice  between nodes of one vendor (default 50: 400 Gb/s per device)
 * @param crossVendorGBsPerDevice between vendors (default 12.5: 100 Gb/s per device)
 */
public record NetworkConfig(Double interNodeGBsPerDevice, Double crossVendorGBsPerDevice) {
    public static final NetworkConfig DEFAULT = new NetworkConfig(null, null);

    public NetworkConfig {
        interNodeGBsPerDevice = positive("network.interNodeGBsPerDevice", interNodeGBsPerDevice, 50.0);
        crossVendorGBsPerDevice = positive("network.crossVendorGBsPerDevice", crossVendorGBsPerDevice, 12.5);
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
