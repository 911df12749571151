package io.tessera.scheduler.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.config.Documents;
import io.tessera.config.ValidationException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A YAML or JSON file the CLI sends (a job, a queue): its text, its media type by its name (JSON
 * for {@code *.json}), and a local parse, so a document that does not parse is named with its
 * file, line and column before anything is sent.
 */
record DocumentFile(Path file, String text) {
    static DocumentFile read(Path file) throws ClientCommand.UsageError {
        try {
            return new DocumentFile(file, Files.readString(file));
        } catch (IOException e) {
            throw new ClientCommand.UsageError("cannot read " + file + ": " + e.getMessage());
        }
    }

    DocumentFile withText(String replaced) {
        return new DocumentFile(file, replaced);
    }

    String mediaType() {
        return file.toString().endsWith(".json") ? "application/json" : "application/yaml";
    }

    /** The parsed document; a parse error names the file. */
    JsonNode parse() throws ClientCommand.UsageError {
        try {
            return Documents.parse(text.getBytes(StandardCharsets.UTF_8), mediaType());
        } catch (ValidationException e) {
            throw new ClientCommand.UsageError(file + ": " + e.errors().get(0).message());
        }
    }
}
