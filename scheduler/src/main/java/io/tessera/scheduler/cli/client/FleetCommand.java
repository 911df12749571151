package io.tessera.scheduler.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.Locale;
import picocli.CommandLine.Command;

/** {@code tessera fleet}: like sinfo: free, allocated and unhealthy devices by vendor and chip type. */
@Command(name = "fleet", mixinStandardHelpOptions = true, description = "Free, allocated and unhealthy devices by vendor and chip.")
public final class FleetCommand extends ClientCommand {
    @Override
    protected int run(ApiClient api) throws IOException, InterruptedException {
        JsonNode fleet = api.get("/v1/fleet");
        if (options.json) {
            printJson(fleet);
            return Exit.OK;
        }
        Table t = new Table("VENDOR", "CHIP", "NODES", "DEVICES", "FREE", "ALLOCATED", "UNHEALTHY", "BF16 TFLOPS FREE");
        for (JsonNode c : fleet.path("chips")) {
            t.row(c.path("vendor").asText(), c.path("chipType").asText(), c.path("nodes").asInt(), c.path("devices").asInt(),
                    c.path("free").asInt(), c.path("allocated").asInt(), c.path("unhealthy").asInt(),
                    String.format(Locale.ROOT, "%.0f", c.path("freeBf16Tflops").asDouble()));
        }
        JsonNode total = fleet.path("total");
        t.row("total", "", total.path("nodes").asInt(), total.path("devices").asInt(), total.path("free").asInt(),
                total.path("allocated").asInt(), total.path("unhealthy").asInt(),
                String.format(Locale.ROOT, "%.0f", total.path("freeBf16Tflops").asDouble()));
        t.print(out());
        return Exit.OK;
    }
}
