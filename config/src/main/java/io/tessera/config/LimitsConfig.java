package io.tessera.config;

/**
 * What one user, one client or one agent may take from the scheduler (docs/security.md,
 * "Resource limits"). Every field has a default.
 *
 * @param maxQueuedJobsPerUser   jobs one user may have waiting or running at once; more get 429
 * @param maxSpecBytesPerUser    bytes of job specs one user may have stored in live jobs; more get 429
 * @param maxArgvEnvBytes        command, args, env and secretEnv of one job together, in bytes
 * @param requestsPerSecond      sustained requests per second per user, and ten times that per address for
 *                               requests without a valid token; admins and agents are exempt (agents' calls are
 *                               paced by the scheduler)
 * @param requestBurst           requests a client may make at once before the rate applies
 * @param maxConnections         open HTTP connections per member; more are closed at once
 * @param headerTimeoutMs        time a connection may take to send a request's headers
 * @param idleTimeoutMs          time a connection may stay silent; must exceed the long-poll timeout; default
 *                               the long-poll timeout plus 30 s
 * @param maxDevicesPerNode      devices one node may report
 * @param inventoryGrowth        devices a node may add after its first registration before an admin must
 *                               accept them ({@code POST /v1/nodes/NAME/accept}); until then they take no work
 * @param historyRetentionMs     how long finished jobs stay readable in the history
 * @param terminalGraceMs        how long a finished job stays in hot state before it moves to the history
 * @param maxHeartbeatsPerSec    the most heartbeats per second the whole fleet may send one member: past
 *                               {@code maxHeartbeatsPerSec × heartbeatIntervalMs} nodes the interval (and the
 *                               timeout) stretch, as Nomad's heartbeat TTL does
 * @param restartBackoff         how long a failed gang waits before its next attempt
 * @param fleetSettleMs          a job no state of the fleet could hold is refused at submit only once no node has
 *                               registered for this long (default 60 s), so a fleet still coming up refuses nothing
 */
