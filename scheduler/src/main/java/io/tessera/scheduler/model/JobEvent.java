package io.tessera.scheduler.model;

/**
 * One entry of a job's history.
 *
 * @param at      ISO-8601 time
 * @param type    a stable code, e.g. {@code SUBMITTED}, {@code WAITING}, {@code PLACED}, {@code NODE_LOST}
 * @param message one sentence for people
 */
public record JobEvent(String at, String type, String message) {
}
