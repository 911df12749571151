package io.tessera.agent.detect;

import java.time.Duration;
import java.util.List;

/**
 * Runs a vendor tool and captures what it printed. Injected into detectors so tests can put a
 * fake tool first on the search path, or stand in for the tool entirely.
 */
@FunctionalInterface
public interface CommandRunner {
    /** Runs {@code argv} with a timeout; never throws for a failing, hanging or missing tool. */
    CommandResult run(List<String> argv, Duration timeout);
}
