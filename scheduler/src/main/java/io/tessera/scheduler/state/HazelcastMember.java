package io.tessera.scheduler.state;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.tessera.config.SchedulerConfig;

/**
 * Builds the embedded Hazelcast member from scheduler configuration: a named cluster, multicast
 * off, TCP/IP join to the configured members only, and phone-home off.
 */
public final class HazelcastMember {
    private HazelcastMember() {
    }

    /**
     * The effective cluster name: with a password, the name plus a digest of it, so a member that
     * lacks the password is refused at join. Community edition has no member authentication or TLS
     * (docs/security.md); this keeps honest mistakes out, a firewall keeps attackers out.
     */
    static String clusterName(SchedulerConfig config) {
        if (config.clusterPassword() == null || config.clusterPassword().isEmpty()) {
            return config.clusterName();
        }
        return config.clusterName() + "-" + io.tessera.scheduler.auth.Tokens.sha256("tessera-cluster:"
                + config.clusterPassword()).substring(0, 24);
    }

    /** Maps written through to the database, and their tables. */
    static final java.util.Map<String, String> DURABLE = java.util.Map.of(
            HazelcastClusterStore.JOBS, "tessera_jobs", HazelcastClusterStore.NODES, "tessera_nodes",
            HazelcastClusterStore.ASSIGNMENTS, "tessera_assignments", HazelcastClusterStore.REPORTS, "tessera_shard_reports",
            HazelcastClusterStore.CREDENTIALS, "tessera_agent_credentials", HazelcastClusterStore.LEADER, "tessera_leader");

    /** A member holding state in memory only. */
    public static HazelcastInstance start(SchedulerConfig config) {
        return start(config, java.util.Optional.empty());
    }

    /** A member whose state maps are written through to {@code db} and loaded from it at start. */
    public static HazelcastInstance start(SchedulerConfig config, java.util.Optional<com.zaxxer.hikari.HikariDataSource> db) {
        Config hz = new Config();
        hz.setClusterName(clusterName(config));
        hz.setInstanceName("tessera-" + config.clusterName() + "-" + System.nanoTime());
        hz.setProperty("hazelcast.phone.home.enabled", "false");
        hz.setProperty("hazelcast.logging.type", "slf4j");
        hz.setProperty("hazelcast.shutdownhook.enabled", "false");
        hz.getNetworkConfig().setPort(config.hazelcastPort()).setPortAutoIncrement(true).setPortCount(200);
        JoinConfig join = hz.getNetworkConfig().getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        if (config.bindAddress() != null) {
            hz.setProperty("hazelcast.local.localAddress", config.bindAddress());
            hz.getNetworkConfig().getInterfaces().setEnabled(true).addInterface(config.bindAddress());
        }
        if (config.members().isEmpty()) {
            // A lone member: bind to loopback (unless told otherwise) and join nobody.
            if (config.bindAddress() == null) {
                hz.setProperty("hazelcast.local.localAddress", "127.0.0.1");
            }
            join.getTcpIpConfig().setEnabled(false);
        } else {
            join.getTcpIpConfig().setEnabled(true).setMembers(config.members());
        }
        hz.setProperty("hazelcast.heartbeat.interval.seconds", "1");
        hz.setProperty("hazelcast.max.no.heartbeat.seconds", "3");
        db.ifPresent(ds -> DURABLE.forEach((map, table) -> hz.getMapConfig(map).setMapStoreConfig(
                new com.hazelcast.config.MapStoreConfig().setEnabled(true).setWriteDelaySeconds(0)
                        .setInitialLoadMode(com.hazelcast.config.MapStoreConfig.InitialLoadMode.EAGER)
                        .setImplementation(new JdbcMapStore(ds, table, Database.isPostgres(ds))))));
        return Hazelcast.newHazelcastInstance(hz);
    }
}
