package io.tessera.agent.detect;

/**
 * What a tool run produced.
 *
 * @param exitCode the exit status; -1 when it did not run or was killed
 * @param stdout   everything printed on stdout
 * @param stderr   everything printed on stderr
 * @param failure  why it did not produce a result (missing, timed out), or null when it ran to completion
 */
public record CommandResult(int exitCode, String stdout, String stderr, String failure) {
    public boolean ok() {
        return failure == null && exitCode == 0;
    }

    /** One line for logs and problems. */
    public String describe(String tool) {
        if (failure != null) {
            return tool + " " + failure;
        }
        String detail = (stderr.isBlank() ? stdout : stderr).strip();
        return tool + " exited with " + exitCode + (detail.isEmpty() ? "" : ": " + detail.lines().findFirst().orElse(""));
    }
}
