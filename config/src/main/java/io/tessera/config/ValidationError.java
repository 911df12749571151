package io.tessera.config;

/**
 * One problem with an input document.
 *
 * @param field   the field path, e.g. {@code shards.min} or {@code env[2].name}; {@code $} for the whole document
 * @param message what is wrong, phrased for the person who wrote the document
 */
public record ValidationError(String field, String message) {
    @Override
    public String toString() {
        return field + ": " + message;
    }
}
