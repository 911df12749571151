package io.tessera.scheduler.security;

import io.tessera.config.SchedulerConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts jobs' {@code secretEnv} values at rest: AES-256-GCM with a key kept outside the state
 * store, each value bound to its job and variable name (the additional data), so a sealed value
 * can neither be read from Hazelcast or the database nor moved to another job. Values are opened
 * only when an assignment is delivered to the node that runs the shard. Thread-safe.
 */
public final class SecretBox {
    /** Marks a sealed value; a job may not submit a plain value that starts with it. */
    public static final String PREFIX = "tessera-sealed:v1:";
    private static final int IV_BYTES = 12;
    private static final SecureRandom RANDOM = new SecureRandom();
    private final SecretKeySpec key;

    public SecretBox(byte[] key) {
        if (key.length != 32) {
            throw new IllegalStateException("the secret key must be 32 bytes (base64 of 32 random bytes), got " + key.length);
        }
        this.key = new SecretKeySpec(key, "AES");
    }

    /**
     * The key from {@code secrets.secretKeyFile} or {@code TESSERA_SECRET_KEY}; else, for a lone
     * member on the embedded database, {@code dataDir/secret.key} (made on first use); else, for
     * a lone member with memory-only state, a key for this run. A member whose state others share
     * (several members, or PostgreSQL) must be given one, or refuses to start.
     */
    public static SecretBox from(SchedulerConfig config) {
        Optional<String> configured = SecretFiles.read(config.secrets().secretKeyFile(), "TESSERA_SECRET_KEY");
        if (configured.isPresent()) {
            return new SecretBox(decode(configured.get()));
        }
        if (config.members().size() > 1 || config.database().url() != null) {
            throw new IllegalStateException("members that share state need the same key for secrets at rest: set "
                    + "secrets.secretKeyFile (a 0600 file holding base64 of 32 random bytes) or TESSERA_SECRET_KEY");
        }
        if (!config.durable()) {
            byte[] key = new byte[32];
            RANDOM.nextBytes(key);
            return new SecretBox(key);
        }
        Path file = Path.of(config.dataDir()).toAbsolutePath().resolve("secret.key");
        if (!Files.exists(file)) {
            byte[] key = new byte[32];
            RANDOM.nextBytes(key);
            SecretFiles.writePrivate(file, Base64.getEncoder().encodeToString(key));
        }
        return new SecretBox(decode(SecretFiles.readPrivate(file)));
    }

    private static byte[] decode(String base64) {
        try {
            return Base64.getDecoder().decode(base64.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("the secret key is not valid base64", e);
        }
    }

    /** {@code secrets} with every value sealed for {@code jobId}. */
    public Map<String, String> seal(String jobId, Map<String, String> secrets) {
        Map<String, String> out = new LinkedHashMap<>();
        secrets.forEach((name, value) -> out.put(name, seal(jobId, name, value)));
        return out;
    }

    /** {@code env} with every sealed value of {@code jobId} opened; a value that does not open is dropped. */
    public Map<String, String> open(String jobId, Map<String, String> env) {
        Map<String, String> out = new LinkedHashMap<>();
        env.forEach((name, value) -> {
            if (!value.startsWith(PREFIX)) {
                out.put(name, value);
            } else {
                open(jobId, name, value).ifPresent(v -> out.put(name, v));
            }
        });
        return out;
    }

    private String seal(String jobId, String name, String value) {
        try {
            byte[] iv = new byte[IV_BYTES];
            RANDOM.nextBytes(iv);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
            c.updateAAD(aad(jobId, name));
            byte[] sealed = c.doFinal(value.getBytes(StandardCharsets.UTF_8));
            byte[] all = new byte[IV_BYTES + sealed.length];
            System.arraycopy(iv, 0, all, 0, IV_BYTES);
            System.arraycopy(sealed, 0, all, IV_BYTES, sealed.length);
            return PREFIX + Base64.getEncoder().encodeToString(all);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot seal a secret: " + e.getMessage(), e);
        }
    }

    private Optional<String> open(String jobId, String name, String sealed) {
        try {
            byte[] all = Base64.getDecoder().decode(sealed.substring(PREFIX.length()));
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, all, 0, IV_BYTES));
            c.updateAAD(aad(jobId, name));
            return Optional.of(new String(c.doFinal(all, IV_BYTES, all.length - IV_BYTES), StandardCharsets.UTF_8));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static byte[] aad(String jobId, String name) {
        return (jobId + "\n" + name).getBytes(StandardCharsets.UTF_8);
    }
}
