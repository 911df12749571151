package io.tessera.agent;

import java.io.IOException;
import java.util.Locale;
import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.config.wire.Heartbeat;
import io.tessera.config.wire.HeartbeatResponse;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Regression: with the heartbeat interval stretched for a large fleet, a heartbeat could go out on
 * a kept-alive connection the scheduler had just closed as idle, and fail with "header parser
 * received no bytes" (174 of them in a 10,000-node run). The client sends it once more on a new
 * connection. A real socket server closes the first connection without answering.
 */
class HeartbeatRetryTest {
    @Test
    void aHeartbeatThatMetAClosedConnectionIsSentOnceMore() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread t = new Thread(() -> serve(server, requests));
            t.setDaemon(true);
            t.start();
            SchedulerClient client = new SchedulerClient("http://127.0.0.1:" + server.getLocalPort());
            client.useCredential("tsa_test");
            HeartbeatResponse answer = client.heartbeat(new Heartbeat("n1", List.of(), List.of()));
            assertThat(answer.heartbeatIntervalMs()).isEqualTo(18000);
            assertThat(answer.heartbeatTimeoutMs()).isEqualTo(47000);
            assertThat(requests.get()).isEqualTo(2);
        }
    }

    /** The first request's connection is closed unanswered; later ones get a heartbeat answer. */
    private static void serve(ServerSocket server, AtomicInteger requests) {
        try {
            while (true) {
                try (Socket s = server.accept()) {
                    BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                    int length = 0;
                    for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                        if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                            length = Integer.parseInt(line.substring(15).strip());
                        }
                    }
                    in.skip(length);
                    if (requests.incrementAndGet() == 1) {
                        continue; // closed without a byte of answer, as an idle-closed keep-alive connection
                    }
                    byte[] body = "{\"node\":\"n1\",\"known\":true,\"heartbeatIntervalMs\":18000,\"heartbeatTimeoutMs\":47000}"
                            .getBytes(StandardCharsets.UTF_8);
                    OutputStream out = s.getOutputStream();
                    out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length
                            + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(body);
                    out.flush();
                }
            }
        } catch (IOException closed) {
            // the test is over
        }
    }
}
