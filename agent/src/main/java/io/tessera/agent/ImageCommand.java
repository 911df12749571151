package io.tessera.agent;

import io.tessera.agent.container.LocalImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code image busybox TAG}: builds a small container image on this node, offline, from Debian's
 * {@code busybox-static}, with files added ({@code --file /etc/stack=cann}). For trying container
 * jobs without a registry; the demo builds its images with it.
 */
@Command(name = "image", description = "Build a container image offline from Debian's busybox-static "
        + "(image busybox TAG [--file /path/in/image=content]...)")
public final class ImageCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "the kind of image: busybox")
    String kind;

    @Parameters(index = "1", description = "its tag, e.g. localhost/tessera-demo/stack:cann")
    String tag;

    @Option(names = "--file", description = "a file to add, as /path/in/image=content")
    List<String> files = List.of();

    @Override
    public Integer call() throws IOException {
        if (!kind.equals("busybox")) {
            System.err.println("tessera image: the only kind is busybox");
            return 2;
        }
        if (!Files.isExecutable(Path.of("/usr/bin/podman")) || !LocalImages.busyboxAvailable()) {
            System.err.println("tessera image: needs podman and busybox-static (apt-get install podman busybox-static)");
            return 2;
        }
        Map<String, String> add = new LinkedHashMap<>();
        for (String f : files) {
            int eq = f.indexOf('=');
            if (eq <= 1 || !f.startsWith("/")) {
                System.err.println("tessera image: --file must be /path/in/image=content, got " + f);
                return 2;
            }
            add.put(f.substring(0, eq), f.substring(eq + 1) + "\n");
        }
        Path scratch = Files.createTempDirectory("tessera-image-");
        try {
            System.out.println(new LocalImages("/usr/bin/podman").busybox(tag, scratch, add));
            return 0;
        } finally {
            try (var walk = Files.walk(scratch)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
