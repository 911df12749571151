package io.tessera.config;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Typed scheduler configuration. Every field has a default, so an empty file is valid.
 *
 * @param httpHost              interface the REST API binds to
 * @param httpPort              REST API port; 0 picks a free port
 * @param clusterName           Hazelcast cluster name; members with another name never join
 * @param hazelcastPort         first Hazelcast member port (auto-increments when taken)
 * @param members               other members' host[:port]; empty means this member stands alone
 * @param catalogFile           an operator chip catalog that extends the built-in one; null for none
 * @param heartbeatIntervalMs   how often agents are told to heartbeat
 * @param heartbeatTimeoutMs    silence after which a node is declared LOST
 * @param scheduleIntervalMs    pause between scheduling passes on the leader
 * @param longPollTimeoutMs     how long an assignment long-poll waits for a change
 * @param maxBodyBytes          largest request body accepted
 * @param defaultMaxVendorShare cluster default for a job's maxVendorShare
 * @param defaultMinVendors     cluster default for a job's minVendors
 * @param network               link bandwidths between nodes and between vendors
 * @param memoryHeadroom        fraction of each device's HBM kept free for the runtime, in [0, 0.9]
 * @param metricsRefreshMs      how often fleet gauges are recomputed from cluster state
 * @param auth                  API authentication
 * @param clusterPassword       mixed into the Hazelcast cluster name, so members without it cannot join
 * @param bindAddress           the interface Hazelcast binds to; null for loopback when alone
 * @param dataDir               where the embedded database lives; {@code none} keeps state in memory only
 * @param database              the database state is written through to (PostgreSQL, or embedded H2)
 * @param elastic               when running elastic jobs grow back onto returned capacity
 * @param limits                what one user, client or agent may take
 * @param secrets               where the cluster secret and the key for secrets at rest come from
 * @param queues                the queues admins define here (docs/queues.md); written to cluster state at start
 * @param containers            which container images jobs may name
 * @param audit                 how long the audit trail is kept, and how refused calls are sampled
 * @param workers               how workers are kept apart across the fleet (per-job uids)
 * @param preemption            how preemption chooses its victims
 */
