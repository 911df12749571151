package io.tessera.config.wire;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One accelerator as an agent sees it.
 *
 * @param index              the device index the vendor tool and the visibility variable use
 * @param uuid               a stable identifier where the tool gives one
 * @param chipType           catalog chip id, or {@code unknown} when the product name matched no alias
 * @param rawName            the product name exactly as the tool printed it
 * @param memoryGiB          total device memory
 * @param healthy            false takes the device out of schedulable capacity
 * @param problem            why it is unhealthy or unavailable; null when healthy
 * @param utilizationPercent busy percentage, where the tool reports it
 * @param memoryUsedGiB      memory in use, where known
 * @param temperatureC       temperature, where known
 * @param powerW             power draw, where known
 * @param visibilityEnv      a plug-in's own device-visibility variable; null to use the catalog's
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeviceReport(int index, String uuid, String chipType, String rawName, double memoryGiB,
                           boolean healthy, String problem, Double utilizationPercent, Double memoryUsedGiB,
                           Double temperatureC, Double powerW, String visibilityEnv) {
    public static final String UNKNOWN_CHIP = "unknown";

    /** A device with no telemetry. */
    public static DeviceReport basic(int index, String uuid, String chipType, String rawName, double memoryGiB,
                                     boolean healthy, String problem) {
        return new DeviceReport(index, uuid, chipType, rawName, memoryGiB, healthy, problem, null, null, null, null,
                null);
    }

    /** The same device, unhealthy for {@code why}. */
    public DeviceReport unhealthy(String why) {
        return new DeviceReport(index, uuid, chipType, rawName, memoryGiB, false, why, utilizationPercent,
                memoryUsedGiB, temperatureC, powerW, visibilityEnv);
    }
}
