package io.tessera.config;

/**
 * The audit trail (docs/security.md): how long records are kept and how many refused calls from
 * one address are recorded each minute.
 *
 * @param retentionDays   days an audit record is kept in the database before it is purged (default 365)
 * @param deniedPerMinute refused calls (401, 403) recorded per source address and minute; beyond that
 *                        they are counted, and the count is recorded once the minute is over (default 20)
 */
public record AuditConfig(Integer retentionDays, Integer deniedPerMinute) {
    public static final AuditConfig DEFAULT = new AuditConfig(null, null);

    public AuditConfig {
        retentionDays = retentionDays == null ? 365 : retentionDays;
        deniedPerMinute = deniedPerMinute == null ? 20 : deniedPerMinute;
        if (retentionDays < 1 || retentionDays > 36_500) {
            throw new ValidationException("audit.retentionDays", "must be between 1 and 36500, got " + retentionDays);
        }
        if (deniedPerMinute < 1 || deniedPerMinute > 10_000) {
            throw new ValidationException("audit.deniedPerMinute", "must be between 1 and 10000, got " + deniedPerMinute);
        }
    }

    /** The retention in milliseconds. */
    public long retentionMs() {
        return retentionDays * 86_400_000L;
    }
}
