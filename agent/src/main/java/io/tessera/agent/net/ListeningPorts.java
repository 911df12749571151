package io.tessera.agent.net;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which TCP ports something listens on here, and as which uid: read from {@code /proc/net/tcp}
 * and {@code /proc/net/tcp6} (the kernel's own table; no tool, no privilege needed). Parsing is
 * pure; reading returns what could be read (a missing table, as in an IPv6-less host, is empty).
 */
public final class ListeningPorts {
    private static final String LISTEN = "0A";

    private ListeningPorts() {
    }

    /** Port to the uid of a socket listening on it, over both tables (the first seen wins). */
    public static Map<Integer, Integer> read() {
        Map<Integer, Integer> out = new TreeMap<>();
        for (String table : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
            try {
                parse(Files.readString(Path.of(table))).forEach(out::putIfAbsent);
            } catch (IOException e) {
                // no such table here: nothing listens through it
            }
        }
        return out;
    }

    /** The listening sockets of one table's text: port to uid. */
    public static Map<Integer, Integer> parse(String table) {
        Map<Integer, Integer> out = new TreeMap<>();
        for (String line : table.lines().skip(1).toList()) {
            String[] f = line.strip().split("\\s+");
            if (f.length < 8 || !LISTEN.equals(f[3])) {
                continue;
            }
            String local = f[1];
            int colon = local.lastIndexOf(':');
            try {
                out.putIfAbsent(Integer.parseInt(local.substring(colon + 1), 16), Integer.parseInt(f[7]));
            } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
                // a line not in the kernel's format: skipped
            }
        }
        return out;
    }
}
