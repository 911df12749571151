package io.tessera.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * What the shards of one vendor or chip type run instead of the job's defaults ({@code variants}
 * in a job spec): each field set replaces the job's ({@code env} is merged over the job's); a null
 * field keeps the job's. Validated by {@link ContainerSpecParser}.
 *
 * @param image   the OCI image these shards run in
 * @param command the executable and its fixed arguments
 * @param args    further arguments
 * @param env     variables added to, or replacing, the job's {@code env}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record WorkerVariant(String image, List<String> command, List<String> args, Map<String, String> env) {
    /** A variant that changes nothing. */
    public static final WorkerVariant NONE = new WorkerVariant(null, null, null, null);

    public WorkerVariant {
        command = command == null ? null : List.copyOf(command);
        args = args == null ? null : List.copyOf(args);
        env = env == null ? null : Map.copyOf(env);
    }
}
