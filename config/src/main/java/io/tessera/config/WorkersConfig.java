package io.tessera.config;

/**
 * How the fleet's workers are kept apart (docs/security.md).
 *
 * @param jobUids the uid range the scheduler allocates from, one uid per job across the whole fleet, as
 *                {@code FIRST-LAST}, or {@code none} to let each agent pick per node; the agents' own
 *                {@code workerUids} must hold it (default {@code 200000-299999}, the agents' default)
 */
public record WorkersConfig(String jobUids) {
    public static final WorkersConfig DEFAULT = new WorkersConfig(null);

    public WorkersConfig {
        jobUids = jobUids == null ? "200000-299999" : jobUids.strip();
        if (!jobUids.equals("none")) {
            if (!jobUids.matches("\\d{4,10}-\\d{4,10}")) {
                throw new ValidationException("workers.jobUids", "must be FIRST-LAST (uids of 1000 or more) or none, got '"
                        + jobUids + "'");
            }
            long first = Long.parseLong(jobUids.split("-")[0]);
            long last = Long.parseLong(jobUids.split("-")[1]);
            if (first < 1000 || last < first || last > Integer.MAX_VALUE) {
                throw new ValidationException("workers.jobUids", "must be a range of uids from 1000 up, got '" + jobUids + "'");
            }
        }
    }

    /** The first and last uid, or null when agents pick per node. */
    public int[] range() {
        if (jobUids.equals("none")) {
            return null;
        }
        String[] parts = jobUids.split("-");
        return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
    }
}
