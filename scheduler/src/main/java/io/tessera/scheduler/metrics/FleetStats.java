package io.tessera.scheduler.metrics;

import java.util.Map;

/**
 * The fleet at one moment, as the gauges export it.
 *
 * @param devices         device counts keyed by vendor, chip type and state ({@code free}, {@code allocated}, {@code unhealthy})
 * @param jobs            job counts by state
 * @param queueLength     queued jobs
 * @param jobPredicted    predicted samples/s of each running job, by job id
 * @param jobMeasured     measured samples/s of each running job whose workers report it
 * @param jobVendorShare  share of each running job's throughput per vendor, keyed by job id and vendor
 * @param fleetVendorShare share of all running compute per vendor
 * @param heartbeatAge    seconds since each node's last heartbeat
 * @param jobNames        job id to name, for labels
 */
public record FleetStats(Map<DeviceKey, Integer> devices, Map<String, Integer> jobs, int queueLength,
                         Map<String, Double> jobPredicted, Map<String, Double> jobMeasured,
                         Map<String, Map<String, Double>> jobVendorShare, Map<String, Double> fleetVendorShare,
                         Map<String, Double> heartbeatAge, Map<String, String> jobNames) {

    /** A device-count key. */
    public record DeviceKey(String vendor, String chipType, String state) {
    }
}
