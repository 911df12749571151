package io.tessera.scheduler.state.hazelcast;

import io.tessera.scheduler.state.jdbc.Database;
import io.tessera.scheduler.state.jdbc.GroupCommit;
import io.tessera.scheduler.state.jdbc.JdbcMapStore;
import com.zaxxer.hikari.HikariDataSource;
import java.util.Map;
import com.hazelcast.config.MapStoreConfig;
import io.tessera.scheduler.security.Tokens;
import com.hazelcast.config.AdvancedNetworkConfig;
import com.hazelcast.config.Config;
import com.hazelcast.config.ServerSocketEndpointConfig;
import io.tessera.scheduler.security.SecretFiles;
import java.util.Optional;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.tessera.config.SchedulerConfig;

/**
 * Builds the embedded Hazelcast member from scheduler configuration. Only scheduler members may
 * reach the state grid, so:
 * <ul>
 *   <li>the member listens on {@code bindAddress} only (loopback for a lone member), never on every interface;</li>
 *   <li>the client protocol is off: only the member endpoint exists, so no Hazelcast client can connect;</li>
 *   <li>the effective cluster name carries a keyed digest of the cluster secret, which a multi-member
 *       cluster must have; a lone member makes up a random one at each start, so nothing can join it;</li>
 *   <li>multicast, auto-detection and phone-home are off; TCP/IP join goes to the configured members only.</li>
 * </ul>
 * Hazelcast's open-source edition has no member authentication or TLS: the member network must
 * still be private to the scheduler hosts (docs/security.md).
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
        Optional<String> secret = clusterSecret(config);
        if (secret.isEmpty()) {
            if (!config.members().isEmpty()) {
                throw new IllegalStateException("a cluster of several members needs a cluster secret: set "
                        + "secrets.clusterSecretFile (a 0600 file) or TESSERA_CLUSTER_SECRET (docs/security.md)");
            }
            return config.clusterName() + "-" + Tokens.generate("").substring(0, 32);
        }
        if (secret.get().length() < 16) {
            throw new IllegalStateException("the cluster secret must be at least 16 characters");
        }
        return config.clusterName() + "-" + Tokens.sha256("tessera-cluster:"
                + secret.get()).substring(0, 32);
    }

    /** The cluster secret: the file, else the environment variable, else the (older) inline clusterPassword. */
    static Optional<String> clusterSecret(SchedulerConfig config) {
        Optional<String> secret = SecretFiles.read(config.secrets().clusterSecretFile(), "TESSERA_CLUSTER_SECRET");
        return secret.isPresent() ? secret : Optional.ofNullable(config.clusterPassword()).filter(p -> !p.isEmpty());
    }

    /**
     * How long a write waits for its backup's acknowledgement before it returns anyway (Hazelcast's
     * default is 5 s). While partitions migrate after a member is lost, a backup sent to a replica
     * that is not yet in sync is dropped unanswered, so each write there waited the full 5 s: a
     * submission (lock, insert, unlock) stalled 10 s and the new leader's claim 15 s after a
     * SIGKILL (ClusterFailoverTest, in a fresh-clone CI run: takeover 16.6 s). The write itself is
     * done and written through to the database either way; the replica is re-synced by Hazelcast.
     */
    static final long BACKUP_ACK_TIMEOUT_MS = 1000;

    /**
     * Partitions of the state grid (Hazelcast's default is 271). When a member is lost, its
     * partitions are promoted and then rebalanced, and a query over a map (a new leader's first
     * reads, the queues, the profiles) waits while partitions migrate. Each migration costs a round
     * of operations per map whatever the partition holds, and Tessera's state is small (tens of
     * thousands of entries at 9,000 nodes), so fewer, larger partitions move it sooner: a new
     * leader's first pass waited 14.6 s for the rebalance in two of nine ClusterFailoverTest runs
     * with 271.
     */
    static final int PARTITIONS = 71;

    /** Maps written through to the database, and their tables. */
    static final Map<String, String> DURABLE = Map.ofEntries(
            Map.entry(HazelcastClusterStore.JOBS, "tessera_jobs"), Map.entry(HazelcastClusterStore.NODES, "tessera_nodes"),
            Map.entry(HazelcastClusterStore.ASSIGNMENTS, "tessera_assignments"),
            Map.entry(HazelcastClusterStore.REPORTS, "tessera_shard_reports"),
            Map.entry(HazelcastClusterStore.CREDENTIALS, "tessera_agent_credentials"),
            Map.entry(HazelcastClusterStore.LEADER, "tessera_leader"),
            Map.entry(HazelcastClusterStore.JOIN_TOKENS, "tessera_join_tokens"),
            Map.entry(HazelcastClusterStore.CHECKPOINT_OWNERS, "tessera_checkpoint_owners"),
            Map.entry(HazelcastClusterStore.QUEUES, "tessera_queues"), Map.entry(HazelcastClusterStore.PROFILES, "tessera_profiles"),
            Map.entry(HazelcastClusterStore.TELEMETRY, "tessera_telemetry"),
            Map.entry(HazelcastClusterStore.FLEET_USAGE, "tessera_fleet_usage"));

    /** A member holding state in memory only. */
    public static HazelcastInstance start(SchedulerConfig config) {
        return start(config, Optional.empty());
    }

    /** A member whose state maps are written through to {@code db} and loaded from it at start. */
    public static HazelcastInstance start(SchedulerConfig config, Optional<HikariDataSource> db) {
        Config hz = new Config();
        hz.setClusterName(clusterName(config));
        hz.setInstanceName("tessera-" + config.clusterName() + "-" + System.nanoTime());
        hz.setProperty("hazelcast.phone.home.enabled", "false");
        hz.setProperty("hazelcast.logging.type", "slf4j");
        hz.setProperty("hazelcast.shutdownhook.enabled", "false");
        String bind = config.bindAddress() != null ? config.bindAddress() : "127.0.0.1";
        hz.setProperty("hazelcast.local.localAddress", bind);
        hz.setProperty("hazelcast.socket.bind.any", "false");
        hz.setProperty("hazelcast.socket.server.bind.any", "false");
        hz.setProperty("hazelcast.socket.client.bind.any", "false");
        AdvancedNetworkConfig net = hz.getAdvancedNetworkConfig().setEnabled(true);
        ServerSocketEndpointConfig member = new ServerSocketEndpointConfig();
        member.setPort(config.hazelcastPort()).setPortAutoIncrement(true).setPortCount(200);
        member.getInterfaces().setEnabled(true).addInterface(bind);
        net.setMemberEndpointConfig(member); // and no client endpoint: the client protocol is off
        JoinConfig join = net.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        if (config.members().isEmpty()) {
            join.getTcpIpConfig().setEnabled(false);
        } else {
            join.getTcpIpConfig().setEnabled(true).setMembers(config.members());
        }
        hz.setProperty("hazelcast.heartbeat.interval.seconds", "1");
        hz.setProperty("hazelcast.max.no.heartbeat.seconds", "3");
        hz.setProperty("hazelcast.operation.backup.timeout.millis", Long.toString(BACKUP_ACK_TIMEOUT_MS));
        hz.setProperty("hazelcast.partition.count", Integer.toString(PARTITIONS));
        db.ifPresent(ds -> {
            GroupCommit commits = new GroupCommit(ds); // one for all tables: a plan's writes to several share a commit
            DURABLE.forEach((map, table) -> hz.getMapConfig(map).setMapStoreConfig(
                    new MapStoreConfig().setEnabled(true).setWriteDelaySeconds(0)
                            .setInitialLoadMode(MapStoreConfig.InitialLoadMode.EAGER)
                            .setImplementation(new JdbcMapStore(ds, table, Database.isPostgres(ds), commits))));
        });
        return Hazelcast.newHazelcastInstance(hz);
    }
}
