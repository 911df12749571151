package io.tessera.scheduler.cli.client;

import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.io.IOException;
import java.io.InputStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tessera logs JOB [--shard N] [--attempt K] [--tail N] [--follow]}: a shard's log through
 * the scheduler (no ssh): the latest attempt unless {@code --attempt}, all of it unless
 * {@code --tail}; {@code --follow} streams new lines until the worker ends.
 */
@Command(name = "logs", mixinStandardHelpOptions = true, description = "Print a shard's log; --follow streams it.")
public final class LogsCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "JOB", description = "the job id")
    String id;

    @Option(names = "--shard", defaultValue = "0", description = "the shard (rank; default ${DEFAULT-VALUE})")
    int shard;

    @Option(names = "--attempt", description = "the attempt (default: the latest)")
    Integer attempt;

    @Option(names = "--tail", description = "only the last N lines")
    Integer tail;

    @Option(names = {"-f", "--follow"}, description = "keep printing new lines until the worker ends")
    boolean follow;

    @Override
    protected int run(ApiClient api) throws IOException, InterruptedException {
        StringBuilder q = new StringBuilder("/v1/jobs/" + Ids.check(id) + "/shards/" + shard + "/log?");
        if (attempt != null) {
            q.append("attempt=").append(attempt).append('&');
        }
        if (tail != null) {
            q.append("tail=").append(tail).append('&');
        }
        q.append("follow=").append(follow);
        try (InputStream in = api.stream(q.toString());
             Reader text = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            char[] buf = new char[8192];
            for (int n = text.read(buf); n >= 0; n = text.read(buf)) {
                out().write(buf, 0, n);
                out().flush();
            }
        }
        return Exit.OK;
    }
}
