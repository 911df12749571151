package io.tessera.scheduler.cli.client;

/** Checks ids typed by users before they go into a URL path. */
final class Ids {
    private Ids() {
    }

    static String check(String id) throws ClientCommand.UsageError {
        if (id == null || !id.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new ClientCommand.UsageError("'" + Table.clean(String.valueOf(id)) + "' is not a job id (job-...)");
        }
        return id;
    }
}
