import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Tessera's example training worker. It needs only a JDK: run it as
 * {@code java ExampleWorker.java [--steps N] [--checkpoint-every K] [--time-scale S]}.
 *
 * <p>It reads the worker contract (docs/worker-contract.md) from its environment and does real
 * data-parallel training of a small linear model on synthetic data: the ranks rendezvous at
 * MASTER_ADDR:MASTER_PORT, rank 0 broadcasts the starting step and weights (from its checkpoint,
 * if one exists), and every step the gradients are all-reduced through rank 0, weighted by each
 * shard's batch. Each step is paced as the shard's chip would take: micro-batch x accumulation /
 * the catalog's samples per second for it ({@code TESSERA_CATALOG_SAMPLES_PER_SEC}), times
 * --time-scale, and --chip-speed CHIP=F makes a chip type run at F times that speed, so a well-balanced split makes every rank
 * arrive at the all-reduce together. Every K steps rank 0 writes a checkpoint atomically. Each
 * step prints a {@code TESSERA_PROGRESS step=N total=M ... samples_per_sec=X} line (X: this shard's
 * measured compute rate, before the gradient all-reduce, in chip time, i.e. undoing --time-scale),
 * which the agent reports upstream. It prints no {@code split=}, so the scheduler never re-splits it.
 * On SIGTERM (the scheduler preempting or cancelling the job) rank 0 checkpoints the last completed
 * step before exiting, within the grace period the agent allows.
 *
 * <p>Test hooks: {@code --fail-at-step N} exits with code 3 at step N, only on the attempt given
 * by {@code --fail-on-attempt} (default 1), to exercise gang restarts.
 */
public final class ExampleWorker {
    private static final int FEATURES = 16;

