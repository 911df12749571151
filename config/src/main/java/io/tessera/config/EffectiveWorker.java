package io.tessera.config;

import java.util.List;
import java.util.Map;

/**
 * What one shard on a chip of some type runs, with the job's {@link WorkerVariant}s resolved
 * ({@link JobSpec#workerFor}).
 *
 * @param image   the OCI image, or null for a host process
 * @param argv    the command and arguments, through {@code /bin/sh -c} when the job asks for a shell
 * @param env     the job's environment merged with the variant's, secrets included (for agents only)
 * @param variant the variant key that applied (a chip type or a vendor), or null
 */
public record EffectiveWorker(String image, List<String> argv, Map<String, String> env, String variant) {
    public EffectiveWorker {
        argv = List.copyOf(argv);
        env = Map.copyOf(env);
    }
}
