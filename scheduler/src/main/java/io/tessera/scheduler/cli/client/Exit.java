package io.tessera.scheduler.cli.client;

/**
 * The client commands' exit codes (docs/cli.md):
 * <ul>
 *   <li>0: done; for {@code submit --watch} and {@code status}, the job succeeded (or is still live)</li>
 *   <li>1: the job failed or was cancelled</li>
 *   <li>2: bad usage or input, refused by the CLI or with a 400 by the scheduler</li>
 *   <li>3: not authenticated (401) or not allowed (403)</li>
 *   <li>4: no such job, node or queue (404)</li>
 *   <li>5: the scheduler could not be reached or answered 5xx</li>
 * </ul>
 */
public final class Exit {
    public static final int OK = 0;
    public static final int JOB_FAILED = 1;
    public static final int USAGE = 2;
    public static final int AUTH = 3;
    public static final int NOT_FOUND = 4;
    public static final int UNAVAILABLE = 5;

    private Exit() {
    }

    /** The exit code for an API failure. */
    public static int of(ApiException e) {
        return switch (e.status()) {
            case 400, 409, 413, 415, 422, 429 -> USAGE;
            case 401, 403 -> AUTH;
            case 404 -> NOT_FOUND;
            default -> UNAVAILABLE;
        };
    }
}
