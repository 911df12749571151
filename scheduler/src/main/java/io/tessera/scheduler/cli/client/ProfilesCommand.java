package io.tessera.scheduler.cli.client;

import java.nio.charset.StandardCharsets;
import java.net.URLEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tessera profiles}: what each job class was measured at, per chip type and precision, as
 * the next placement of that class will assume (admins); {@code --reset KEY} forgets one.
 */
@Command(name = "profiles", mixinStandardHelpOptions = true,
        description = "List learned throughput per job class and chip type (admins); --reset KEY forgets one.")
public final class ProfilesCommand extends ClientCommand {
    @Option(names = "--reset", paramLabel = "KEY", description = "forget what this job class learned")
    String reset;

    @Override
    protected int run(ApiClient api) throws IOException, InterruptedException {
        if (reset != null) {
            JsonNode done = api.delete("/v1/profiles/" + URLEncoder.encode(reset, StandardCharsets.UTF_8));
            if (options.json) {
                printJson(done);
            } else {
                out().println(Table.clean("forgot what " + reset + " learned; its next job is placed on the catalog's estimates"));
            }
            return Exit.OK;
        }
        JsonNode profiles = api.get("/v1/profiles");
        if (options.json) {
            printJson(profiles);
            return Exit.OK;
        }
        Table t = new Table("CLASS", "CHIP", "PRECISION", "SPEED VS CATALOG", "EFFICIENCY", "OBSERVATIONS", "UPDATED");
        for (JsonNode p : profiles.path("profiles")) {
            for (JsonNode e : p.path("estimates")) {
                t.row(p.path("key").asText(), e.path("chipType").asText(), e.path("precision").asText(),
                        String.format(Locale.ROOT, "%.3f", e.path("factor").asDouble()),
                        String.format(Locale.ROOT, "%.3f", e.path("efficiency").asDouble()), e.path("observations").asLong(),
                        e.path("updatedAt").asText());
            }
        }
        t.print(out());
        return Exit.OK;
    }
}
