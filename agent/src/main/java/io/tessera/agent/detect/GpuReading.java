package io.tessera.agent.detect;

/**
 * One accelerator as a vendor tool described it, before catalog resolution. Any measurement may
 * be null when the tool printed N/A or did not report it.
 *
 * @param index         the tool's device index (what the visibility variable uses)
 * @param uuid          a stable id, or null
 * @param rawName       the product name exactly as printed
 * @param memoryMiB     total device memory
 * @param memoryUsedMiB memory in use
 * @param utilization   busy percentage
 * @param temperatureC  temperature
 * @param powerW        power draw
 * @param healthProblem why the device is unhealthy (ECC errors, a Health column not OK), or null
 * @param unavailable   why it cannot be scheduled although healthy (MIG mode), or null
 */
public record GpuReading(int index, String uuid, String rawName, Double memoryMiB, Double memoryUsedMiB,
                         Double utilization, Double temperatureC, Double powerW, String healthProblem,
                         String unavailable) {
}