    public static void main(String[] argv) throws Exception {
        Map<String, String> env = System.getenv();
        long steps = longArg(argv, "--steps", 20);
        long every = longArg(argv, "--checkpoint-every", 5);
        double timeScale = Double.parseDouble(arg(argv, "--time-scale", "1.0"));
        long failAt = longArg(argv, "--fail-at-step", -1);
        long failAttempt = longArg(argv, "--fail-on-attempt", 1);

        int rank = Integer.parseInt(require(env, "RANK"));
        int world = Integer.parseInt(require(env, "WORLD_SIZE"));
        int micro = Integer.parseInt(require(env, "TESSERA_MICRO_BATCH"));
        int accumulation = Integer.parseInt(env.getOrDefault("TESSERA_GRAD_ACCUMULATION", "1"));
        String chipType = env.getOrDefault("TESSERA_CHIP_TYPE", "");
        double rate = Double.parseDouble(env.getOrDefault("TESSERA_CATALOG_SAMPLES_PER_SEC",
                env.getOrDefault("TESSERA_PREDICTED_SAMPLES_PER_SEC", "100"))) * chipSpeed(argv, chipType);
        int attempt = Integer.parseInt(env.getOrDefault("TESSERA_ATTEMPT", "1"));
        String chip = env.getOrDefault("TESSERA_CHIP_TYPE", "unknown");
        String visible = visibleDevices(env);
        Path ckptDir = Path.of(env.getOrDefault("TESSERA_CHECKPOINT_DIR", env.getOrDefault("TESSERA_WORK_DIR", ".")));
        Path ckpt = ckptDir.resolve("checkpoint.txt");

        System.out.printf(Locale.ROOT, "rank %d/%d on %s devices [%s], precision %s, micro-batch %d x %d, "
                        + "global batch %s, master %s:%s, attempt %d%n", rank, world, chip, visible,
                env.get("TESSERA_PRECISION"), micro, accumulation, env.get("TESSERA_GLOBAL_BATCH"),
                env.get("MASTER_ADDR"), env.get("MASTER_PORT"), attempt);

        double[] weights = new double[FEATURES];
        long start = rank == 0 && Files.exists(ckpt) ? load(ckpt, weights) : 0;
        try (Collective group = Collective.join(rank, world, env.getOrDefault("MASTER_ADDR", "127.0.0.1"),
                Integer.parseInt(require(env, "MASTER_PORT")))) {
            start = group.broadcast(start, weights);
            if (start > 0) {
                System.out.printf(Locale.ROOT, "resumed from checkpoint at step %d%n", start);
            }
            Random data = new Random(1234L + 7919L * rank + 104729L * start);
            double[] truth = new double[FEATURES];
            for (int i = 0; i < FEATURES; i++) {
                truth[i] = (i % 5) - 2.0;
            }
            long stepNanos = (long) (1e9 * micro * accumulation / rate * timeScale);
            // Preemption (or a cancel) sends SIGTERM and waits out a grace period: rank 0 saves the
            // last completed step, so the next attempt resumes from there instead of the last periodic checkpoint.
            long[] completed = {start};
            boolean[] crashing = {false};
            Object lock = new Object();
            if (rank == 0) {
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    synchronized (lock) {
                        if (!crashing[0] && completed[0] > 0 && completed[0] < steps) {
                            try {
                                System.out.printf(Locale.ROOT, "SIGTERM: checkpointing step %d before exiting%n", completed[0]);
                                save(ckptDir, ckpt, completed[0], weights);
                            } catch (IOException e) {
                                System.out.println("could not checkpoint on SIGTERM: " + e.getMessage());
                            }
                        }
                    }
                }));
            }
            for (long step = start + 1; step <= steps; step++) {
                long t0 = System.nanoTime();
                double[] grad = new double[FEATURES + 1];
                long samples = gradient(weights, truth, data, micro * accumulation, grad);
                if (step == failAt && attempt == failAttempt) {
                    System.out.printf(Locale.ROOT, "injected failure at step %d (attempt %d)%n", step, attempt);
                    crashing[0] = true; // a crash writes no checkpoint
                    System.exit(3);
                }
                pace(t0, stepNanos);
                double computed = (System.nanoTime() - t0) / 1e9; // this shard's own work, not the wait for peers
                long total = group.allReduce(samples, grad);
                synchronized (lock) {
                    for (int i = 0; i < FEATURES; i++) {
                        weights[i] -= 0.05 * grad[i] / total;
                    }
                    completed[0] = step;
                }
                System.out.printf(Locale.ROOT, "TESSERA_PROGRESS step=%d total=%d loss=%.5f samples=%d "
                        + "samples_per_sec=%.3f%n", step, steps, grad[FEATURES] / total, total,
                        micro * accumulation * timeScale / computed);
                if (rank == 0 && step % every == 0) {
                    synchronized (lock) {
                        save(ckptDir, ckpt, step, weights);
                    }
                }
            }
        }
        System.out.printf(Locale.ROOT, "rank %d finished %d steps%n", rank, steps);
    }

    /**
     * Least-squares gradient summed over a fresh synthetic batch of {@code batch} samples; the
     * loss sum goes in the last slot. Returns the number of samples.
     */
    private static long gradient(double[] w, double[] truth, Random data, int batch, double[] grad) {
        int n = Math.min(batch, 4096);
        for (int s = 0; s < n; s++) {
            double[] x = new double[FEATURES];
            double y = 0;
            double pred = 0;
            for (int i = 0; i < FEATURES; i++) {
                x[i] = data.nextGaussian();
                y += truth[i] * x[i];
                pred += w[i] * x[i];
            }
            double err = pred - y;
            grad[FEATURES] += err * err;
            for (int i = 0; i < FEATURES; i++) {
                grad[i] += 2 * err * x[i];
            }
        }
        return n;
    }

    /**
     * A star-shaped collective through rank 0: enough for an example, and a real rendezvous on
     * MASTER_ADDR:MASTER_PORT. Rank 0 listens; the others connect, retrying for up to 60 s.
     */
    static final class Collective implements AutoCloseable {
        private final int rank;
        private final ServerSocket server;
        private final Socket[] peers;
        private final DataInputStream[] in;
        private final DataOutputStream[] out;

        private Collective(int rank, int world, ServerSocket server) {
            this.rank = rank;
            this.server = server;
            this.peers = new Socket[world];
            this.in = new DataInputStream[world];
            this.out = new DataOutputStream[world];
        }

        static Collective join(int rank, int world, String masterAddr, int port) throws IOException,
                InterruptedException {
            if (rank == 0) {
                ServerSocket server = new ServerSocket();
                server.setReuseAddress(true);
                server.bind(new InetSocketAddress(port));
                server.setSoTimeout(120_000);
                Collective c = new Collective(0, world, server);
                for (int i = 1; i < world; i++) {
                    Socket s = server.accept();
                    int peer = new DataInputStream(s.getInputStream()).readInt();
                    c.attach(peer, s);
                }
                return c;
            }
            Collective c = new Collective(rank, world, null);
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (true) {
                try {
                    Socket s = new Socket();
                    s.connect(new InetSocketAddress(masterAddr, port), 2000);
                    c.attach(0, s);
                    c.out[0].writeInt(rank);
                    c.out[0].flush();
                    return c;
                } catch (IOException e) {
                    if (System.nanoTime() > deadline) {
                        throw new IOException("rank 0 at " + masterAddr + ":" + port + " never answered", e);
                    }
                    Thread.sleep(200);
                }
            }
        }

        private void attach(int peer, Socket s) throws IOException {
            s.setSoTimeout(120_000);
            s.setTcpNoDelay(true);
            peers[peer] = s;
            in[peer] = new DataInputStream(new BufferedInputStream(s.getInputStream()));
            out[peer] = new DataOutputStream(new BufferedOutputStream(s.getOutputStream()));
        }

        /** Rank 0's start step and weights, for everyone. */
        long broadcast(long start, double[] w) throws IOException {
            if (rank == 0) {
                for (int p = 1; p < peers.length; p++) {
                    out[p].writeLong(start);
                    for (double v : w) {
                        out[p].writeDouble(v);
                    }
                    out[p].flush();
                }
                return start;
            }
            long s = in[0].readLong();
            for (int i = 0; i < w.length; i++) {
                w[i] = in[0].readDouble();
            }
            return s;
        }

        /** Sums {@code samples} and {@code v} element-wise across ranks, in place; returns the total samples. */
        long allReduce(long samples, double[] v) throws IOException {
            if (rank != 0) {
                out[0].writeLong(samples);
                for (double x : v) {
                    out[0].writeDouble(x);
                }
                out[0].flush();
                long total = in[0].readLong();
                for (int i = 0; i < v.length; i++) {
                    v[i] = in[0].readDouble();
                }
                return total;
            }
            long total = samples;
            for (int p = 1; p < peers.length; p++) {
                total += in[p].readLong();
                for (int i = 0; i < v.length; i++) {
                    v[i] += in[p].readDouble();
                }
            }
            for (int p = 1; p < peers.length; p++) {
                out[p].writeLong(total);
                for (double x : v) {
                    out[p].writeDouble(x);
                }
                out[p].flush();
            }
            return total;
        }

        @Override
        public void close() throws IOException {
            for (Socket s : peers) {
                if (s != null) {
                    s.close();
                }
            }
            if (server != null) {
                server.close();
            }
        }
    }

    /** Sleeps until {@code stepNanos} after {@code t0} (no spinning: workers share the node's cores). */
    private static void pace(long t0, long stepNanos) throws InterruptedException {
        long left = stepNanos - (System.nanoTime() - t0);
        if (left > 0) {
            Thread.sleep(left / 1_000_000, (int) (left % 1_000_000));
        }
    }

    /** {@code --chip-speed CHIP=F} (repeatable): chip type CHIP runs at F times the catalog's speed. */
    private static double chipSpeed(String[] argv, String chipType) {
        for (int i = 0; i + 1 < argv.length; i++) {
            if (argv[i].equals("--chip-speed") && argv[i + 1].startsWith(chipType + "=") && !chipType.isEmpty()) {
                return Double.parseDouble(argv[i + 1].substring(chipType.length() + 1));
            }
        }
        return 1.0;
    }

    private static void save(Path dir, Path ckpt, long step, double[] w) throws IOException {
        Files.createDirectories(dir);
        StringBuilder sb = new StringBuilder("step=" + step + "\n");
        for (double v : w) {
            sb.append(v).append('\n');
        }
        Path tmp = dir.resolve("checkpoint.txt.tmp");
        Files.writeString(tmp, sb, StandardCharsets.UTF_8);
        Files.move(tmp, ckpt, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        System.out.printf(Locale.ROOT, "TESSERA_CHECKPOINT step=%d (checkpoint written)%n", step);
    }

    private static long load(Path ckpt, double[] w) throws IOException {
        String[] lines = Files.readString(ckpt, StandardCharsets.UTF_8).split("\n");
        for (int i = 0; i < w.length && i + 1 < lines.length; i++) {
            w[i] = Double.parseDouble(lines[i + 1]);
        }
        return Long.parseLong(lines[0].substring("step=".length()).trim());
    }

    private static String visibleDevices(Map<String, String> env) {
        for (String v : new String[] {"CUDA_VISIBLE_DEVICES", "ASCEND_RT_VISIBLE_DEVICES"}) {
            if (env.containsKey(v)) {
                return v + "=" + env.get(v);
            }
        }
        return env.entrySet().stream().filter(e -> e.getKey().endsWith("_VISIBLE_DEVICES"))
                .map(e -> e.getKey() + "=" + e.getValue()).findFirst().orElse("none");
    }

    private static String require(Map<String, String> env, String name) {
        String v = env.get(name);
        if (v == null) {
            System.err.println("missing " + name + ": run me under a Tessera agent (see docs/worker-contract.md)");
            System.exit(2);
        }
        return v;
    }

    private static String arg(String[] argv, String name, String dflt) {
        for (int i = 0; i + 1 < argv.length; i++) {
            if (argv[i].equals(name)) {
                return argv[i + 1];
            }
        }
        return dflt;
    }

    private static long longArg(String[] argv, String name, long dflt) {
        return Long.parseLong(arg(argv, name, Long.toString(dflt)));
    }
}
