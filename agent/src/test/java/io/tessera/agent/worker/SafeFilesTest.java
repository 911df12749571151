package io.tessera.agent.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The root agent's file handling against a local user who plants things first: a work
 * directory someone else owns or can write, a link where a directory should be, a link where
 * a secret file will be written.
 */
class SafeFilesTest {
    private static final int NOBODY = 65534;
    @TempDir
    Path dir;

    private static void root() {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "planting as another user needs root (CI is root)");
    }

    @Test
    void aWorkDirPlantedByAnotherUserIsRefusedAndNothingIsChowned() throws Exception {
        root();
        Path victim = Files.writeString(dir.resolve("victim"), "root's file");
        Path planted = Files.createDirectory(dir.resolve("tessera-agent-node1"));
        Files.createSymbolicLink(planted.resolve("jobs"), victim);
        SafeFiles.chown(planted, NOBODY);
        assertThatThrownBy(() -> SafeFiles.checkWorkDir(planted)).hasMessageContaining("is owned by uid " + NOBODY);
        assertThat(SafeFiles.uidOf(victim)).isZero();
    }

    @Test
    void aWorkDirThatIsALinkOwnedByAnotherUserIsRefused() throws Exception {
        root();
        Path real = Files.createDirectory(dir.resolve("real"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), real);
        SafeFiles.chown(link, NOBODY);
        assertThatThrownBy(() -> SafeFiles.checkWorkDir(link.resolve("node"))).hasMessageContaining("owned by uid " + NOBODY);
    }

    @Test
    void aWorkDirOrParentWritableByOthersIsRefusedButAStickyParentIsAllowed() throws Exception {
        Path open = Files.createDirectory(dir.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThatThrownBy(() -> SafeFiles.checkWorkDir(open.resolve("agent"))).hasMessageContaining("writable by group or others");
        assertThatThrownBy(() -> SafeFiles.checkWorkDir(open)).hasMessageContaining("writable by group or others");
        Path sticky = Files.createDirectory(dir.resolve("sticky"));
        Files.setAttribute(sticky, "unix:mode", 01777);
        SafeFiles.checkWorkDir(sticky.resolve("agent"));
        assertThat(Integer.toOctalString((Integer) Files.getAttribute(sticky.resolve("agent"), "unix:mode") & 0777)).isEqualTo("711");
    }

    @Test
    void ensureDirRefusesALinkAndDoesNotChangeItsTarget() throws Exception {
        root();
        Path target = Files.createDirectory(dir.resolve("etc-like"));
        Path shard = Files.createSymbolicLink(dir.resolve("shard-0"), target);
        assertThatThrownBy(() -> SafeFiles.ensureDir(shard, "rwx------", 200123)).hasMessageContaining("not a directory");
        assertThat(SafeFiles.uidOf(target)).isZero();
    }

    @Test
    void aSecretIsNeverWrittenThroughAPlantedLink() throws Exception {
        Path target = Files.writeString(dir.resolve("target"), "untouched");
        Path secret = Files.createSymbolicLink(dir.resolve("launch.env"), target);
        SafeFiles.writeSecret(secret, "export TOKEN='x'\n", -1);
        assertThat(Files.readString(target)).isEqualTo("untouched");
        assertThat(Files.isSymbolicLink(secret)).isFalse();
        assertThat(Files.readString(secret)).contains("TOKEN");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secret))).isEqualTo("rw-------");
    }
}
