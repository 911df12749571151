package io.tessera.scheduler.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * The ports of one demo: its API on 8080 unless told otherwise (or a free one when 8080 is taken),
 * and its agents' metrics endpoints on the three ports after the API's (9401-9403 beside 8080, as
 * docs/metrics.md and the Grafana examples expect), each replaced by a free one when taken, so a
 * second demo on the same host never collides with the first.
 */
final class DemoPorts {
    static final int API = 8080;
    private static final int METRICS_BESIDE_DEFAULT_API = 9401;

    private DemoPorts() {
    }

    /** {@code preferred} when it can be bound on the loopback now (0: none preferred), else a free port. */
    static int preferredOrFree(int preferred) {
        if (preferred > 0 && bindable(preferred)) {
            return preferred;
        }
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port on 127.0.0.1: " + e.getMessage(), e);
        }
    }

    /** The metrics ports of {@code n} agents beside an API on {@code apiPort}. */
    static List<Integer> agentMetrics(int apiPort, int n) {
        int first = apiPort == API ? METRICS_BESIDE_DEFAULT_API : apiPort > 0 && apiPort + n <= 65535 ? apiPort + 1 : 0;
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int port = preferredOrFree(first == 0 ? 0 : first + i);
            while (ports.contains(port)) {
                port = preferredOrFree(0);
            }
            ports.add(port);
        }
        return ports;
    }

    private static boolean bindable(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
