package io.tessera.scheduler.service;

/** The caller may not do this with a valid request: answered 403, naming {@code field}. */
public final class Forbidden extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String field;

    public Forbidden(String field, String message) {
        super(message, null, false, false);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
