package io.tessera.agent.detect;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads vendor-tool values: numbers with or without units, and the many spellings of "not available". */
final class Values {
    private static final Pattern NUMBER = Pattern.compile("^\\s*(-?\\d+(?:\\.\\d+)?)\\s*(?:[A-Za-z%]+)?\\s*$");

    private Values() {
    }

    /** The number in {@code 81559 MiB}, {@code 35 %}, {@code 70.12 W} or {@code 41}; null for N/A and the like. */
    static Double number(String raw) {
        if (raw == null) {
            return null;
        }
        Matcher m = NUMBER.matcher(raw);
        return m.matches() ? Double.valueOf(m.group(1)) : null;
    }

    /** Null for empty, N/A, [N/A], [Not Supported] and other bracketed notes; the trimmed text otherwise. */
    static String text(String raw) {
        if (raw == null) {
            return null;
        }
        String t = raw.strip();
        if (t.isEmpty() || t.equalsIgnoreCase("N/A") || t.startsWith("[") || t.equalsIgnoreCase("Not Supported")) {
            return null;
        }
        return t;
    }

    /** A health problem when uncorrected ECC errors were counted. */
    static String ecc(Double uncorrected) {
        return uncorrected != null && uncorrected > 0
                ? String.format(Locale.ROOT, "%.0f uncorrected ECC errors (volatile)", uncorrected) : null;
    }

    static String mig(String mode) {
        return mode != null && mode.strip().equalsIgnoreCase("Enabled")
                ? "MIG mode is enabled: the GPU is partitioned, so Tessera does not schedule it whole" : null;
    }
}
