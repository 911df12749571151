package io.tessera.scheduler.policy;

import io.tessera.config.ChipCatalog;
import io.tessera.config.ChipType;
import io.tessera.config.Precision;
import io.tessera.scheduler.placement.PlacementResult.Plan;
import io.tessera.scheduler.placement.ShardPlan;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a placement costs its queue, in the units quotas are stated in. Normalized compute: each
 * device is charged its dense peak TFLOPS at the precision its shard runs, made BF16-equivalent
 * (an FP8 or INT8 operation counts half, so a chip whose FP8 peak is twice its BF16 peak costs the same at
 * either), times the chip's catalog efficiency. Devices are counted by vendor and by chip type.
 * A job that named no chip type is charged at the rate of the chips it landed on. Pure.
 *
 * @param tflops  normalized TFLOPS the placement holds
 * @param devices devices it holds, keyed by vendor and by chip type id
 */
public record QuotaCharge(double tflops, Map<String, Integer> devices) {
    public static final QuotaCharge NONE = new QuotaCharge(0, Map.of());

    public QuotaCharge {
        devices = Map.copyOf(devices);
    }

    /** The charge of {@code plan}'s shards. */
    public static QuotaCharge of(Plan plan, ChipCatalog catalog) {
        double tflops = 0;
        Map<String, Integer> devices = new TreeMap<>();
        for (ShardPlan s : plan.shards()) {
            int n = s.devices().size();
            tflops += catalog.byId(s.chipType()).map(c -> n * perDevice(c, s.precision())).orElse(0.0);
            devices.merge(s.vendor(), n, Integer::sum);
            devices.merge(s.chipType(), n, Integer::sum);
        }
        return new QuotaCharge(tflops, devices);
    }

    /** BF16-equivalent effective TFLOPS of one device of {@code chip} running at {@code p}. */
    public static double perDevice(ChipType chip, Precision p) {
        double toBf16 = p == Precision.FP8 || p == Precision.INT8 ? 0.5 : 1.0;
        return chip.deviceTflops(p) * toBf16 * chip.efficiency();
    }

    /** This charge taken away: adding it releases what it held. */
    public QuotaCharge negated() {
        Map<String, Integer> neg = new TreeMap<>();
        devices.forEach((k, v) -> neg.put(k, -v));
        return new QuotaCharge(-tflops, neg);
    }

    /** This charge plus {@code other}. */
    public QuotaCharge plus(QuotaCharge other) {
        Map<String, Integer> sum = new TreeMap<>(devices);
        other.devices.forEach((k, v) -> sum.merge(k, v, Integer::sum));
        return new QuotaCharge(tflops + other.tflops, sum);
    }
}
