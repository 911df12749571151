package io.tessera.config;

import java.util.List;
import java.util.stream.Collectors;

/** Thrown when a document is invalid; carries every error found, not just the first. */
public final class ValidationException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient List<ValidationError> errors;

    public ValidationException(List<ValidationError> errors) {
        super(errors.stream().map(ValidationError::toString).collect(Collectors.joining("; ")));
        this.errors = List.copyOf(errors);
    }

    public ValidationException(String field, String message) {
        this(List.of(new ValidationError(field, message)));
    }

    public List<ValidationError> errors() {
        return errors;
    }
}
