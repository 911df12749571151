package io.tessera.scheduler.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.config.Documents;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The shape of every client command: resolve the scheduler and token, run, and turn failures
 * into a message on stderr and an {@link Exit} code. Output goes to picocli's writers, so tests
 * capture it.
 */
public abstract class ClientCommand implements Callable<Integer> {
    @Mixin
    protected ClientOptions options;

    @Spec
    protected CommandSpec spec;

    /** True for a command that writes the config file, so a config file that does not exist yet is fine. */
    protected boolean createsConfig() {
        return false;
    }

    /** Does the command's work; returns its exit code. */
    protected abstract int run(ApiClient api) throws IOException, InterruptedException;

    @Override
    public final Integer call() throws InterruptedException {
        try {
            return run(options.client(createsConfig()));
        } catch (ClientOptions.BadConfig e) {
            return fail(Exit.USAGE, e.getMessage());
        } catch (ApiException e) {
            if (options.json) { // scripts get the problem itself, on stdout, and the exit code
                out().println(e.problem());
                out().flush();
                return Exit.of(e);
            }
            PrintWriter err = err();
            err.println(name() + ": " + Table.clean(e.getMessage()));
            e.details().forEach(d -> err.println("  " + Table.clean(d)));
            err.flush();
            return Exit.of(e);
        } catch (UsageError e) {
            return fail(Exit.USAGE, e.getMessage());
        } catch (IOException e) {
            return fail(Exit.UNAVAILABLE, "cannot reach the scheduler at " + options.urlForMessages() + ": " + e);
        }
    }

    protected PrintWriter out() {
        return spec.commandLine().getOut();
    }

    protected PrintWriter err() {
        return spec.commandLine().getErr();
    }

    protected int fail(int code, String message) {
        err().println(name() + ": " + message);
        err().flush();
        return code;
    }

    /** Prints a JSON document as the API sent it, indented. */
    protected void printJson(JsonNode doc) throws IOException {
        out().println(Documents.json().writerWithDefaultPrettyPrinter().writeValueAsString(doc));
        out().flush();
    }

    private String name() {
        return "tessera " + spec.name();
    }

    /** A problem with what the user asked, found before any request. */
    public static final class UsageError extends IOException {
        private static final long serialVersionUID = 1L;

        public UsageError(String message) {
            super(message);
        }
    }
}
