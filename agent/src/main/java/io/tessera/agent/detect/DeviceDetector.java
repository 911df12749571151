package io.tessera.agent.detect;

/**
 * Finds accelerators. Implementations return data only: they never throw for a broken tool or
 * odd output, but report it in {@link Inventory#problems()}. Safe to call repeatedly.
 */
@FunctionalInterface
public interface DeviceDetector {
    Inventory detect();
}
