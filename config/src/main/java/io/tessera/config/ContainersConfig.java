package io.tessera.config;

import java.util.List;

/**
 * The scheduler's rules for container images ({@code containers} in the scheduler's config).
 *
 * @param allowedImages the images jobs may name, as glob patterns ({@code *} matches any run of
 *                      characters, e.g. {@code registry.example/train:*}); empty allows every image.
 *                      A job naming another is refused at submit with a 400 naming its field
 */
public record ContainersConfig(List<String> allowedImages) {
    public static final ContainersConfig DEFAULT = new ContainersConfig(List.of());

    public ContainersConfig {
        allowedImages = allowedImages == null ? List.of() : List.copyOf(allowedImages);
        for (int i = 0; i < allowedImages.size(); i++) {
            String p = allowedImages.get(i);
            if (p == null || p.isBlank() || p.length() > 512) {
                throw new ValidationException("containers.allowedImages[" + i + "]", "must be a non-empty pattern of at most 512 characters");
            }
        }
    }
}
