package io.tessera.scheduler.api;

import java.util.Locale;
import io.tessera.config.ValidationError;
import io.tessera.config.ValidationException;
import io.tessera.scheduler.auth.Principal;
import io.tessera.scheduler.model.JobState;
import io.tessera.scheduler.state.JobHistory;
import io.vertx.core.MultiMap;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * {@code GET /v1/jobs} parameters: {@code limit} (1-1000, default 100), {@code cursor} (from the
 * previous page's {@code nextCursor}), {@code state} (comma-separated), {@code queue} and
 * {@code owner}. A user's query is always of their own jobs; naming another owner is refused.
 * Every bad parameter is a 400 naming it.
 */
final class JobQueryParams {
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;

    private JobQueryParams() {
    }

    static JobHistory.Query parse(MultiMap params, Principal who) {
        List<ValidationError> errors = new ArrayList<>();
        int limit = DEFAULT_LIMIT;
        if (params.get("limit") != null) {
            try {
                limit = Integer.parseInt(params.get("limit"));
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > MAX_LIMIT) {
                errors.add(new ValidationError("limit", "must be a whole number from 1 to " + MAX_LIMIT));
            }
        }
        Long before = null;
        if (params.get("cursor") != null) {
            try {
                before = Long.parseLong(params.get("cursor"), 36);
            } catch (NumberFormatException e) {
                errors.add(new ValidationError("cursor", "is not a cursor this API gave out"));
            }
        }
        Set<JobState> states = EnumSet.noneOf(JobState.class);
        if (params.get("state") != null) {
            for (String s : params.get("state").split(",")) {
                try {
                    states.add(JobState.valueOf(s.strip().toUpperCase(Locale.ROOT)));
                } catch (IllegalArgumentException e) {
                    errors.add(new ValidationError("state", "must be one or more of " + EnumSet.allOf(JobState.class)));
                    break;
                }
            }
        }
        String queue = params.get("queue");
        if (queue != null && !queue.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,62}")) {
            errors.add(new ValidationError("queue", "is not a queue name"));
        }
        String owner = params.get("owner");
        if (!who.isAdmin()) {
            if (owner != null && !owner.equals(who.subject())) {
                errors.add(new ValidationError("owner", "users list their own jobs only"));
            }
            owner = who.subject();
        }
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
        return new JobHistory.Query(owner, states, queue, before, limit);
    }
}