public record LimitsConfig(Integer maxQueuedJobsPerUser, Long maxSpecBytesPerUser, Integer maxArgvEnvBytes,
                           Double requestsPerSecond, Integer requestBurst, Integer maxConnections, Long headerTimeoutMs,
                           Long idleTimeoutMs, Integer maxDevicesPerNode, Integer inventoryGrowth,
                           Long historyRetentionMs, Long terminalGraceMs, Double maxHeartbeatsPerSec,
                           RestartBackoff restartBackoff, Long fleetSettleMs) {

    /**
     * Exponential restart backoff: the n-th restart of a job waits {@code initialMs × 2^(n-1)},
     * at most {@code maxMs}, after the failure. Restarts because a node was lost, and those that
     * are not counted (a preemption, a move), do not wait.
     *
     * @param initialMs the wait before the first restart; default 10 s, 0 turns backoff off
     * @param maxMs     the longest wait; default 5 min
     */
    public record RestartBackoff(Long initialMs, Long maxMs) {
        public static final RestartBackoff DEFAULT = new RestartBackoff(null, null);

        public RestartBackoff {
            initialMs = SchedulerConfig.check("limits.restartBackoff.initialMs", initialMs == null ? 10_000L : initialMs,
                    0, 3_600_000);
            maxMs = SchedulerConfig.check("limits.restartBackoff.maxMs", maxMs == null ? 300_000L : maxMs, 0, 24 * 3_600_000L);
        }

        /** The wait before restart number {@code n} (1 for the first). */
        public long delayMs(int n) {
            if (initialMs == 0 || n < 1) {
                return 0;
            }
            long d = initialMs;
            for (int i = 1; i < n && d < maxMs; i++) {
                d *= 2;
            }
            return Math.min(d, Math.max(maxMs, initialMs));
        }
    }

    public LimitsConfig(Integer maxQueuedJobsPerUser, Long maxSpecBytesPerUser, Integer maxArgvEnvBytes,
                        Double requestsPerSecond, Integer requestBurst, Integer maxConnections, Long headerTimeoutMs,
                        Long idleTimeoutMs, Integer maxDevicesPerNode, Integer inventoryGrowth,
                        Long historyRetentionMs, Long terminalGraceMs, Double maxHeartbeatsPerSec) {
        this(maxQueuedJobsPerUser, maxSpecBytesPerUser, maxArgvEnvBytes, requestsPerSecond, requestBurst, maxConnections,
                headerTimeoutMs, idleTimeoutMs, maxDevicesPerNode, inventoryGrowth, historyRetentionMs, terminalGraceMs,
                maxHeartbeatsPerSec, null, null);
    }

    public LimitsConfig {
        restartBackoff = restartBackoff == null ? RestartBackoff.DEFAULT : restartBackoff;
        fleetSettleMs = SchedulerConfig.check("limits.fleetSettleMs", fleetSettleMs == null ? 60_000L : fleetSettleMs, 0,
                24L * 3600 * 1000);
        maxQueuedJobsPerUser = SchedulerConfig.check("limits.maxQueuedJobsPerUser",
                maxQueuedJobsPerUser == null ? 1000 : maxQueuedJobsPerUser, 1, 1_000_000);
        maxSpecBytesPerUser = SchedulerConfig.check("limits.maxSpecBytesPerUser",
                maxSpecBytesPerUser == null ? 64L << 20 : maxSpecBytesPerUser, 1024, 1L << 40);
        maxArgvEnvBytes = SchedulerConfig.check("limits.maxArgvEnvBytes",
                maxArgvEnvBytes == null ? JobSpecParser.DEFAULT_MAX_ARGV_ENV_BYTES : maxArgvEnvBytes, 1024, 16 << 20);
        requestsPerSecond = requestsPerSecond == null ? 50.0 : requestsPerSecond;
        if (!(requestsPerSecond > 0) || requestsPerSecond > 1e6) {
            throw new ValidationException("limits.requestsPerSecond", "must be in (0, 1e6], got " + requestsPerSecond);
        }
        requestBurst = SchedulerConfig.check("limits.requestBurst", requestBurst == null ? 200 : requestBurst, 1, 1_000_000);
        maxConnections = SchedulerConfig.check("limits.maxConnections", maxConnections == null ? 20_000 : maxConnections,
                1, 1_000_000);
        headerTimeoutMs = SchedulerConfig.check("limits.headerTimeoutMs", headerTimeoutMs == null ? 10_000L : headerTimeoutMs,
                100, 600_000);
        if (idleTimeoutMs != null) {
            SchedulerConfig.check("limits.idleTimeoutMs", idleTimeoutMs, 100, 3_600_000);
        }
        maxDevicesPerNode = SchedulerConfig.check("limits.maxDevicesPerNode", maxDevicesPerNode == null ? 64 : maxDevicesPerNode,
                1, 1024);
        inventoryGrowth = SchedulerConfig.check("limits.inventoryGrowth", inventoryGrowth == null ? 0 : inventoryGrowth, 0, 1024);
        historyRetentionMs = SchedulerConfig.check("limits.historyRetentionMs",
                historyRetentionMs == null ? 30L * 24 * 3600 * 1000 : historyRetentionMs, 1000, 10L * 365 * 24 * 3600 * 1000);
        terminalGraceMs = SchedulerConfig.check("limits.terminalGraceMs", terminalGraceMs == null ? 60_000L : terminalGraceMs,
                0, 24L * 3600 * 1000);
        maxHeartbeatsPerSec = maxHeartbeatsPerSec == null ? 500.0 : maxHeartbeatsPerSec;
        if (!(maxHeartbeatsPerSec >= 1) || maxHeartbeatsPerSec > 1e6) {
            throw new ValidationException("limits.maxHeartbeatsPerSec", "must be in [1, 1e6], got " + maxHeartbeatsPerSec);
        }
    }

    public static final LimitsConfig DEFAULT = new LimitsConfig(null, null, null, null, null, null, null, null, null, null,
            null, null, null);
}
