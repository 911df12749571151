package io.tessera.agent.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an unprivileged worker can reach, read from the modes on the way as the kernel decides:
 * the owner's, group's or others' bits, every directory searched, links resolved first.
 */
class PathReachTest {
    /** Someone who owns none of the test's files and is in none of their groups. */
    private static final PathReach.Who STRANGER = new PathReach.Who(54321, 54321, "tessera-54321");
    @TempDir
    Path dir;

    @BeforeEach
    void reachableRoot() throws Exception {
        mode(dir, "rwx--x--x");
    }

    private static Path mode(Path p, String mode) throws Exception {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode));
        return p;
    }

    @Test
    void aDirectoryOnlyItsOwnerMaySearchBlocksEveryoneBelowIt() throws Exception {
        Path clone = mode(Files.createDirectory(dir.resolve("clone")), "rwx------");
        Path work = Files.createDirectories(clone.resolve(".tessera/demo"));

        var blocked = PathReach.traverse(work, STRANGER);

        assertThat(blocked).get().extracting(PathReach.Blocked::at).isEqualTo(clone.toRealPath());
        assertThat(blocked.get().describe()).contains(clone.toRealPath().toString()).contains("mode 0700")
                .contains("chmod o+x " + clone.toRealPath()).contains("search (x)");
    }

    @Test
    void searchOnlyDirectoriesAreEnoughToPass() throws Exception {
        Path a = mode(Files.createDirectory(dir.resolve("a")), "rwx--x--x");
        Path b = mode(Files.createDirectory(a.resolve("b")), "rwx--x--x");

        assertThat(PathReach.traverse(b, STRANGER)).isEmpty();
    }

    @Test
    void aFileNeedsReadAndAProgramNeedsExecute() throws Exception {
        Path script = Files.writeString(dir.resolve("train.py"), "print(1)\n");
        mode(script, "rw-------");
        assertThat(PathReach.read(script, STRANGER)).get().extracting(PathReach.Blocked::need).isEqualTo("read (r)");
        mode(script, "rw-r--r--");
        assertThat(PathReach.read(script, STRANGER)).isEmpty();

        Path program = Files.writeString(dir.resolve("trainer"), "#!/bin/sh\n");
        mode(program, "rwx--x--x");
        assertThat(PathReach.execute(program, STRANGER)).as("a binary needs x, not r").isEmpty();
        mode(program, "rwxr--r--");
        assertThat(PathReach.execute(program, STRANGER)).get().extracting(PathReach.Blocked::need).isEqualTo("execute (x)");
    }

    @Test
    void theOwnersBitsApplyToTheOwnerAndTheGroupsToTheGroup() throws Exception {
        Path mine = mode(Files.createDirectory(dir.resolve("mine")), "rwx------");
        int uid = (Integer) Files.getAttribute(mine, "unix:uid");
        int gid = (Integer) Files.getAttribute(mine, "unix:gid");
        Path inside = Files.createDirectory(mine.resolve("in"));
        assertThat(PathReach.traverse(inside, new PathReach.Who(uid == 0 ? 54320 : uid, -1, "owner")))
                .as("only the owner (or root) passes a 0700 directory").matches(b -> uid == 0 ? b.isPresent() : b.isEmpty());

        mode(mine, "rwx--x---");
        assertThat(PathReach.traverse(inside, new PathReach.Who(54322, gid, "group member"))).isEmpty();
        assertThat(PathReach.traverse(inside, STRANGER)).isPresent();
    }

    @Test
    void aLinkIsFollowedToWhereTheKernelWouldWalk() throws Exception {
        Path hidden = mode(Files.createDirectory(dir.resolve("hidden")), "rwx------");
        Path target = Files.writeString(hidden.resolve("worker.py"), "x");
        mode(target, "rw-r--r--");
        Path open = mode(Files.createDirectory(dir.resolve("open")), "rwxr-xr-x");
        Path link = Files.createSymbolicLink(open.resolve("worker.py"), target);

        assertThat(PathReach.read(link, STRANGER)).get().extracting(PathReach.Blocked::at).isEqualTo(hidden.toRealPath());
    }

    @Test
    void rootReachesEverythingAndAMissingPathBlocksNothing() throws Exception {
        Path locked = mode(Files.createDirectory(dir.resolve("locked")), "---------");
        assertThat(PathReach.traverse(locked, new PathReach.Who(0, 0, "root"))).isEmpty();
        assertThat(PathReach.read(dir.resolve("nothing/here"), STRANGER)).isEmpty();
    }
}