public record SchedulerConfig(
        String httpHost,
        Integer httpPort,
        String clusterName,
        Integer hazelcastPort,
        List<String> members,
        String catalogFile,
        Long heartbeatIntervalMs,
        Long heartbeatTimeoutMs,
        Long scheduleIntervalMs,
        Long longPollTimeoutMs,
        Integer maxBodyBytes,
        Double defaultMaxVendorShare,
        Integer defaultMinVendors,
        NetworkConfig network,
        Double memoryHeadroom,
        Long metricsRefreshMs,
        AuthConfig auth,
        String clusterPassword,
        String bindAddress,
        String dataDir,
        DatabaseConfig database,
        ElasticConfig elastic,
        LimitsConfig limits,
        SecretsConfig secrets,
        List<QueueSpec> queues,
        ContainersConfig containers,
        AuditConfig audit,
        WorkersConfig workers,
        PreemptionConfig preemption) {

    public SchedulerConfig {
        containers = containers == null ? ContainersConfig.DEFAULT : containers;
        audit = audit == null ? AuditConfig.DEFAULT : audit;
        workers = workers == null ? WorkersConfig.DEFAULT : workers;
        preemption = preemption == null ? PreemptionConfig.DEFAULT : preemption;
        queues = queues == null ? List.of() : List.copyOf(queues);
        checkQueues(queues);
        limits = limits == null ? LimitsConfig.DEFAULT : limits;
        secrets = secrets == null ? SecretsConfig.DEFAULT : secrets;
        dataDir = dataDir == null ? System.getProperty("tessera.home", ".") + "/.tessera/data" : dataDir;
        database = database == null ? DatabaseConfig.DEFAULT : database;
        elastic = elastic == null ? ElasticConfig.DEFAULT : elastic;
        auth = auth == null ? AuthConfig.DEFAULT : auth;
        metricsRefreshMs = check("metricsRefreshMs", metricsRefreshMs == null ? 5000 : metricsRefreshMs, 100, 3_600_000);
        memoryHeadroom = memoryHeadroom == null ? 0.10 : memoryHeadroom;
        if (memoryHeadroom < 0 || memoryHeadroom > 0.9) {
            throw new ValidationException("memoryHeadroom", "must be between 0 and 0.9, got " + memoryHeadroom);
        }
        network = network == null ? NetworkConfig.DEFAULT : network;
        httpHost = httpHost == null ? "127.0.0.1" : httpHost;
        httpPort = check("httpPort", httpPort == null ? 8080 : httpPort, 0, 65535);
        clusterName = clusterName == null ? "tessera" : clusterName;
        hazelcastPort = check("hazelcastPort", hazelcastPort == null ? 5701 : hazelcastPort, 1, 65535);
        members = members == null ? List.of() : List.copyOf(members);
        heartbeatIntervalMs = check("heartbeatIntervalMs", heartbeatIntervalMs == null ? 2000 : heartbeatIntervalMs, 50, 600_000);
        heartbeatTimeoutMs = check("heartbeatTimeoutMs", heartbeatTimeoutMs == null ? 15_000 : heartbeatTimeoutMs, 100, 3_600_000);
        scheduleIntervalMs = check("scheduleIntervalMs", scheduleIntervalMs == null ? 250 : scheduleIntervalMs, 10, 600_000);
        longPollTimeoutMs = check("longPollTimeoutMs", longPollTimeoutMs == null ? 20_000 : longPollTimeoutMs, 10, 300_000);
        maxBodyBytes = check("maxBodyBytes", maxBodyBytes == null ? 1 << 20 : maxBodyBytes, 1024, 64 << 20);
        defaultMaxVendorShare = defaultMaxVendorShare == null ? 1.0 : defaultMaxVendorShare;
        if (limits.idleTimeoutMs() != null && limits.idleTimeoutMs() <= longPollTimeoutMs) {
            throw new ValidationException("limits.idleTimeoutMs", "must exceed longPollTimeoutMs (" + longPollTimeoutMs
                    + "), or every idle long-poll would be cut");
        }
        if (defaultMaxVendorShare <= 0 || defaultMaxVendorShare > 1) {
            throw new ValidationException("defaultMaxVendorShare", "must be in (0, 1]");
        }
        defaultMinVendors = check("defaultMinVendors", defaultMinVendors == null ? 1 : defaultMinVendors, 1, 16);
    }

    /** All defaults. */
    public static SchedulerConfig defaults() {
        return new SchedulerConfig(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, null);
    }

    /** A copy listening on another port and cluster name; used by tests and the demo. */
    public SchedulerConfig withEndpoint(int port, String cluster) {
        return new SchedulerConfig(httpHost, port, cluster, hazelcastPort, members, catalogFile, heartbeatIntervalMs,
                heartbeatTimeoutMs, scheduleIntervalMs, longPollTimeoutMs, maxBodyBytes, defaultMaxVendorShare,
                defaultMinVendors, network, memoryHeadroom, metricsRefreshMs, auth, clusterPassword, bindAddress, dataDir, database, elastic, limits, secrets, queues, containers, audit, workers, preemption);
    }

    /** A copy with other authentication settings. */
    public SchedulerConfig withAuth(AuthConfig value) {
        return new SchedulerConfig(httpHost, httpPort, clusterName, hazelcastPort, members, catalogFile, heartbeatIntervalMs,
                heartbeatTimeoutMs, scheduleIntervalMs, longPollTimeoutMs, maxBodyBytes, defaultMaxVendorShare,
                defaultMinVendors, network, memoryHeadroom, metricsRefreshMs, value, clusterPassword, bindAddress, dataDir,
                database, elastic, limits, secrets, queues, containers, audit, workers, preemption);
    }

    /** A copy keeping its embedded database in {@code dir} ({@code none}: memory only). */
    public SchedulerConfig withDataDir(String dir) {
        return new SchedulerConfig(httpHost, httpPort, clusterName, hazelcastPort, members, catalogFile, heartbeatIntervalMs,
                heartbeatTimeoutMs, scheduleIntervalMs, longPollTimeoutMs, maxBodyBytes, defaultMaxVendorShare,
                defaultMinVendors, network, memoryHeadroom, metricsRefreshMs, auth, clusterPassword, bindAddress, dir, database, elastic, limits, secrets, queues, containers, audit, workers, preemption);
    }

    /** Whether state is written through to a database. */
    public boolean durable() {
        return database.url() != null || !"none".equals(dataDir);
    }

    /** A copy with other heartbeat timings. */
    public SchedulerConfig withHeartbeat(long intervalMs, long timeoutMs) {
        return new SchedulerConfig(httpHost, httpPort, clusterName, hazelcastPort, members, catalogFile, intervalMs,
                timeoutMs, scheduleIntervalMs, longPollTimeoutMs, maxBodyBytes, defaultMaxVendorShare, defaultMinVendors,
                network, memoryHeadroom, metricsRefreshMs, auth, clusterPassword, bindAddress, dataDir, database, elastic, limits, secrets, queues, containers, audit, workers, preemption);
    }

    /** Queue names are unique. */
    private static void checkQueues(List<QueueSpec> queues) {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < queues.size(); i++) {
            if (!seen.add(queues.get(i).name())) {
                throw new ValidationException("queues[" + i + "].name", "queue '" + queues.get(i).name()
                        + "' is defined twice");
            }
        }
    }

    /** How long an HTTP connection may stay silent: the configured limit, or the long-poll timeout plus 30 s. */
    public long idleTimeoutMs() {
        return limits.idleTimeoutMs() != null ? limits.idleTimeoutMs() : longPollTimeoutMs + 30_000;
    }

    static <N extends Number & Comparable<N>> N check(String field, N value, long min, long max) {
        if (value.longValue() < min || value.longValue() > max) {
            throw new ValidationException(field, "must be between " + min + " and " + max + ", got " + value);
        }
        return value;
    }
}
