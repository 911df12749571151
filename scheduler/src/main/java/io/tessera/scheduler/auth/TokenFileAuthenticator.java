package io.tessera.scheduler.auth;

import io.tessera.scheduler.security.Tokens;
import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.config.Documents;
import io.tessera.config.ValidationException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Users and admins from a token file holding only SHA-256 hashes:
 * <pre>
 * tokens:
 *   - {name: alice, role: user, sha256: 9f86d0..., groups: [ml-team]}
 *   - {name: ops, role: admin, sha256: 2c26b4...}
 * </pre>
 * {@code bin/tessera token --name alice --role user} prints a new token and its line.
 */
public final class TokenFileAuthenticator implements Authenticator {
    private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");
    private final List<Entry> entries;

    /** One user's hashed token. */
    public record Entry(String name, Role role, String sha256, Set<String> groups) {
        public Entry(String name, Role role, String sha256) {
            this(name, role, sha256, Set.of());
        }
    }

    public TokenFileAuthenticator(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    public static TokenFileAuthenticator load(Path file) {
        JsonNode doc = Documents.readFile(file);
        List<Entry> out = new ArrayList<>();
        JsonNode tokens = doc.path("tokens");
        if (!tokens.isArray()) {
            throw new ValidationException("tokens", "the token file " + file + " needs a 'tokens' list");
        }
        for (int i = 0; i < tokens.size(); i++) {
            JsonNode t = tokens.get(i);
            String role = t.path("role").asText("").toUpperCase(Locale.ROOT);
            String hash = t.path("sha256").asText("").toLowerCase(Locale.ROOT);
            if (!t.path("name").isTextual() || !(role.equals("USER") || role.equals("ADMIN")) || !HEX.matcher(hash).matches()) {
                throw new ValidationException("tokens[" + i + "]", "needs a name, a role of user or admin, and a sha256 hex hash");
            }
            Set<String> groups = new TreeSet<>();
            t.path("groups").forEach(g -> groups.add(g.asText()));
            out.add(new Entry(t.get("name").asText(), Role.valueOf(role), hash, groups));
        }
        return new TokenFileAuthenticator(out);
    }

    @Override
    public Optional<Principal> authenticate(String token) {
        String hash = Tokens.sha256(token);
        Principal found = null;
        for (Entry e : entries) {
            if (Tokens.same(hash, e.sha256())) {
                found = new Principal(e.name(), e.role(), e.groups());
            }
        }
        return Optional.ofNullable(found);
    }
}
