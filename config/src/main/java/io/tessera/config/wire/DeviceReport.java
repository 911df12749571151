package io.tessera.config.wire;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One accelerator as an agent sees it.
 *
 * @param index     the device index the vendor tool and the visibility variable use
 * @param uuid      a stable identifier where the tool gives one
 * @param chipType  catalog chip id, or {@code unknown} when the product name matched no alias
 * @param rawName   the product name exactly as the tool printed it
 * @param memoryGiB total device memory
 * @param healthy   false takes the device out of schedulable capacity
 * @param problem   why it is unhealthy; null when healthy
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeviceReport(int index, String uuid, String chipType, String rawName, double memoryGiB,
                           boolean healthy, String problem) {
    public static final String UNKNOWN_CHIP = "unknown";
}
