package io.tessera.config;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * One accelerator model, as data. Every chip of every vendor is described by this one record;
 * adding a chip is a catalog entry, never a subclass.
 *
 * @param id                 catalog id, e.g. {@code nvidia-h20}
 * @param vendor             the vendor that vendor-independence caps count against
 * @param hbmGiB             device memory of one schedulable device, GiB
 * @param memoryBandwidthTBs memory bandwidth, TB/s
 * @param peakTflops         dense peak TFLOPS per supported precision; absent = unsupported
 * @param efficiency         default achievable fraction of peak, in (0, 1]
 * @param intraNodeLinkGBs   per-device bandwidth between devices of one node, GB/s
 * @param visibilityEnv      the device-visibility environment variable for workers
 * @param aliases            product names exactly as the vendor tool prints them
 * @param chipsPerPackage    schedulable chips (dies) per package; the figures above are per package
 * @param collective         the collective library its workers use natively within a vendor group:
 *                           {@code nccl}, {@code hccl}, or an ASIC plug-in's name (see the communication plan)
 * @param bridges            bridge transports its hosts support besides Gloo over TCP, e.g. {@code flagcx}
 */
public record ChipType(
        String id,
        String vendor,
        double hbmGiB,
        double memoryBandwidthTBs,
        Map<Precision, Double> peakTflops,
        double efficiency,
        double intraNodeLinkGBs,
        String visibilityEnv,
        List<String> aliases,
        int chipsPerPackage,
        String collective,
        List<String> bridges) {

    /** The library a chip uses when the catalog names none: Gloo, which every host can run. */
    public static final String DEFAULT_COLLECTIVE = "gloo";

    public ChipType {
        chipsPerPackage = Math.max(1, chipsPerPackage);
        collective = collective == null || collective.isBlank() ? DEFAULT_COLLECTIVE : collective;
        bridges = bridges == null ? List.of() : List.copyOf(bridges);
        peakTflops = Map.copyOf(new EnumMap<>(peakTflops.isEmpty() ? Map.of() : peakTflops));
        aliases = List.copyOf(aliases);
    }

    /** Memory of one schedulable device (a chip of the package). */
    public double deviceHbmGiB() {
        return hbmGiB / chipsPerPackage;
    }

    /** Dense peak TFLOPS of one schedulable device at a precision, 0 when unsupported. */
    public double deviceTflops(Precision precision) {
        Double v = peakTflops.get(precision);
        return v == null ? 0 : v / chipsPerPackage;
    }

    /** Whether this chip can train in the given precision. */
    public boolean supports(Precision precision) {
        return peakTflops.containsKey(precision);
    }

    /** Dense peak TFLOPS at a precision, empty when unsupported. */
    public OptionalDouble tflops(Precision precision) {
        Double v = peakTflops.get(precision);
        return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
    }

    /** The first precision of {@code preferences} this chip supports. */
    public Optional<Precision> bestOf(List<Precision> preferences) {
        return preferences.stream().filter(this::supports).findFirst();
    }
}
