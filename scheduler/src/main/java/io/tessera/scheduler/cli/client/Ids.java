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

    /** A node, queue or token name as typed, checked before it goes into a URL path. */
    static String checkNode(String name) throws ClientCommand.UsageError {
        if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,252}")) {
            throw new ClientCommand.UsageError("'" + Table.clean(String.valueOf(name)) + "' is not a valid name");
        }
        return name;
    }
}
