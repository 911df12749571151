package io.tessera.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Loads a typed configuration record from a YAML file. Unknown keys are errors (they are
 * almost always typos), and so is any value of the wrong type; both name the key.
 */
public final class ConfigLoader {
    private static final ObjectMapper STRICT = Documents.json().copy()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
            .configure(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY, true);

    private ConfigLoader() {
    }

    /** Loads {@code file} as {@code type}, or the type's defaults (an empty document) when the file is absent. */
    public static <T> T load(Optional<Path> file, Class<T> type) {
        JsonNode doc = file.map(Documents::readFile).orElse(STRICT.createObjectNode());
        return bind(doc, type);
    }

    /** Binds an already-parsed tree. */
    public static <T> T bind(JsonNode doc, Class<T> type) {
        try {
            return STRICT.treeToValue(doc, type);
        } catch (UnrecognizedPropertyException e) {
            throw new ValidationException(e.getPathReference().replaceAll(".*\\[\"|\"\\]", ""),
                    "unknown key '" + e.getPropertyName() + "'; known keys are " + e.getKnownPropertyIds());
        } catch (MismatchedInputException e) {
            if (e.getCause() instanceof ValidationException ve) {
                throw ve;
            }
            String path = e.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining(".")).replace(".[", "[");
            throw new ValidationException(path.isEmpty() ? "$" : path, "has the wrong type: "
                    + e.getOriginalMessage().lines().findFirst().orElse(""));
        } catch (Exception e) {
            Throwable root = e.getCause() instanceof ValidationException ve ? ve : e;
            if (root instanceof ValidationException ve) {
                throw ve;
            }
            throw new ValidationException("$", "invalid configuration: " + e.getMessage().lines().findFirst().orElse(""));
        }
    }
}
