package io.tessera.agent.container;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/** Whether real Podman can run here: required under CI ({@code TESSERA_REQUIRE_PODMAN=1}), else the test is skipped. */
public final class PodmanAvailable {
    private PodmanAvailable() {
    }

    /** Skips the calling test where Podman or busybox is missing, unless CI requires them (then it fails). */
    public static void assume() {
        boolean here = Files.isExecutable(Path.of("/usr/bin/podman")) && LocalImages.busyboxAvailable()
                && "root".equals(System.getProperty("user.name"));
        if ("1".equals(System.getenv("TESSERA_REQUIRE_PODMAN"))) {
            if (!here) {
                throw new AssertionError("TESSERA_REQUIRE_PODMAN=1 but podman, busybox-static or root is missing");
            }
            return;
        }
        Assumptions.assumeTrue(here, "needs root, podman and busybox-static (CI installs them)");
    }
}
