package io.tessera.scheduler.auth;

import io.tessera.config.ValidationException;
import io.tessera.scheduler.state.CredentialStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A file of token hashes (join tokens, scrape tokens), one per line:
 * {@code <sha256> [expires=<ISO-8601>] [uses=<n>] [node=<name>]}; blank lines and {@code #} comments
 * are skipped. Read again whenever the file's modification time or size changes, so an operator
 * rotates tokens by editing it, without a restart. A file that cannot be parsed is refused at
 * start, naming the line; later, a bad edit is logged and the tokens read before stay in force.
 */
final class TokenFile implements Supplier<List<TokenFile.Line>> {
    private static final Logger LOG = LoggerFactory.getLogger(TokenFile.class);
    private final Path file;
    private long stamp = Long.MIN_VALUE;
    private List<Line> lines;

    /**
     * One token.
     *
     * @param sha256      its hash (64 hex digits)
     * @param expiresAtMs when it stops working, or null for never
     * @param uses        how many enrollments it allows across the cluster, or null for any number
     * @param node        the only node it enrolls, or null for any
     */
    record Line(String sha256, Long expiresAtMs, Integer uses, String node) {
        /** Neither expiry, nor use count, nor node: it enrolls any node, any number of times, forever. */
        boolean unlimited() {
            return expiresAtMs == null && uses == null && node == null;
        }

        /** The same limits as an issued join token, counted in the store. */
        CredentialStore.JoinToken asJoinToken() {
            return new CredentialStore.JoinToken(sha256.substring(0, 16), sha256, node, uses == null ? Integer.MAX_VALUE : uses,
                    expiresAtMs == null ? Long.MAX_VALUE : expiresAtMs);
        }
    }

    TokenFile(Path file) {
        this.file = file;
    }

    /** The hashes alone. */
    List<String> hashes() {
        return get().stream().map(Line::sha256).toList();
    }

    @Override
    public synchronized List<Line> get() {
        long now;
        String text;
        try {
            now = Files.getLastModifiedTime(file).toMillis() * 31 + Files.size(file);
            if (now == stamp) {
                return lines;
            }
            text = Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the token file " + file, e);
        }
        try {
            lines = parse(text);
        } catch (ValidationException e) {
            if (lines == null) {
                throw e;
            }
            LOG.error("{}; the tokens read before stay in force", e.getMessage());
        }
        stamp = now;
        return lines;
    }

    private List<Line> parse(String text) {
        List<Line> out = new ArrayList<>();
        int n = 0;
        for (String raw : text.lines().toList()) {
            n++;
            String l = raw.strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            out.add(line(l, file + ":" + n));
        }
        long open = out.stream().filter(Line::unlimited).count();
        if (open > 0) {
            LOG.warn("{}: {} token(s) without expires=, uses= or node= enroll any node, any number of times, forever; "
                    + "give each an expiry and a use count (docs/security.md)", file, open);
        }
        return List.copyOf(out);
    }

    private static Line line(String l, String where) {
        String[] parts = l.split("\\s+");
        if (!parts[0].matches("[0-9a-f]{64}")) {
            throw new ValidationException(where, "must start with a token's SHA-256 in hex (64 digits)");
        }
        Long expires = null;
        Integer uses = null;
        String node = null;
        for (int i = 1; i < parts.length; i++) {
            String[] kv = parts[i].split("=", 2);
            try {
                switch (kv.length == 2 ? kv[0] : "") {
                    case "expires" -> expires = Instant.parse(kv[1]).toEpochMilli();
                    case "uses" -> uses = Integer.parseInt(kv[1]);
                    case "node" -> node = kv[1];
                    default -> throw new ValidationException(where, "unknown field '" + parts[i]
                            + "' (expires=<ISO-8601>, uses=<n>, node=<name>)");
                }
            } catch (DateTimeParseException | NumberFormatException e) {
                throw new ValidationException(where, "bad value in '" + parts[i] + "': " + e.getMessage());
            }
        }
        if (uses != null && uses < 1) {
            throw new ValidationException(where, "uses must be at least 1");
        }
        return new Line(parts[0], expires, uses, node);
    }
}
