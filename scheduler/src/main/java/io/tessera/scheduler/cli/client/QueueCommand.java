package io.tessera.scheduler.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tessera queue put FILE | delete NAME} (admins): define or replace a queue from a YAML or
 * JSON file (docs/queues.md: name, weight, cohort, quota in TFLOPS and devices per chip type), or
 * delete one. {@code tessera queues} lists them.
 */
@Command(name = "queue", mixinStandardHelpOptions = true, description = "Create, replace or delete a queue (admins).",
        subcommands = {QueueCommand.Put.class, QueueCommand.Delete.class})
public final class QueueCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
    }

    @Command(name = "put", mixinStandardHelpOptions = true, description = "Create or replace the queue a file defines.")
    public static final class Put extends ClientCommand {
        @Parameters(paramLabel = "FILE", description = "the queue, YAML or JSON (its name: is the queue's)")
        Path file;

        @Override
        protected int run(ApiClient api) throws IOException, InterruptedException {
            DocumentFile queue = DocumentFile.read(file);
            JsonNode doc = queue.parse();
            String name = doc.path("name").asText("");
            if (name.isEmpty()) {
                throw new UsageError(file + ": a queue needs a name:");
            }
            JsonNode q = api.put("/v1/queues/" + Ids.checkNode(name), queue.text(), queue.mediaType());
            out().println(options.json ? q.toString() : "queue " + q.path("name").asText(name) + " defined");
            out().flush();
            return Exit.OK;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a queue.")
    public static final class Delete extends ClientCommand {
        @Parameters(paramLabel = "NAME", description = "the queue")
        String name;

        @Override
        protected int run(ApiClient api) throws IOException, InterruptedException {
            JsonNode r = api.delete("/v1/queues/" + Ids.checkNode(name));
            out().println(options.json ? r.toString() : "queue " + name + " deleted");
            out().flush();
            return Exit.OK;
        }
    }
}
