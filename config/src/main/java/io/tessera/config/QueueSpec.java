package io.tessera.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A queue, as an admin defines it in the scheduler config ({@code queues:}) or through
 * {@code PUT /v1/queues/NAME}. Every field but the name has a default; an invalid value is a
 * {@link ValidationException} naming the field.
 *
 * @param name            the queue's name, as jobs name it
 * @param weight          its weight in fair share (default 1)
 * @param quota           what its running jobs may hold without borrowing (default: no limit)
 * @param borrowingLimit  how many normalized TFLOPS beyond its own quota it may borrow from the
 *                        unused quota of its cohort (default: as much as is unused; 0: none)
 * @param cohort          the group of queues that lend each other unused quota (default: none)
 * @param users           who may submit (empty, with no groups: everyone)
 * @param groups          groups whose members may submit
 * @param defaultPriority the priority of a job that names none (default 0)
 * @param maxPriority     the highest priority a user's job may ask for (default 100; admins may ask up to 1000)
 * @param maxVendorShare  the vendor cap for its jobs that set none (default: the scheduler's)
 * @param preemptionGraceMs how long its jobs' workers get to checkpoint after SIGTERM when they are
 *                        preempted, before SIGKILL (default 30 s)
 * @param maxNonPreemptible how many of its live jobs may ask never to be preempted (default 0)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record QueueSpec(String name, Double weight, Quota quota, Double borrowingLimit, String cohort,
                        List<String> users, List<String> groups, Integer defaultPriority, Integer maxPriority,
                        Double maxVendorShare, Long preemptionGraceMs, Integer maxNonPreemptible) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    /** The queue jobs land in when they name none; it exists unless an admin defines it otherwise. */
    public static final String DEFAULT = "default";
    /** A queue's maxPriority unless an admin sets one: well below the 1000 only admins may use. */
    public static final int DEFAULT_MAX_PRIORITY = 100;

    /**
     * What a queue's running jobs may hold.
     *
     * @param tflops  normalized compute: BF16-equivalent dense TFLOPS at each shard's precision, times
     *                the chip's efficiency (null: no limit)
     * @param devices devices by vendor or by chip type id (absent: no limit on that one)
     */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Quota(Double tflops, Map<String, Integer> devices) {
        public static final Quota NONE = new Quota(null, Map.of());

        public Quota {
            if (tflops != null && (!(tflops >= 0) || tflops.isInfinite())) {
                throw new ValidationException("quota.tflops", "must be a number of TFLOPS, 0 or more, got " + tflops);
            }
            devices = devices == null ? Map.of() : new TreeMap<>(devices);
            devices.forEach((key, n) -> {
                if (n == null || n < 0) {
                    throw new ValidationException("quota.devices." + key, "must be a count of devices, 0 or more");
                }
            });
            devices = Map.copyOf(devices);
        }
    }

    public QueueSpec {
        List<ValidationError> errors = new ArrayList<>();
        if (name == null || !NAME.matcher(name).matches()) {
            errors.add(new ValidationError("name", "must be 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit"));
        }
        weight = weight == null ? 1.0 : weight;
        if (!(weight > 0) || weight > 1e6) {
            errors.add(new ValidationError("weight", "must be above 0 and at most 1e6, got " + weight));
        }
        quota = quota == null ? Quota.NONE : quota;
        if (borrowingLimit != null && (!(borrowingLimit >= 0) || borrowingLimit.isInfinite())) {
            errors.add(new ValidationError("borrowingLimit", "must be a number of TFLOPS, 0 or more, got " + borrowingLimit));
        }
        if (cohort != null && !NAME.matcher(cohort).matches()) {
            errors.add(new ValidationError("cohort", "must be a name like a queue's"));
        }
        users = users == null ? List.of() : List.copyOf(users);
        groups = groups == null ? List.of() : List.copyOf(groups);
        defaultPriority = defaultPriority == null ? 0 : defaultPriority;
        maxPriority = maxPriority == null ? DEFAULT_MAX_PRIORITY : maxPriority;
        if (maxPriority < -1000 || maxPriority > 1000) {
            errors.add(new ValidationError("maxPriority", "must be between -1000 and 1000, got " + maxPriority));
        }
        if (defaultPriority < -1000 || defaultPriority > maxPriority) {
            errors.add(new ValidationError("defaultPriority", "must be between -1000 and maxPriority (" + maxPriority
                    + "), got " + defaultPriority));
        }
        if (maxVendorShare != null && !(maxVendorShare > 0 && maxVendorShare <= 1)) {
            errors.add(new ValidationError("maxVendorShare", "must be in (0, 1], got " + maxVendorShare));
        }
        preemptionGraceMs = preemptionGraceMs == null ? 30_000L : preemptionGraceMs;
        if (preemptionGraceMs < 0 || preemptionGraceMs > 3_600_000) {
            errors.add(new ValidationError("preemptionGraceMs", "must be between 0 and 3600000, got " + preemptionGraceMs));
        }
        maxNonPreemptible = maxNonPreemptible == null ? 0 : maxNonPreemptible;
        if (maxNonPreemptible < 0) {
            errors.add(new ValidationError("maxNonPreemptible", "must be 0 or more, got " + maxNonPreemptible));
        }
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
    }

    /** The queue that exists when none is defined: weight 1, no quota, open to everyone. */
    public static QueueSpec open(String name) {
        return new QueueSpec(name, null, null, null, null, null, null, null, null, null, null, null);
    }

    /** Whether {@code user}, a member of {@code userGroups}, may submit here. */
    public boolean admits(String user, Set<String> userGroups) {
        if (users.isEmpty() && groups.isEmpty()) {
            return true;
        }
        return users.contains(user) || groups.stream().anyMatch(userGroups::contains);
    }
}
