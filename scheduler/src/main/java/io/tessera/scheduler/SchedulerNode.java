package io.tessera.scheduler;

import io.tessera.scheduler.state.LeaderClaims;
import java.util.function.IntConsumer;
import com.zaxxer.hikari.HikariDataSource;
import io.tessera.scheduler.leader.Term;
import io.tessera.scheduler.state.jdbc.Database;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import com.hazelcast.core.HazelcastInstance;
import io.tessera.config.ChipCatalog;
import io.tessera.config.JobSpecParser;
import io.tessera.config.SchedulerConfig;
import io.tessera.scheduler.api.ApiServer;
import io.tessera.scheduler.auth.AuthSetup;
import io.tessera.scheduler.loop.LoopAssembly;
import io.tessera.scheduler.loop.NodeLivenessSweep;
import io.tessera.scheduler.state.hazelcast.OldestMemberLeadership;
import io.tessera.scheduler.loop.QueuePlacer;
import io.tessera.scheduler.loop.SchedulingLoop;
import io.tessera.scheduler.metrics.FleetStatsCollector;
import io.tessera.scheduler.metrics.QueueStats;
import io.tessera.scheduler.metrics.SchedulerMetrics;
import io.tessera.scheduler.policy.HeartbeatPolicy;
import io.tessera.scheduler.placement.MeasuredThroughputModel;
import io.tessera.scheduler.placement.PlacementPolicy;
import io.tessera.scheduler.loop.LearnedThroughput;
import io.tessera.scheduler.placement.Placer;
import io.tessera.scheduler.placement.PlacementEngine;
import io.tessera.scheduler.service.AgentService;
import io.tessera.scheduler.health.HealthMonitor;
import io.tessera.scheduler.security.SecretBox;
import io.tessera.scheduler.state.memory.InMemoryJobHistory;
import io.tessera.scheduler.state.jdbc.JdbcJobHistory;
import io.tessera.scheduler.state.JobHistory;
import io.tessera.scheduler.state.AuditLog;
import io.tessera.scheduler.state.jdbc.JdbcAuditLog;
import io.tessera.scheduler.state.memory.InMemoryAuditLog;
import io.tessera.scheduler.audit.AuditTrail;
import io.tessera.scheduler.service.JobService;
import io.tessera.scheduler.service.PlanService;
import io.tessera.scheduler.service.QueueService;
import io.tessera.scheduler.state.ClusterStore;
import io.tessera.scheduler.state.ClusterView;
import io.tessera.scheduler.state.hazelcast.HazelcastClusterStore;
import io.tessera.scheduler.state.hazelcast.HazelcastMember;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One scheduler member: a Hazelcast member holding state, the REST API, and the scheduling loop
 * (which acts only while this member is the oldest). The one place where the parts are wired.
 */
