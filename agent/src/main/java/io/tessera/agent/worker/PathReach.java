package io.tessera.agent.worker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Whether an unprivileged user (one uid, one gid, no supplementary groups: how a worker runs)
 * can reach a path, read from the file modes the way the kernel decides: every directory from
 * the root down must grant that user search ({@code x}) by its owner, group or other bits, and the
 * file itself the access asked for. Links are resolved first, so the directories checked are the
 * ones the kernel walks. Root reaches everything. Reads attributes only; changes nothing.
 *
 * <p>A root agent runs each job under a uid of its own, so a directory that only root may pass
 * (a clone under {@code mktemp -d}, or root's 0700 home) makes every file below it unreachable to
 * workers; this names that directory and the fix, instead of a worker failing on "Permission denied".
 */
public final class PathReach {
    /** The permission asked for, and its bit among {@code rwx}. */
    enum Need {
        SEARCH(1, "search (x)"), READ(4, "read (r)"), EXECUTE(1, "execute (x)");

        final int bit;
        final String words;

        Need(int bit, String words) {
            this.bit = bit;
            this.words = words;
        }
    }

    private PathReach() {
    }

    /** Who is asking: a worker's uid and its only group. */
    public record Who(int uid, int gid, String name) {
    }

    /**
     * The entry that stops {@code who}: its path, its mode and owner, and the permission that is missing.
     *
     * @param need {@code "search (x)"} for a directory on the way, {@code "read (r)"} for the file itself
     */
    public record Blocked(Path at, int mode, int owner, String need) {
        /** One clause naming the entry, its mode and owner, and the fix. */
        public String describe() {
            String bit = need.startsWith("read") ? "o+r" : "o+x";
            return at + " (mode " + String.format("%04o", mode & 07777) + ", owner uid " + owner + ") does not let them "
                    + need + "; fix: chmod " + bit + " " + at + ", or use a location every user can " + need;
        }
    }

    /** The first directory, from the root down to {@code dir} itself, that {@code who} cannot search; empty when none. */
    public static Optional<Blocked> traverse(Path dir, Who who) throws IOException {
        return walk(dir.toAbsolutePath(), who, Need.SEARCH);
    }

    /** What stops {@code who} from reading {@code file}: a directory on the way, or the file's own mode; empty when nothing. */
    public static Optional<Blocked> read(Path file, Who who) throws IOException {
        return walk(file.toAbsolutePath(), who, Need.READ);
    }

    /** What stops {@code who} from executing {@code file} (a program: search on the way, x on the file); empty when nothing. */
    public static Optional<Blocked> execute(Path file, Who who) throws IOException {
        return walk(file.toAbsolutePath(), who, Need.EXECUTE);
    }

    private static Optional<Blocked> walk(Path path, Who who, Need last) throws IOException {
        if (who.uid() == 0) {
            return Optional.empty();
        }
        Path real;
        try {
            real = path.toRealPath();
        } catch (NoSuchFileException e) {
            return Optional.empty(); // nothing there to be blocked from; whoever uses it reports that
        }
        Path at = real.getRoot();
        Optional<Blocked> blocked = check(at, who, Need.SEARCH);
        for (int i = 0; i < real.getNameCount() && blocked.isEmpty(); i++) {
            at = at.resolve(real.getName(i));
            blocked = check(at, who, i == real.getNameCount() - 1 ? last : Need.SEARCH);
        }
        return blocked;
    }

    private static Optional<Blocked> check(Path at, Who who, Need need) throws IOException {
        int mode = (Integer) Files.getAttribute(at, "unix:mode");
        int owner = (Integer) Files.getAttribute(at, "unix:uid");
        int group = (Integer) Files.getAttribute(at, "unix:gid");
        int granted = owner == who.uid() ? mode >> 6 : group == who.gid() ? mode >> 3 : mode;
        return (granted & need.bit) != 0 ? Optional.empty() : Optional.of(new Blocked(at, mode, owner, need.words));
    }
}
