package io.tessera.scheduler.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tessera submit FILE [--watch]}: submits a job file (YAML, or JSON for {@code *.json}).
 * {@code ${NAME}} in the file is replaced with the environment variable NAME first (an unset one
 * is an error naming it), unless {@code --no-expand}. Prints the job id; with {@code --watch},
 * follows the job to its end and exits 0 only if it succeeded.
 */
@Command(name = "submit", mixinStandardHelpOptions = true, description = "Submit a job file; --watch follows it to its end.")
public final class SubmitCommand extends ClientCommand {
    private static final Pattern VAR = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");

    @Parameters(index = "0", paramLabel = "FILE", description = "the job spec (YAML or JSON)")
    Path file;

    @Option(names = "--watch", description = "follow the job: progress, events, and its end")
    boolean watch;

    @Option(names = "--no-expand", description = "send the file as it is, without replacing ${NAME}")
    boolean noExpand;

    @Option(names = "--poll-ms", defaultValue = "1000", hidden = true)
    long pollMs;

    Map<String, String> env = System.getenv();

    @Override
    protected int run(ApiClient api) throws IOException, InterruptedException {
        DocumentFile doc = DocumentFile.read(file);
        if (!noExpand) {
            doc = doc.withText(expand(doc.text(), env, file.toString()));
        }
        doc.parse(); // a document that does not parse is named here with its file, before anything is sent
        JsonNode created = api.post("/v1/jobs", doc.text(), doc.mediaType());
        String id = created.path("id").asText();
        if (options.json && !watch) {
            printJson(created);
            return Exit.OK;
        }
        out().println("submitted " + id + " (" + created.path("state").asText() + ")");
        out().flush();
        return watch ? new JobWatcher(api, out(), System.console() != null, pollMs).watch(id) : Exit.OK;
    }

    /** {@code text} with every {@code ${NAME}} replaced from {@code env}; whole-line comments are left as they are. */
    static String expand(String text, Map<String, String> env, String where) throws UsageError {
        String[] lines = text.split("\n", -1);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < lines.length; i++) {
            out.append(i == 0 ? "" : "\n");
            if (lines[i].stripLeading().startsWith("#")) {
                out.append(lines[i]);
                continue;
            }
            Matcher m = VAR.matcher(lines[i]);
            while (m.find()) {
                String value = env.get(m.group(1));
                if (value == null) {
                    throw new UsageError(where + ":" + (i + 1) + ": ${" + m.group(1) + "} is not set in the environment "
                            + "(set it, or pass --no-expand to send the file as it is)");
                }
                m.appendReplacement(out, Matcher.quoteReplacement(value));
            }
            m.appendTail(out);
        }
        return out.toString();
    }
}
