package io.tessera.agent.container;

import io.tessera.agent.detect.CommandResult;
import io.tessera.agent.detect.CommandRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What this host's installed Debian packages are made of, from {@code dpkg-query}: a package's
 * dependency closure (Depends and Pre-Depends, the installed alternative of each) and its files.
 * For {@link LocalImages#fromPackages}.
 */
final class DebianPackages {
    private static final Duration TIMEOUT = Duration.ofMinutes(1);

    private DebianPackages() {
    }

    /** {@code roots} and every installed package they depend on, transitively. */
    static Set<String> closure(CommandRunner runner, List<String> roots) throws IOException {
        Set<String> seen = new LinkedHashSet<>();
        Deque<String> todo = new ArrayDeque<>(roots);
        while (!todo.isEmpty()) {
            String pkg = todo.pop();
            if (!seen.add(pkg)) {
                continue;
            }
            CommandResult r = runner.run(List.of("dpkg-query", "-W", "-f", "${Status}|${Depends},${Pre-Depends}", pkg), TIMEOUT);
            if (!r.ok() || !r.stdout().startsWith("install ok installed")) {
                if (roots.contains(pkg)) {
                    throw new IOException("Debian package " + pkg + " is not installed here (apt-get install " + pkg + ")");
                }
                seen.remove(pkg);
                continue;
            }
            String deps = r.stdout().substring(r.stdout().indexOf('|') + 1);
            for (String clause : deps.split(",")) {
                for (String alt : clause.split("\\|")) {
                    String name = alt.strip().split("[\\s(:]")[0];
                    if (!name.isEmpty() && installed(runner, name)) {
                        todo.push(name);
                        break;
                    }
                }
            }
        }
        return seen;
    }

    private static boolean installed(CommandRunner runner, String pkg) {
        CommandResult r = runner.run(List.of("dpkg-query", "-W", "-f", "${Status}", pkg), TIMEOUT);
        return r.ok() && r.stdout().startsWith("install ok installed");
    }

    /** The paths {@code pkg} installed, as dpkg lists them. */
    static List<String> files(CommandRunner runner, String pkg) throws IOException {
        CommandResult r = runner.run(List.of("dpkg-query", "-L", pkg), TIMEOUT);
        if (!r.ok()) {
            throw new IOException(r.describe("dpkg-query -L " + pkg));
        }
        return r.stdout().lines().filter(l -> l.startsWith("/") && !l.equals("/.")).toList();
    }

    /**
     * Where {@code p} really is: its directory with links resolved (so {@code /lib/x} becomes
     * {@code /usr/lib/x} on a merged-/usr host), the name kept; null when it is gone.
     */
    static Path real(Path p) {
        try {
            Path parent = p.getParent() == null ? p : p.getParent().toRealPath();
            Path at = p.getParent() == null ? p : parent.resolve(p.getFileName());
            return Files.exists(at, LinkOption.NOFOLLOW_LINKS) ? at : null;
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * The links Debian's alternatives system made for files of {@code files} (paths without the
     * leading slash): a link in a library or program directory pointing into {@code /etc/alternatives},
     * and that entry, where the alternative it selects is one of {@code files}. dpkg lists none of
     * them ({@code libblas.so.3} is one such: OpenBLAS behind it).
     */
    static Set<String> alternatives(Set<String> files) {
        Set<String> out = new LinkedHashSet<>();
        List<Path> dirs = new ArrayList<>(List.of(Path.of("/usr/bin"), Path.of("/usr/sbin")));
        try (var libs = Files.list(Path.of("/usr/lib"))) {
            libs.filter(d -> d.getFileName().toString().endsWith("-linux-gnu") && Files.isDirectory(d)).forEach(dirs::add);
        } catch (IOException e) {
            return out;
        }
        for (Path dir : dirs) {
            try (var entries = Files.list(dir)) {
                for (Path link : entries.filter(Files::isSymbolicLink).toList()) {
                    Path to = Files.readSymbolicLink(link);
                    if (!to.startsWith("/etc/alternatives")) {
                        continue;
                    }
                    Path chosen = Files.readSymbolicLink(to);
                    Path real = real(chosen.isAbsolute() ? chosen : to.getParent().resolve(chosen));
                    if (real != null && files.contains(real.toString().substring(1))) {
                        out.add(link.toString().substring(1));
                        out.add(to.toString().substring(1));
                    }
                }
            } catch (IOException e) {
                // a directory or link that went away: nothing to add from it
            }
        }
        return out;
    }
}
