package io.tessera.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.tessera.scheduler.state.jdbc.Database;
import io.tessera.scheduler.state.jdbc.JdbcMapStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.LockSupport;

/**
 * How the embedded database's file grows under rewrites: a fixed set of live rows (job-record
 * sized by default) rewritten round after round through the scheduler's own {@link JdbcMapStore}
 * on the scheduler's embedded H2 URL, from several writer threads at a steady pace, as hot state is
 * rewritten in a long run. After each round it prints the file's size against the live data.
 * A file that levels off at a small multiple of the live data is proportional to it; one that
 * keeps growing is not.
 *
 * <p>Usage: {@code java -cp tessera-bench.jar io.tessera.bench.DbGrowth [--rows 10000]
 * [--bytes 2000] [--rounds 30] [--writes-per-sec 2000] [--threads 4] [--idle-sec 10] [--close plain]}. After the
 * rounds it watches the file while nothing is written for {@code --idle-sec} seconds, then closes
 * the database as the scheduler does ({@link Database#close}), or with a plain pool close.
 */
public final class DbGrowth {
    private DbGrowth() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = options(args);
        int rows = Integer.parseInt(o.getOrDefault("rows", "10000"));
        int bytes = Integer.parseInt(o.getOrDefault("bytes", "2000"));
        int rounds = Integer.parseInt(o.getOrDefault("rounds", "30"));
        int rate = Integer.parseInt(o.getOrDefault("writes-per-sec", "2000"));
        int threads = Integer.parseInt(o.getOrDefault("threads", "4"));
        Path dir = Files.createTempDirectory("tessera-dbgrowth");
        HikariConfig h = new HikariConfig();
        h.setJdbcUrl(Database.embeddedUrl(dir.resolve("tessera")));
        h.setUsername("sa");
        h.setPassword("");
        h.setMaximumPoolSize(threads);
        double live = (double) rows * bytes / (1 << 20);
        System.out.printf(Locale.ROOT, "%d rows x %d bytes = %.1f MiB live, %d writes/s, %d threads%n",
                rows, bytes, live, rate, threads);
        System.out.println("| round | written MiB | file MiB | file / live |");
        System.out.println("|---|---|---|---|");
        HikariDataSource db = new HikariDataSource(h);
        try {
            JdbcMapStore table = new JdbcMapStore(db, "growth_rows", false);
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            Random random = new Random(1);
            for (int round = 1; round <= rounds; round++) {
                rewrite(table, pool, rows, bytes, rate, threads, random.nextLong());
                double file = Files.size(dir.resolve("tessera.mv.db")) / (double) (1 << 20);
                System.out.printf(Locale.ROOT, "| %d | %.0f | %.1f | %.2f |%n", round, live * round, file, file / live);
            }
            pool.shutdown();
            int idle = Integer.parseInt(o.getOrDefault("idle-sec", "10"));
            for (int waited = 2; waited <= idle; waited += 2) {
                LockSupport.parkNanos(2_000_000_000L);
                double file = Files.size(dir.resolve("tessera.mv.db")) / (double) (1 << 20);
                System.out.printf(Locale.ROOT, "| idle %d s | - | %.1f | %.2f |%n", waited, file, file / live);
            }
            long start = System.nanoTime();
            if (o.getOrDefault("close", "scheduler").equals("plain")) {
                db.close();
            } else {
                Database.close(db);
            }
            double file = Files.size(dir.resolve("tessera.mv.db")) / (double) (1 << 20);
            System.out.printf(Locale.ROOT, "| closed (%s, %.0f ms) | - | %.1f | %.2f |%n", o.getOrDefault("close", "scheduler"),
                    (System.nanoTime() - start) / 1e6, file, file / live);
        } finally {
            db.close();
            deleteTree(dir);
        }
    }

    /** Rewrites every row once with new content, {@code threads} writers sharing the rows, paced to {@code rate}. */
    private static void rewrite(JdbcMapStore table, ExecutorService pool, int rows, int bytes, int rate, int threads,
                                long seed) throws Exception {
        long start = System.nanoTime();
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int first = t;
            done.add(pool.submit(() -> {
                Random random = new Random(seed + first);
                char[] text = new char[bytes];
                for (int k = first; k < rows; k += threads) {
                    for (int c = 0; c < bytes; c++) {
                        text[c] = (char) ('a' + random.nextInt(26));
                    }
                    table.store("job-" + k, new String(text));
                    long due = start + (long) ((k + 1) * 1e9 / rate);
                    LockSupport.parkNanos(due - System.nanoTime());
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> out = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            out.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        return out;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
