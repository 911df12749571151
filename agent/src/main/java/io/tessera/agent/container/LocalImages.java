package io.tessera.agent.container;

import io.tessera.agent.detect.CommandResult;
import io.tessera.agent.detect.ProcessCommandRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Builds container images on this host, offline, from Debian's own files: a root filesystem
 * directory is packed and imported with {@code podman import}. Used by the demo (so {@code image}
 * works with nothing pulled from the internet) and by the tests. The first image is
 * {@link #busybox}: Debian's {@code busybox-static} and its applets, enough for the mechanics.
 */
public final class LocalImages {
    private static final List<Path> BUSYBOX = List.of(Path.of("/bin/busybox"), Path.of("/usr/bin/busybox"));
    private final ProcessCommandRunner runner = new ProcessCommandRunner(Containers.ENV.get("PATH"), Containers.ENV);
    private final String podman;

    public LocalImages(String podman) {
        this.podman = podman;
    }

    /** Whether this host has a static busybox to build {@link #busybox} from. */
    public static boolean busyboxAvailable() {
        return BUSYBOX.stream().anyMatch(Files::isExecutable);
    }

    /**
     * Imports a busybox root filesystem as {@code tag} (built under {@code scratch}); returns the tag.
     *
     * @throws IOException when busybox is missing or the import fails
     */
    public String busybox(String tag, Path scratch) throws IOException {
        return busybox(tag, scratch, Map.of());
    }

    /** A busybox image with {@code files} (absolute path to content) added. */
    public String busybox(String tag, Path scratch, Map<String, String> files) throws IOException {
        Path busybox = BUSYBOX.stream().filter(Files::isExecutable).findFirst()
                .orElseThrow(() -> new IOException("no static busybox here (apt-get install busybox-static)"));
        Path root = Files.createDirectories(scratch.resolve("rootfs"));
        Path bin = Files.createDirectories(root.resolve("bin"));
        Files.copy(busybox, bin.resolve("busybox"));
        CommandResult applets = runner.run(List.of(busybox.toString(), "--list"), Duration.ofSeconds(30));
        if (!applets.ok()) {
            throw new IOException(applets.describe("busybox --list"));
        }
        for (String applet : applets.stdout().lines().map(String::strip).filter(a -> a.matches("[a-z0-9_.\\[-]+")).toList()) {
            if (!applet.equals("busybox") && !Files.exists(bin.resolve(applet))) {
                Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
            }
        }
        Path tmp = Files.createDirectories(root.resolve("tmp"));
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.writeString(Files.createDirectories(root.resolve("etc")).resolve("passwd"), "root:x:0:0:root:/:/bin/sh\n");
        for (Map.Entry<String, String> f : files.entrySet()) {
            Path to = root.resolve(f.getKey().replaceFirst("^/+", ""));
            Files.createDirectories(to.getParent());
            Files.writeString(to, f.getValue());
        }
        return importRootfs(root, tag, scratch.resolve("rootfs.tar"));
    }

    /**
     * Imports an image made of this host's installed Debian packages {@code packages} and
     * everything they depend on (their files at their real paths, with the host's merged-/usr
     * links), plus {@code extra} files (the path in the image to the host file to copy), as
     * {@code tag}. A team's stack without a registry: {@code python3-torch} gives a PyTorch image.
     *
     * @throws IOException when a package is not installed or the import fails
     */
    public String fromPackages(String tag, Path scratch, List<String> packages, Map<String, Path> extra) throws IOException {
        Set<String> files = new TreeSet<>();
        for (String pkg : DebianPackages.closure(runner, packages)) {
            for (String f : DebianPackages.files(runner, pkg)) {
                Path real = DebianPackages.real(Path.of(f));
                if (real != null) {
                    files.add(real.toString().substring(1));
                }
            }
        }
        files.addAll(DebianPackages.alternatives(files));
        files.addAll(List.of("etc/ld.so.cache", "etc/ld.so.conf", "etc/ld.so.conf.d"));
        files.removeIf(f -> !Files.exists(Path.of("/").resolve(f), LinkOption.NOFOLLOW_LINKS));
        List<String> top = new ArrayList<>(List.of("tmp", "etc/passwd")); // added below, so once only
        for (String link : List.of("bin", "sbin", "lib", "lib64", "lib32", "libx32")) {
            if (Files.isSymbolicLink(Path.of("/", link))) {
                top.add(link);
            }
        }
        extra.keySet().forEach(k -> top.add(k.replaceFirst("^/+", "")));
        files.removeAll(top);
        Path list = scratch.resolve("files.txt");
        Files.write(list, files);
        Path tar = scratch.resolve("rootfs.tar");
        CommandResult pack = runner.run(List.of("tar", "-C", "/", "--no-recursion", "-cf", tar.toString(), "-T", list.toString()),
                Duration.ofMinutes(20));
        if (!pack.ok()) {
            throw new IOException(pack.describe("tar"));
        }
        Path dir = Files.createDirectories(scratch.resolve("top"));
        for (String link : List.of("bin", "sbin", "lib", "lib64", "lib32", "libx32")) {
            Path host = Path.of("/", link);
            if (Files.isSymbolicLink(host)) {
                Files.createSymbolicLink(dir.resolve(link), Files.readSymbolicLink(host));
            }
        }
        Files.setPosixFilePermissions(Files.createDirectories(dir.resolve("tmp")), PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.writeString(Files.createDirectories(dir.resolve("etc")).resolve("passwd"), "root:x:0:0:root:/:/bin/sh\n");
        for (Map.Entry<String, Path> e : extra.entrySet()) {
            Path to = dir.resolve(e.getKey().replaceFirst("^/+", ""));
            Files.createDirectories(to.getParent());
            Files.copy(e.getValue(), to);
        }
        List<String> append = new ArrayList<>(List.of("tar", "-C", dir.toString(), "--no-recursion", "-rf", tar.toString()));
        append.addAll(top);
        CommandResult more = runner.run(append, Duration.ofMinutes(5));
        if (!more.ok()) {
            throw new IOException(more.describe("tar"));
        }
        return importTar(tar, tag);
    }

    /**
     * Builds {@code tag} from the local image {@code base} with {@code files} (path in the image to
     * content) added as one more layer, so variants of one stack share its layers. Nothing is pulled.
     */
    public String derive(String base, String tag, Path scratch, Map<String, String> files) throws IOException {
        Path context = Files.createDirectories(scratch.resolve("context"));
        StringBuilder containerfile = new StringBuilder("FROM " + base + "\n");
        int i = 0;
        for (Map.Entry<String, String> f : files.entrySet()) {
            Files.writeString(context.resolve("f" + i), f.getValue());
            containerfile.append("COPY f").append(i++).append(' ').append(f.getKey()).append('\n');
        }
        Files.writeString(context.resolve("Containerfile"), containerfile.toString());
        CommandResult built = runner.run(List.of(podman, "build", "--pull=never", "--network=none", "--quiet", "-t", tag,
                "-f", context.resolve("Containerfile").toString(), context.toString()), Duration.ofMinutes(10));
        if (!built.ok()) {
            throw new IOException(built.describe("podman build"));
        }
        return tag;
    }

    /** Packs {@code root} into {@code tar} and imports it as {@code tag}, with {@code PATH} set; returns the tag. */
    public String importRootfs(Path root, String tag, Path tar) throws IOException {
        CommandResult pack = runner.run(List.of("tar", "-C", root.toString(), "-cf", tar.toString(), "."),
                Duration.ofMinutes(10));
        if (!pack.ok()) {
            throw new IOException(pack.describe("tar"));
        }
        return importTar(tar, tag);
    }

    private String importTar(Path tar, String tag) throws IOException {
        CommandResult imported = runner.run(List.of(podman, "import", "--change",
                "ENV PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", tar.toString(), tag), Duration.ofMinutes(10));
        Files.deleteIfExists(tar);
        if (!imported.ok()) { // podman prints progress first: the cause is at the end
            List<String> lines = imported.stderr().strip().lines().toList();
            throw new IOException("podman import exited with " + imported.exitCode() + ": "
                    + String.join(" / ", lines.subList(Math.max(0, lines.size() - 3), lines.size())));
        }
        return tag;
    }

    /** Removes the image {@code tag}; nothing if there is none. */
    public void remove(String tag) {
        runner.run(List.of(podman, "rmi", "--force", "--ignore", tag), Duration.ofMinutes(1));
    }
}
