import java.io.IOException;
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
 * <p>It reads the worker contract (docs/worker-contract.md) from its environment, trains a small
 * linear model with real SGD on synthetic data for the configured number of steps, and paces
 * each step as the shard's chip would: step time = micro-batch x accumulation / predicted
 * samples per second, times --time-scale. Every K steps rank 0 writes a checkpoint (atomically);
 * on start every rank resumes from the checkpoint if one exists. It prints one
 * {@code TESSERA_PROGRESS step=N total=M} line per step, which the agent reports upstream.
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
        double rate = Double.parseDouble(env.getOrDefault("TESSERA_PREDICTED_SAMPLES_PER_SEC", "100"));
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
        long start = 0;
        if (Files.exists(ckpt)) {
            start = load(ckpt, weights);
            System.out.printf(Locale.ROOT, "resumed from checkpoint at step %d%n", start);
        }
        Random data = new Random(1234L + rank);
        double[] truth = new double[FEATURES];
        for (int i = 0; i < FEATURES; i++) {
            truth[i] = (i % 5) - 2.0;
        }
        long stepNanos = (long) (1e9 * micro * accumulation / rate * timeScale);
        for (long step = start + 1; step <= steps; step++) {
            long t0 = System.nanoTime();
            double loss = sgdStep(weights, truth, data, micro * accumulation);
            if (step == failAt && attempt == failAttempt) {
                System.out.printf(Locale.ROOT, "injected failure at step %d (attempt %d)%n", step, attempt);
                System.exit(3);
            }
            pace(t0, stepNanos);
            System.out.printf(Locale.ROOT, "TESSERA_PROGRESS step=%d total=%d loss=%.5f%n", step, steps, loss);
            if (rank == 0 && step % every == 0) {
                save(ckptDir, ckpt, step, weights);
            }
        }
        System.out.printf(Locale.ROOT, "rank %d finished %d steps%n", rank, steps);
    }

    /** One SGD step of least squares on a fresh synthetic batch; returns the batch loss. */
    private static double sgdStep(double[] w, double[] truth, Random data, int batch) {
        double[] grad = new double[FEATURES];
        double loss = 0;
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
            loss += err * err / n;
            for (int i = 0; i < FEATURES; i++) {
                grad[i] += 2 * err * x[i] / n;
            }
        }
        for (int i = 0; i < FEATURES; i++) {
            w[i] -= 0.05 * grad[i];
        }
        return loss;
    }

    private static void pace(long t0, long stepNanos) throws InterruptedException {
        long left = stepNanos - (System.nanoTime() - t0);
        if (left > 0) {
            Thread.sleep(left / 1_000_000, (int) (left % 1_000_000));
        }
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
        System.out.printf(Locale.ROOT, "checkpoint written at step %d%n", step);
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
