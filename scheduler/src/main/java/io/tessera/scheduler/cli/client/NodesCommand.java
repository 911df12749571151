package io.tessera.scheduler.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine.Command;

/** {@code tessera nodes}: like sinfo -N: each node, its chips and how many devices are free, allocated and unhealthy. */
@Command(name = "nodes", mixinStandardHelpOptions = true, description = "List nodes and their devices' states.")
public final class NodesCommand extends ClientCommand {
    @Override
    protected int run(ApiClient api) throws IOException, InterruptedException {
        JsonNode nodes = api.get("/v1/nodes");
        if (options.json) {
            printJson(nodes);
            return Exit.OK;
        }
        Table t = new Table("NODE", "STATE", "CHIPS", "FREE", "ALLOCATED", "UNHEALTHY", "DRAINED", "HEARTBEAT", "CONTAINERS");
        for (JsonNode n : nodes.path("nodes")) {
            Set<String> chips = new TreeSet<>();
            n.path("devices").forEach(d -> chips.add(d.path("chipType").asText()));
            JsonNode c = n.path("deviceCounts");
            t.row(n.path("name").asText(), n.path("state").asText(), String.join(",", chips), c.path("free").asInt(),
                    c.path("allocated").asInt(), c.path("unhealthy").asInt(), n.path("drained").asBoolean() ? "yes" : "no",
                    n.path("heartbeatAgeMs").asLong() / 1000 + "s ago", n.has("containers")
                            ? n.path("containers").path("runtime").asText() + " " + n.path("containers").path("version").asText("")
                            : "-");
        }
        if (t.isEmpty()) {
            out().println("no nodes have registered");
            out().flush();
            return Exit.OK;
        }
        t.print(out());
        return Exit.OK;
    }
}
