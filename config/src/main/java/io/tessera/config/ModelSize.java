package io.tessera.config;

import java.util.Locale;
import java.util.Optional;

/** Parses parameter counts written as {@code 7B}, {@code 350M}, {@code 1.5T} or plain numbers. */
public final class ModelSize {
    private ModelSize() {
    }

    /** The count, or empty when the text is not a size. */
    public static Optional<Double> parse(String text) {
        String t = text.trim().toUpperCase(Locale.ROOT);
        if (t.isEmpty() || t.length() > 32) {
            return Optional.empty();
        }
        double scale = switch (t.charAt(t.length() - 1)) {
            case 'K' -> 1e3;
            case 'M' -> 1e6;
            case 'B', 'G' -> 1e9;
            case 'T' -> 1e12;
            default -> 1;
        };
        String digits = scale == 1 ? t : t.substring(0, t.length() - 1);
        try {
            double v = Double.parseDouble(digits) * scale;
            return Double.isFinite(v) && v > 0 ? Optional.of(v) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
