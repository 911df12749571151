package io.tessera.scheduler.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import picocli.CommandLine.Command;

/** {@code tessera cluster} (admins): the scheduler members, oldest first, and which one leads, with its fencing epoch. */
@Command(name = "cluster", mixinStandardHelpOptions = true,
        description = "List the scheduler members and which one leads the scheduling loop (admins).")
public final class ClusterCommand extends ClientCommand {
    @Override
    protected int run(ApiClient api) throws IOException, InterruptedException {
        JsonNode c = api.get("/v1/cluster");
        if (options.json) {
            printJson(c);
            return Exit.OK;
        }
        Table t = new Table("MEMBER", "ADDRESS", "ROLE");
        for (JsonNode m : c.path("members")) {
            t.row(m.path("id").asText(), m.path("address").asText(),
                    (m.path("leads").asBoolean() ? "leader (epoch " + c.path("epoch").asLong() + ")" : "standby")
                            + (m.path("self").asBoolean() ? ", answered" : ""));
        }
        t.print(out());
        if (c.path("leader").isMissingNode() || c.path("leader").isNull()) {
            out().println("no member leads right now: the oldest claims the loop at its next pass");
        }
        out().flush();
        return Exit.OK;
    }
}
