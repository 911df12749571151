package io.tessera.config;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.ByteBuffer;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * Parses YAML and JSON documents into trees, hardened for untrusted input: bounded nesting,
 * bounded string and document size, no YAML alias bombs, strict UTF-8.
 * Contract: every failure is a {@link ValidationException} on field {@code $}; nothing else escapes.
 */
public final class Documents {
    /** Nesting deeper than this is refused; no Tessera document needs more than a handful. */
    public static final int MAX_DEPTH = 32;
    private static final int MAX_STRING = 1 << 20;

    private static final ObjectMapper JSON = configure(new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(limits()).build()));
    private static final ObjectMapper YAML = configure(new ObjectMapper(YAMLFactory.builder()
            .loaderOptions(yamlLimits()).streamReadConstraints(limits()).build()));

    private Documents() {
    }

    /** The shared mapper for Tessera's own JSON (wire records, API bodies). */
    public static ObjectMapper json() {
        return JSON;
    }

    /** Parses a JSON document. */
    public static JsonNode parseJson(byte[] body) {
        return parse(JSON, body, "JSON");
    }

    /** Parses a YAML document (JSON is accepted too, being YAML). */
    public static JsonNode parseYaml(byte[] body) {
        return parse(YAML, body, "YAML");
    }

    /** Parses by content type: JSON for {@code application/json}, YAML for anything else. */
    public static JsonNode parse(byte[] body, String contentType) {
        boolean json = contentType != null && contentType.toLowerCase().contains("json");
        return json ? parseJson(body) : parseYaml(body);
    }

    /** Reads and parses a YAML or JSON file. */
    public static JsonNode readFile(Path file) {
        try {
            return parseYaml(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static JsonNode parse(ObjectMapper mapper, byte[] body, String format) {
        if (body == null || body.length == 0) {
            throw new ValidationException("$", "the body is empty; send a " + format + " document");
        }
        requireUtf8(body);
        try {
            JsonNode node = mapper.readTree(body);
            if (node == null || node.isMissingNode()) {
                throw new ValidationException("$", "the body holds no " + format + " document");
            }
            requireDepth(node, 0);
            return node;
        } catch (JsonProcessingException e) {
            throw new ValidationException("$", "not valid " + format + ": " + explain(e, body));
        } catch (IOException | RuntimeException e) {
            if (e instanceof ValidationException ve) {
                throw ve;
            }
            throw new ValidationException("$", "not valid " + format + ": " + e.getMessage());
        }
    }

    /**
     * A parse error as people read it: what is wrong, at which line and column, and that line.
     * Regression: the YAML parser's message was passed on as it came, one line that named
     * {@code 'reader'} (its input stream), not where in the document the error was.
     */
    static String explain(JsonProcessingException e, byte[] body) {
        String what = String.valueOf(e.getOriginalMessage()).split("\\R", 2)[0].replaceAll("\\s*in 'reader'.*$", "").strip();
        JsonLocation at = e.getLocation();
        if (at == null || at.getLineNr() < 1) {
            return what;
        }
        String[] lines = new String(body, StandardCharsets.UTF_8).split("\\R", -1);
        String line = at.getLineNr() <= lines.length ? lines[at.getLineNr() - 1] : "";
        String shown = line.length() > 120 ? line.substring(0, 117) + "..." : line;
        return what + " at line " + at.getLineNr() + ", column " + at.getColumnNr()
                + (shown.isBlank() ? "" : ": `" + shown.strip() + "`");
    }

    private static void requireUtf8(byte[] body) {
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body));
        } catch (CharacterCodingException e) {
            throw new ValidationException("$", "the body is not valid UTF-8");
        }
    }

    private static void requireDepth(JsonNode node, int depth) {
        if (depth > MAX_DEPTH) {
            throw new ValidationException("$", "the document nests deeper than " + MAX_DEPTH + " levels");
        }
        if (node.isContainerNode()) {
            for (JsonNode child : node) {
                requireDepth(child, depth + 1);
            }
        }
    }

    private static StreamReadConstraints limits() {
        return StreamReadConstraints.builder()
                .maxNestingDepth(MAX_DEPTH * 2)
                .maxStringLength(MAX_STRING)
                .maxNumberLength(64)
                .build();
    }

    private static LoaderOptions yamlLimits() {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(20);
        options.setAllowRecursiveKeys(false);
        options.setNestingDepthLimit(MAX_DEPTH * 2);
        options.setCodePointLimit(8 * 1024 * 1024);
        return options;
    }

    private static ObjectMapper configure(ObjectMapper mapper) {
        mapper.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION.mappedFeature());
        return mapper.registerModule(new Jdk8Module())
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
                .configure(SerializationFeature.FAIL_ON_EMPTY_BEANS, false)
                .configure(DeserializationFeature.FAIL_ON_TRAILING_TOKENS, true)
                // only enums that name a default (@JsonEnumDefaultValue) read an unknown value as it
                .configure(DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_USING_DEFAULT_VALUE, true);
    }
}
