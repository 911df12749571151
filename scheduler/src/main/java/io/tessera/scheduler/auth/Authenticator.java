package io.tessera.scheduler.auth;

import java.util.Optional;

/** Turns a bearer token into a principal; empty for anything not valid. Never throws for bad input. */
@FunctionalInterface
public interface Authenticator {
    Optional<Principal> authenticate(String token);
}
