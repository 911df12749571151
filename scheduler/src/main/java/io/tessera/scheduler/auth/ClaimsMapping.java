package io.tessera.scheduler.auth;

import com.nimbusds.jwt.JWTClaimsSet;
import io.tessera.config.OidcConfig;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Turns a verified token's claims into a principal: the user from the subject claim, the role
 * from the role claim (a string or a list, reached by a dotted path), and the groups from the
 * groups claim. Role values are compared without regard to case. A caller whose roles name
 * neither an admin nor (when user roles are listed) a user role is refused.
 *
 * @param subjectClaim the claim naming the user
 * @param roleClaim    the dotted path of the role claim
 * @param adminRoles   values that make an admin
 * @param userRoles    values that make a user; empty: any caller who is not an admin
 * @param groupsClaim  the dotted path of the groups claim
 */
public record ClaimsMapping(String subjectClaim, String roleClaim, Set<String> adminRoles, Set<String> userRoles,
                            String groupsClaim) {
    private static final int MAX_SUBJECT = 256;

    public ClaimsMapping {
        adminRoles = lower(adminRoles);
        userRoles = lower(userRoles);
    }

    /** The fixed-key JWT mode's claims: {@code sub}, {@code role} ({@code user} or {@code admin}), {@code groups}. */
    public static final ClaimsMapping FIXED_KEY = new ClaimsMapping("sub", "role", Set.of("admin"), Set.of("user"), "groups");

    /** The claims an identity provider's tokens carry, as configured. */
    public static ClaimsMapping of(OidcConfig c) {
        return new ClaimsMapping(c.subjectClaim(), c.roleClaim(), Set.copyOf(c.adminRoles()), Set.copyOf(c.userRoles()),
                c.groupsClaim());
    }

    /** The principal the claims name, or empty when they name no user or no role this scheduler grants. */
    public Optional<Principal> principal(JWTClaimsSet claims) {
        List<String> subject = values(claims, subjectClaim);
        if (subject.size() != 1 || subject.get(0).isBlank() || subject.get(0).length() > MAX_SUBJECT) {
            return Optional.empty();
        }
        Set<String> roles = lower(Set.copyOf(values(claims, roleClaim)));
        Role role;
        if (roles.stream().anyMatch(adminRoles::contains)) {
            role = Role.ADMIN;
        } else if (userRoles.isEmpty() || roles.stream().anyMatch(userRoles::contains)) {
            role = Role.USER;
        } else {
            return Optional.empty();
        }
        Object groups = at(claims, groupsClaim);
        return Optional.of(new Principal(subject.get(0), role, groups instanceof Collection<?>
                ? new TreeSet<>(values(claims, groupsClaim)) : Set.of()));
    }

    /** The strings at a dotted path: one for a string, each string of a list, none otherwise. */
    static List<String> values(JWTClaimsSet claims, String path) {
        Object at = at(claims, path);
        if (at instanceof String s) {
            return List.of(s);
        }
        if (at instanceof Collection<?> list) {
            return list.stream().filter(String.class::isInstance).map(String.class::cast).toList();
        }
        return List.of();
    }

    private static Object at(JWTClaimsSet claims, String path) {
        Object at = claims.getClaims();
        for (String part : path.split("\\.")) {
            if (!(at instanceof Map<?, ?> m)) {
                return null;
            }
            at = m.get(part);
        }
        return at;
    }

    private static Set<String> lower(Set<String> values) {
        Set<String> out = new TreeSet<>();
        for (String v : values == null ? Set.<String>of() : values) {
            out.add(v.toLowerCase(Locale.ROOT));
        }
        return Set.copyOf(out);
    }
}
