package io.tessera.agent.worker;

import java.time.Duration;
import io.tessera.agent.detect.CommandResult;
import io.tessera.agent.detect.ProcessCommandRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a worker process is started when it runs under another identity than the agent's. The
 * privileged part ({@code unshare}, {@code setpriv}) runs with a fixed, minimal environment of the
 * agent's choosing, never the job's: {@code setpriv} drops to the job's uid and gid with no
 * supplementary groups, no-new-privs, an empty capability bounding set and no inheritable
 * capabilities; only then does an unprivileged {@code /bin/sh} read the job's environment from
 * a 0600 file owned by the job (and empty it) and {@code exec} the worker. So no loader variable
 * of the job ({@code LD_PRELOAD} and the like) ever reaches a privileged process.
 *
 * <p>Where the host allows it, the worker also gets its own PID namespace and {@code /proc}
 * ({@code unshare --pid --mount-proc}), so it cannot even see other jobs' processes. A small shell
 * init then runs as PID 1 and passes SIGTERM on to the worker.
 */
public final class WorkerLauncher {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerLauncher.class);
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    /** The whole environment of the privileged steps. */
    static final Map<String, String> PRIVILEGED_ENV = Map.of("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL", "C");
    private static final String EXEC = "f=$1; shift; . \"$f\" || exit 126; : > \"$f\"; exec \"$@\"";
    private static final String INIT = "f=$1; shift; . \"$f\" || exit 126; : > \"$f\"; \"$@\" & c=$!; "
            + "trap 'kill -TERM $c 2>/dev/null' TERM INT HUP; "
            + "while :; do wait $c; r=$?; kill -0 $c 2>/dev/null || exit $r; done";

    private final String setpriv;
    private final Optional<String> unshare;

    private WorkerLauncher(String setpriv, Optional<String> unshare) {
        this.setpriv = setpriv;
        this.unshare = unshare;
    }

    /**
     * Finds {@code setpriv} and, when {@code pidNamespace} is not false, checks once that
     * {@code unshare --pid --mount-proc} works here (null: use it where it works).
     */
    public static WorkerLauncher detect(Boolean pidNamespace) {
        String setpriv = find("setpriv").orElseThrow(() -> new IllegalStateException(
                "setpriv (util-linux) is needed to run workers under their own uid; install util-linux"));
        Optional<String> unshare = Boolean.FALSE.equals(pidNamespace) ? Optional.empty() : find("unshare").filter(WorkerLauncher::works);
        if (unshare.isEmpty() && Boolean.TRUE.equals(pidNamespace)) {
            throw new IllegalStateException("pidNamespace: true, but 'unshare --pid --fork --mount-proc' does not work here");
        }
        LOG.info("workers get {}", unshare.isPresent() ? "their own PID namespace" : "the host's PID namespace");
        return new WorkerLauncher(setpriv, unshare);
    }

    /** Whether workers get their own PID namespace. */
    public boolean pidNamespace() {
        return unshare.isPresent();
    }

    /** The argv that runs {@code argv} as {@code ids} with the environment in {@code envFile}. */
    List<String> argv(WorkerIdentity.Ids ids, Path envFile, List<String> argv) {
        List<String> out = new ArrayList<>();
        unshare.ifPresent(u -> out.addAll(List.of(u, "--pid", "--fork", "--mount-proc", "--kill-child", "--")));
        out.addAll(List.of(setpriv, "--reuid=" + ids.uid(), "--regid=" + ids.gid(), "--clear-groups", "--no-new-privs",
                "--bounding-set=-all", "--inh-caps=-all", "--", "/bin/sh", "-c", unshare.isPresent() ? INIT : EXEC,
                "tessera-launch", envFile.toString()));
        out.addAll(argv);
        return out;
    }

    /**
     * Runs {@code argv} as {@code ids} (privileges dropped as for a worker, a fixed environment)
     * and waits for it, at most 30 s: for steps that must be done with the job's rights, not root's.
     */
    CommandResult runAs(WorkerIdentity.Ids ids, List<String> argv) {
        List<String> cmd = new ArrayList<>(List.of(setpriv, "--reuid=" + ids.uid(), "--regid=" + ids.gid(), "--clear-groups",
                "--no-new-privs", "--bounding-set=-all", "--inh-caps=-all", "--"));
        cmd.addAll(argv);
        return new ProcessCommandRunner(PRIVILEGED_ENV.get("PATH"), PRIVILEGED_ENV).run(cmd, Duration.ofSeconds(30));
    }

    /** The environment file the unprivileged shell sources: one {@code export NAME='value'} a line. */
    static String render(Map<String, String> env) {
        StringBuilder out = new StringBuilder();
        env.forEach((k, v) -> {
            if (!NAME.matcher(k).matches() || v.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("environment variable '" + k + "' has an invalid name or value");
            }
            out.append("export ").append(k).append("='").append(v.replace("'", "'\\''")).append("'\n");
        });
        return out.toString();
    }

    private static Optional<String> find(String tool) {
        return List.of("/usr/bin/", "/bin/", "/usr/sbin/", "/sbin/").stream().map(d -> d + tool)
                .filter(p -> Files.isExecutable(Path.of(p))).findFirst();
    }

    private static boolean works(String unshare) {
        try {
            Process p = new ProcessBuilder(unshare, "--pid", "--fork", "--mount-proc", "--kill-child", "--", "/bin/true")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
