package io.tessera.scheduler.limits;

/** A limit was reached: answered 429 with {@code Retry-After}. */
public final class TooManyRequests extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final long retryAfterSec;

    public TooManyRequests(String message, long retryAfterSec) {
        super(message, null, false, false);
        this.retryAfterSec = retryAfterSec;
    }

    public long retryAfterSec() {
        return retryAfterSec;
    }
}
