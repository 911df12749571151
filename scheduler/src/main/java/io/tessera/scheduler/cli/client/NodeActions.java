package io.tessera.scheduler.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The operator's actions on nodes (admins): {@code tessera drain|undrain|accept NODE...} and
 * {@code tessera revoke|readmit NODE...}. Each node is acted on in turn; the exit code is the worst
 * of them (4 if one is unknown).
 */
public final class NodeActions {
    private NodeActions() {
    }

    /** One action, POSTed (or DELETEd) per node; prints what became of each. */
    abstract static class Action extends ClientCommand {
        @Parameters(arity = "1..*", paramLabel = "NODE", description = "node names")
        List<String> nodes;

        abstract JsonNode act(ApiClient api, String node) throws IOException, InterruptedException;

        abstract String done(JsonNode answer);

        @Override
        protected int run(ApiClient api) throws IOException, InterruptedException {
            int worst = Exit.OK;
            for (String node : nodes) {
                try {
                    JsonNode answer = act(api, Ids.checkNode(node));
                    out().println(options.json ? answer.toString() : node + ": " + done(answer));
                } catch (ApiException e) {
                    err().println("tessera " + spec.name() + ": " + node + ": " + Table.clean(e.getMessage()));
                    worst = Math.max(worst, Exit.of(e));
                }
            }
            out().flush();
            err().flush();
            return worst;
        }
    }

    @Command(name = "drain", mixinStandardHelpOptions = true,
            description = "Drain nodes (admins): no new work lands there; running jobs finish, or with --evacuate "
                    + "checkpoint and move elsewhere (docs/operations.md).")
    public static final class Drain extends Action {
        @Option(names = "--evacuate", description = "also ask the jobs running there to checkpoint "
                + "within their queue's preemption grace and move to other nodes, spending no restart")
        boolean evacuate;

        @Override
        JsonNode act(ApiClient api, String node) throws IOException, InterruptedException {
            return api.post("/v1/nodes/" + node + "/drain" + (evacuate ? "?evacuate=true" : ""), "", "application/json");
        }

        @Override
        String done(JsonNode n) {
            return "drained (" + n.path("deviceCounts").path("allocated").asInt() + " devices still allocated"
                    + (evacuate ? ", their jobs checkpointing and moving" : "") + ")";
        }
    }

    @Command(name = "undrain", mixinStandardHelpOptions = true, description = "Undrain nodes (admins): they take work again.")
    public static final class Undrain extends Action {
        @Override
        JsonNode act(ApiClient api, String node) throws IOException, InterruptedException {
            return api.post("/v1/nodes/" + node + "/undrain", "", "application/json");
        }

        @Override
        String done(JsonNode n) {
            return "undrained (" + n.path("deviceCounts").path("free").asInt() + " devices free)";
        }
    }

    @Command(name = "accept", mixinStandardHelpOptions = true,
            description = "Accept nodes' grown inventories (admins): devices beyond what was accepted take work.")
    public static final class Accept extends Action {
        @Override
        JsonNode act(ApiClient api, String node) throws IOException, InterruptedException {
            return api.post("/v1/nodes/" + node + "/accept", "", "application/json");
        }

        @Override
        String done(JsonNode n) {
            return "accepted " + n.path("devices").size() + " devices";
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = "Revoke nodes' agent credentials (admins): they are refused until readmitted (docs/security.md).")
    public static final class Revoke extends Action {
        @Override
        JsonNode act(ApiClient api, String node) throws IOException, InterruptedException {
            return api.delete("/v1/agents/" + node + "/credential");
        }

        @Override
        String done(JsonNode a) {
            return a.path("wasEnrolled").asBoolean() ? "credential revoked" : "revoked (it had not enrolled)";
        }
    }

    @Command(name = "readmit", mixinStandardHelpOptions = true,
            description = "Readmit revoked or re-imaged nodes (admins): each gets one join token that enrolls it once.")
    public static final class Readmit extends Action {
        @Override
        JsonNode act(ApiClient api, String node) throws IOException, InterruptedException {
            return api.post("/v1/agents/" + node + "/readmit", "", "application/json");
        }

        @Override
        String done(JsonNode a) {
            return "readmitted: only this join token enrolls it, once, until " + a.path("expiresAt").asText()
                    + " (put it in the agent's joinTokenFile; it is not shown again):\n" + a.path("joinToken").asText();
        }
    }
}
