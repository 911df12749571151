package io.tessera.scheduler.state;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.tessera.config.Documents;

/** JSON encoding of stored values. Values are kept as JSON strings so every member and the database read them alike. */
public final class Codec {
    private Codec() {
    }

    public static String encode(Object value) {
        try {
            return Documents.json().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + value.getClass().getSimpleName(), e);
        }
    }

    public static <T> T decode(String json, Class<T> type) {
        if (json == null) {
            return null;
        }
        try {
            return Documents.json().readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("corrupt stored " + type.getSimpleName() + ": " + e.getOriginalMessage(), e);
        }
    }
}
