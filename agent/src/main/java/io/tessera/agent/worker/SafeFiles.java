package io.tessera.agent.worker;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.EnumSet;
import java.util.Set;

/**
 * File operations a root agent performs in directories that workers may reach, done so that a
 * planted symbolic link can never redirect them: directories are created with {@code mkdir}
 * (which never follows a final link) and then checked with {@code lstat}; ownership is changed
 * with {@code lchown}; secret files are created exclusively and written through the descriptor
 * that created them. Also the start-up check of the agent's own work directory.
 */
public final class SafeFiles {
    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};

    private SafeFiles() {
    }

    /** The numeric uid of the running process (from /proc/self), or -1 where unknown. */
    public static int myUid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return -1;
        }
    }

    /**
     * Refuses a work directory that someone other than root (or the agent's own user) could
     * tamper with: the directory, and every existing parent, must be owned by root or the agent
     * and writable by no one else. A parent with the sticky bit (like /tmp) is allowed, since no
     * one else can rename or remove an entry the agent owns there. A link on the path must be
     * root's. Missing components are then created 0711.
     *
     * @throws IllegalStateException naming the offending path
     */
    public static void checkWorkDir(Path workDir) throws IOException {
        Path abs = workDir.toAbsolutePath().normalize();
        int me = myUid();
        Path at = abs.getRoot();
        for (Path part : abs) {
            at = at.resolve(part);
            if (!Files.exists(at, NOFOLLOW)) {
                mkdir(at, "rwx--x--x");
                continue;
            }
            PosixFileAttributes attrs = Files.readAttributes(at, PosixFileAttributes.class, NOFOLLOW);
            int owner = (Integer) Files.getAttribute(at, "unix:uid", NOFOLLOW);
            if (owner != 0 && owner != me) {
                throw new IllegalStateException("workDir " + abs + ": " + at + " is owned by uid " + owner
                        + ", not root or the agent; refusing to start (docs/security.md)");
            }
            if (attrs.isSymbolicLink()) {
                continue; // root's own link, e.g. /var/run -> /run; its target's parts are checked as they come
            }
            int mode = (Integer) Files.getAttribute(at, "unix:mode", NOFOLLOW);
            boolean sticky = (mode & 01000) != 0;
            boolean othersWrite = (mode & 0022) != 0;
            if (othersWrite && (!sticky || at.equals(abs))) {
                throw new IllegalStateException("workDir " + abs + ": " + at + " is writable by group or others (mode "
                        + Integer.toOctalString(mode & 07777) + "); refusing to start (docs/security.md)");
            }
        }
    }

    /**
     * Makes {@code dir} a real directory (not a link) with {@code mode}, owned by {@code uid}
     * ({@code -1}: leave the owner). Its parent must be one no worker can write.
     */
    public static void ensureDir(Path dir, String mode, int uid) throws IOException {
        if (!Files.exists(dir, NOFOLLOW)) {
            try {
                mkdir(dir, mode);
            } catch (FileAlreadyExistsException raced) {
                // checked below like any existing entry
            }
        }
        PosixFileAttributes attrs = Files.readAttributes(dir, PosixFileAttributes.class, NOFOLLOW);
        if (!attrs.isDirectory() || attrs.isSymbolicLink()) {
            throw new IOException(dir + " exists and is not a directory (a link or a file); refusing to use it");
        }
        if (uid >= 0 && uidOf(dir) != uid) {
            chown(dir, uid);
        }
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString(mode));
    }

    /** The owner of {@code path} itself (a link is not followed). */
    public static int uidOf(Path path) throws IOException {
        return (Integer) Files.getAttribute(path, "unix:uid", NOFOLLOW);
    }

    /** {@code lchown path uid:uid}. */
    public static void chown(Path path, int uid) throws IOException {
        UserPrincipalLookupService lookup = path.getFileSystem().getUserPrincipalLookupService();
        PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class, NOFOLLOW);
        view.setOwner(lookup.lookupPrincipalByName(Integer.toString(uid)));
        view.setGroup(lookup.lookupPrincipalByGroupName(Integer.toString(uid)));
    }

    /**
     * Writes {@code text} to a new file created exclusively with mode 0600 (an existing entry,
     * a link included, is removed first and never followed), then hands it to {@code uid}.
     */
    public static void writeSecret(Path file, String text, int uid) throws IOException {
        Files.deleteIfExists(file);
        Set<StandardOpenOption> options = EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try (SeekableByteChannel ch = Files.newByteChannel(file, options,
                PosixFilePermissions.asFileAttribute(EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE)))) {
            ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                ch.write(bytes);
            }
        }
        if (uid >= 0) {
            chown(file, uid);
        }
    }

    private static void mkdir(Path dir, String mode) throws IOException {
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(mode)));
    }
}