public final class SchedulerNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SchedulerNode.class);
    private final HazelcastInstance hz;
    private final HealthMonitor health;
    private final Vertx vertx;
    private final HttpServer http;
    private final SchedulingLoop loop;
    private final ScheduledExecutorService collector;
    private final AuthSetup auth;
    private final Optional<HikariDataSource> db;
    private final AuditTrail audit;

    private SchedulerNode(HazelcastInstance hz, Vertx vertx, HttpServer http, SchedulingLoop loop,
                          ScheduledExecutorService collector, AuthSetup auth,
                          Optional<HikariDataSource> db, HealthMonitor health, AuditTrail audit) {
        this.audit = audit;
        this.health = health;
        this.db = db;
        this.auth = auth;
        this.collector = collector;
        this.hz = hz;
        this.vertx = vertx;
        this.http = http;
        this.loop = loop;
    }

    /** This member's Hazelcast instance, for diagnostics and tests; everything else goes through ClusterStore. */
    public HazelcastInstance hazelcast() {
        return hz;
    }

    /** Starts a member and blocks until its API listens. */
    public static SchedulerNode start(SchedulerConfig config, Clock clock) {
        return start(config, clock, new PlacementEngine());
    }

    public static SchedulerNode start(SchedulerConfig config, Clock clock, Placer placer) {
        return start(config, clock, placer, status -> LOG.error("this member is unhealthy beyond repair (status {}); "
                + "an in-process member does not exit, restart it", status));
    }

    /**
     * Starts a member; {@code onFatal} is called with an exit status when the member can no longer
     * work (out of memory, its database gone): the CLI exits, so that a supervisor restarts it.
     */
    public static SchedulerNode start(SchedulerConfig config, Clock clock, Placer placer, IntConsumer onFatal) {
        ChipCatalog catalog = ChipCatalog.load(Optional.ofNullable(config.catalogFile()).map(Path::of));
        Optional<HikariDataSource> db = Database.open(config);
        SecretBox secrets = SecretBox.from(config);
        HazelcastInstance hz = HazelcastMember.start(config, db);
        ClusterStore store = new HazelcastClusterStore(hz);
        adoptJobUids(store);
        HealthMonitor health = new HealthMonitor(db, hz, 3, onFatal).start(2000);
        LearnedThroughput learned = new LearnedThroughput(store.profiles(), catalog, clock::millis);
        PlacementPolicy policy = policy(config, learned);
        SchedulerMetrics metrics = new SchedulerMetrics();
        AuthSetup auth = AuthSetup.from(config.auth(), store, clock);
        auth.generatedAdmin().ifPresent(t -> LOG.warn("no token file configured: generated admin token {}", t));
        auth.generatedJoin().ifPresent(t -> LOG.warn("no join token file configured: generated agent join token {}", t));
        ClusterView view = new ClusterView(store, catalog);
        JobHistory history = db.<JobHistory>map(ds -> new JdbcJobHistory(ds, Database.isPostgres(ds)))
                .orElseGet(() -> new InMemoryJobHistory(10_000));
        AuditTrail audit = new AuditTrail(db.<AuditLog>map(JdbcAuditLog::new).orElseGet(() -> new InMemoryAuditLog(100_000)),
                config.audit(), clock);
        SchedulingLoop loop = new LoopAssembly(store, view, placer, policy, clock, metrics, config.elastic(),
                history, config.limits().terminalGraceMs(), config.limits().historyRetentionMs(),
                config.limits().restartBackoff(), config.preemption())
                .loop(new OldestMemberLeadership(hz), new NodeLivenessSweep(store, view, clock,
                        HeartbeatPolicy.from(config), metrics), () -> {
                            String me = hz.getCluster().getLocalMember().getUuid().toString();
                            LeaderClaims.LeaderClaim c = store.claimLeadership(me);
                            return new Term(me, c.epoch(), clock.millis());
                        }, QueuePlacer.DEFAULT_BUDGET_NANOS, System::nanoTime).withBeforePass(learned::refresh);
        metrics.leadership(() -> loop.term().isPresent());
        Vertx vertx = Vertx.builder().with(new VertxOptions().setMetricsOptions(
                        new MicrometerMetricsOptions().setEnabled(true)))
                .withMetrics(new MicrometerMetricsFactory(metrics.registry())).build();
        QueueService queues = new QueueService(store, view, catalog);
        ScheduledExecutorService collector = fleetCollector(
                new FleetStatsCollector(store, view, catalog, clock), queues, metrics, config.metricsRefreshMs());
        try {
            JobSpecParser parser = new JobSpecParser(catalog, config.limits().maxArgvEnvBytes(),
                    config.containers().allowedImages());
            queues.define(config.queues());
            PlanService plans = new PlanService(view, parser, placer, policy).settlesAfter(config.limits().fleetSettleMs(), clock);
            JobService jobService = new JobService(store, parser, clock, secrets, config.limits(), history, plans::neverFits)
                    .jobUidsFrom(config.workers());
            HttpServer http = ApiServer.start(vertx, config, jobService,
                    new AgentService(store, config, clock, metrics, secrets, catalog, HeartbeatPolicy.from(config)), plans,
                    queues, store, clock, metrics::scrape, auth, health, audit)
                    .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            view.onChanged(loop::wake); // a submitted job, freed devices, a node back: a pass now
            loop.start(config.scheduleIntervalMs());
            LOG.info("scheduler member up: API on {}:{}, cluster '{}'", config.httpHost(), http.actualPort(),
                    config.clusterName());
            return new SchedulerNode(hz, vertx, http, loop, collector, auth, db, health, audit);
        } catch (Exception e) {
            audit.close();
            health.close();
            collector.shutdownNow();
            vertx.close();
            hz.shutdown();
            db.ifPresent(HikariDataSource::close);
            throw new IllegalStateException("scheduler failed to start: " + e.getMessage(), e);
        }
    }

    /** The live jobs' uids back in the shared table (after a whole-cluster restart it starts empty). */
    private static void adoptJobUids(ClusterStore store) {
        store.jobs().stream().filter(j -> !j.state().terminal() && j.identity().uid() != null)
                .forEach(j -> store.jobUids().adopt(j.id(), j.identity().uid()));
    }

    /** Refreshes the fleet gauges every {@code intervalMs} on a daemon thread. */
    private static ScheduledExecutorService fleetCollector(FleetStatsCollector stats, QueueService queues,
                                                           SchedulerMetrics metrics, long intervalMs) {
        ScheduledExecutorService t = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread th = new Thread(r, "tessera-fleet-metrics");
            th.setDaemon(true);
            return th;
        });
        t.scheduleWithFixedDelay(() -> {
            try {
                metrics.refresh(stats.collect());
                metrics.refreshThroughput(stats.throughput());
                metrics.refreshQueues(queues.list().stream().map(q -> new QueueStats(q.queue().name(), q.usedTflops(),
                        q.queue().quota().tflops(), q.borrowedTflops(), q.fairShareTflops(), q.pendingJobs())).toList());
            } catch (RuntimeException e) {
                LOG.debug("fleet metrics refresh failed: {}", e.toString());
            }
        }, 0, intervalMs, TimeUnit.MILLISECONDS);
        return t;
    }

    /** The placement policy a scheduler configuration implies, on the catalog's estimates alone. */
    public static PlacementPolicy policy(SchedulerConfig config) {
        return new PlacementPolicy(config.defaultMaxVendorShare(), config.defaultMinVendors(),
                config.memoryHeadroom(), config.network(), PlacementPolicy.DEFAULT.throughput());
    }

    /** The same, with the estimates corrected by what job classes were measured at ({@link LearnedThroughput}). */
    static PlacementPolicy policy(SchedulerConfig config, LearnedThroughput learned) {
        return new PlacementPolicy(config.defaultMaxVendorShare(), config.defaultMinVendors(),
                config.memoryHeadroom(), config.network(),
                new MeasuredThroughputModel(PlacementPolicy.DEFAULT.throughput(), learned));
    }

    /** The authentication in force, with any tokens generated at start. */
    public AuthSetup auth() {
        return auth;
    }

    /** The port the API actually listens on (useful with port 0). */
    public int port() {
        return http.actualPort();
    }

    @Override
    public void close() {
        health.close();
        collector.shutdownNow();
        loop.close();
        try {
            http.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS); // no new requests first
        } catch (Exception e) {
            LOG.warn("the API did not close cleanly: {}", e.toString());
        }
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("vert.x did not close cleanly: {}", e.toString());
        }
        audit.close();
        hz.shutdown();
        db.ifPresent(Database::close);
    }

    /** Stops this member abruptly, as a crash would: no graceful Hazelcast leave, no final writes. */
    public void crash() {
        health.close();
        collector.shutdownNow();
        loop.close();
        vertx.close();
        audit.close();
        hz.getLifecycleService().terminate();
        db.ifPresent(HikariDataSource::close);
    }
}
