package io.tessera.config;

import java.util.ArrayList;
import java.util.List;

/**
 * One spelling per absolute path, lexically: repeated slashes collapse, {@code .} segments and a
 * trailing slash go ({@code /data//a/./b/} is {@code /data/a/b}). Ownership of paths (checkpoint
 * directories) is decided on this form, so a second spelling cannot pass for another path. It does
 * not resolve symbolic links: the agent does that on the node, where they are. Pure.
 */
public final class CanonicalPath {
    private CanonicalPath() {
    }

    /** {@code path} in its one spelling; null stays null, and a relative path is left as it is. */
    public static String of(String path) {
        if (path == null || !path.startsWith("/")) {
            return path;
        }
        List<String> parts = new ArrayList<>();
        for (String p : path.split("/")) {
            if (!p.isEmpty() && !p.equals(".")) {
                parts.add(p);
            }
        }
        return "/" + String.join("/", parts);
    }
}
