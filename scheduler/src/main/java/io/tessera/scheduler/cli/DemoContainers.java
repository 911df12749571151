package io.tessera.scheduler.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Containers in the demo: where this host can run them (root, Podman that answers), the demo's
 * agents run shards with an image in Podman, with the settings that work on hosts that refuse
 * Podman's defaults (runc, explicit ulimits), and the demo builds three small images offline
 * ({@code localhost/tessera-demo/stack:base}, {@code :cann}, {@code :cuda}, from Debian's
 * busybox-static) for {@code examples/containers/demo-variants.yaml}. Elsewhere it says why and
 * the demo runs host processes only, as before.
 */
final class DemoContainers {
    /** The images the demo job names. */
    static final List<String> FLAVORS = List.of("base", "cann", "cuda");
    static final String REPO = "localhost/tessera-demo/stack:";
    private final String why;

    private DemoContainers(String why) {
        this.why = why;
    }

    /** Whether this host can run the demo's containers; if not, why not. */
    static DemoContainers check() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return new DemoContainers("the demo runs containers only as root");
        }
        if (!Files.isExecutable(Path.of("/usr/bin/podman"))) {
            return new DemoContainers("podman is not installed (apt-get install podman runc busybox-static)");
        }
        if (run(List.of("/usr/bin/podman", "info", "--format", "{{.Host.OCIRuntime.Name}}")) != 0) {
            return new DemoContainers("podman does not answer here ('podman info' failed)");
        }
        return new DemoContainers(null);
    }

    /** Why the demo runs no containers, or empty when it does. */
    Optional<String> unavailable() {
        return Optional.ofNullable(why);
    }

    /** The agents' {@code containers} setting: Podman where it answers, else none. */
    String agentYaml() {
        if (why != null) {
            return "containers: {runtime: none}";
        }
        boolean runc = Files.isExecutable(Path.of("/usr/sbin/runc")) || Files.isExecutable(Path.of("/usr/bin/runc"));
        return "containers: {runtime: podman" + (runc ? ", ociRuntime: runc" : "") + ", shmSize: 256m}";
    }

    /**
     * Builds the demo's images with the agent jar's {@code image} command, unless they are there;
     * returns their tags, or empty when they could not be built (busybox-static missing, say).
     */
    List<String> images(Path agentJar, Path log) {
        List<String> tags = new ArrayList<>();
        if (why != null) {
            return tags;
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        for (String flavor : FLAVORS) {
            String tag = REPO + flavor;
            if (run(List.of("/usr/bin/podman", "image", "exists", tag)) != 0 && run(List.of(java, "-jar", agentJar.toString(),
                    "image", "busybox", tag, "--file", "/etc/stack=" + flavor), log) != 0) {
                return List.of();
            }
            tags.add(tag);
        }
        return tags;
    }

    private static int run(List<String> argv) {
        return run(argv, null);
    }

    private static int run(List<String> argv, Path log) {
        try {
            ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
            pb.redirectOutput(log == null ? ProcessBuilder.Redirect.DISCARD : ProcessBuilder.Redirect.appendTo(log.toFile()));
            Process p = pb.start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            return p.exitValue();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
