package io.tessera.scheduler.web;

import java.util.concurrent.CompletionStage;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tessera.config.Documents;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Debian's headless Chromium driven over the Chrome DevTools Protocol, for tests: one page,
 * commands by name, and every console message and uncaught exception kept.
 */
final class Cdp implements AutoCloseable {
    private final Process chromium;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    final List<String> console = new CopyOnWriteArrayList<>();

    private Cdp(Process chromium, WebSocket socket) {
        this.chromium = chromium;
        this.socket = socket;
    }

    static Cdp launch(Path chromium, Path profile) throws Exception {
        Process p = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--remote-debugging-port=0", "--remote-allow-origins=*", "--user-data-dir=" + profile,
                "--window-size=1280,1000", "about:blank").redirectErrorStream(true).start();
        String ws = null;
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        for (String line = out.readLine(); line != null; line = out.readLine()) {
            if (line.contains("DevTools listening on ")) {
                ws = line.substring(line.indexOf("ws://"));
                break;
            }
        }
        if (ws == null) {
            p.destroyForcibly();
            throw new IOException("chromium did not open its DevTools port");
        }
        Thread drain = new Thread(() -> out.lines().forEach(l -> { }), "chromium-output");
        drain.setDaemon(true);
        drain.start();
        String http = "http://" + ws.substring("ws://".length(), ws.indexOf("/devtools"));
        HttpClient client = HttpClient.newHttpClient();
        JsonNode pages = Documents.parseJson(client.send(HttpRequest.newBuilder(URI.create(http + "/json/list")).build(),
                HttpResponse.BodyHandlers.ofByteArray()).body());
        String pageWs = null;
        for (JsonNode t : pages) {
            if (t.path("type").asText().equals("page")) {
                pageWs = t.get("webSocketDebuggerUrl").asText();
            }
        }
        Cdp[] self = new Cdp[1];
        WebSocket socket = client.newWebSocketBuilder().buildAsync(URI.create(pageWs), new WebSocket.Listener() {
            private final StringBuilder partial = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                    self[0].received(Documents.parseJson(partial.toString().getBytes(StandardCharsets.UTF_8)));
                    partial.setLength(0);
                }
                w.request(1);
                return null;
            }
        }).get(20, TimeUnit.SECONDS);
        self[0] = new Cdp(p, socket);
        self[0].call("Runtime.enable", Map.of());
        self[0].call("Page.enable", Map.of());
        self[0].call("Log.enable", Map.of());
        return self[0];
    }

    private void received(JsonNode msg) {
        if (msg.has("id")) {
            CompletableFuture<JsonNode> f = pending.remove(msg.get("id").asInt());
            if (f != null) {
                f.complete(msg);
            }
        } else if (msg.path("method").asText().equals("Runtime.consoleAPICalled")) {
            console.add(msg.path("params").path("type").asText() + ": " + msg.path("params").path("args").toString());
        } else if (msg.path("method").asText().equals("Log.entryAdded")
                && msg.path("params").path("entry").path("level").asText().equals("error")
                && !msg.path("params").path("entry").path("source").asText().equals("network")) {
            console.add("log: " + msg.path("params").path("entry").toString()); // a policy violation, say
        } else if (msg.path("method").asText().equals("Runtime.exceptionThrown")) {
            console.add("exception: " + msg.path("params").path("exceptionDetails").toString());
        }
    }

    /** Runs one command; its {@code result}. */
    JsonNode call(String method, Map<String, Object> params) throws Exception {
        int id = ids.incrementAndGet();
        ObjectNode msg = Documents.json().createObjectNode().put("id", id).put("method", method);
        msg.set("params", Documents.json().valueToTree(params));
        CompletableFuture<JsonNode> f = new CompletableFuture<>();
        pending.put(id, f);
        socket.sendText(msg.toString(), true).get(20, TimeUnit.SECONDS);
        JsonNode answer = f.get(30, TimeUnit.SECONDS);
        if (answer.has("error")) {
            throw new IOException(method + ": " + answer.get("error"));
        }
        return answer.get("result");
    }

    /** The value of a JavaScript expression in the page (promises awaited). */
    JsonNode eval(String expression) throws Exception {
        JsonNode r = call("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true, "awaitPromise", true));
        if (r.has("exceptionDetails")) {
            throw new IOException("page script failed: " + r.get("exceptionDetails"));
        }
        return r.path("result").path("value");
    }

    @Override
    public void close() {
        socket.abort();
        chromium.destroyForcibly();
        try {
            chromium.waitFor(Duration.ofSeconds(10).toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
