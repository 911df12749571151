package io.tessera.scheduler.service;

import io.tessera.config.wire.LogEndpoint;
import io.tessera.config.ChipCatalog;
import io.tessera.config.ChipType;
import io.tessera.config.ValidationError;
import io.tessera.config.ValidationException;
import io.tessera.config.wire.DeviceReport;
import io.tessera.config.wire.ShardReport;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The schema of what agents send: types, ranges, string lengths, charsets and hostnames, checked
 * field by field so a 400 names every field that is wrong. An agent is trusted only for its own
 * node, and not even for that node's sanity: an inventory must use catalog chips, unique
 * indices and uuids, and memory a chip of that type can have. Pure.
 */
final class WireCheck {
    static final Pattern NODE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final Pattern JOB = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern METRIC = Pattern.compile("[A-Za-z_][A-Za-z0-9_./-]{0,63}");
    private static final Pattern LABEL_KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/-]{0,62}");
    private static final Pattern HOST_LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");
    private static final Pattern VISIBILITY = Pattern.compile("[A-Z_][A-Z0-9_]{0,63}");
    private static final int MAX_SHARD_REPORTS = 4096;
    /** A device may report up to this factor of its catalog memory (vendor variants differ a little). */
    private static final double MEMORY_SLACK = 1.5;

    private final List<ValidationError> errors = new ArrayList<>();

    static void node(String node) {
        if (node == null || !NODE.matcher(node).matches()) {
            throw new ValidationException("node", "must be 1-128 letters, digits, '.', '_' or '-'");
        }
    }

    /** A hostname (RFC 1123), an IPv4 address or an IPv6 literal: what MASTER_ADDR may be. */
    static boolean address(String a) {
        if (a == null || a.isEmpty() || a.length() > 253) {
            return false;
        }
        if (a.indexOf(':') >= 0) {
            return IPV6.matcher(a).matches();
        }
        for (String label : a.split("\\.", -1)) {
            if (!HOST_LABEL.matcher(label).matches()) {
                return false;
            }
        }
        return true;
    }

    static void register(String address, Map<String, String> labels, List<DeviceReport> devices, List<ShardReport> shards,
                         ChipCatalog catalog, int maxDevices) {
        WireCheck c = new WireCheck();
        if (!address(address)) {
            c.error("address", "must be a hostname, an IPv4 address or an IPv6 literal");
        }
        if (labels.size() > 64) {
            c.error("labels", "at most 64 labels");
        }
        labels.forEach((k, v) -> {
            if (k == null || !LABEL_KEY.matcher(k).matches()) {
                c.error("labels", "a key must be 1-63 letters, digits, '.', '_', '/' or '-'");
            } else if (v == null || v.length() > 256 || v.chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f)) {
                c.error("labels." + k, "must be at most 256 characters with no control characters");
            }
        });
        c.devices(devices, catalog, maxDevices);
        c.shards(shards);
        c.done();
    }

    /**
     * An agent's log endpoint must be on the address it registers ({@code http://ADDRESS:PORT}), so a
     * node cannot point the scheduler's relay, and the key it presents, at some other service.
     */
    static void logs(String address, LogEndpoint logs) {
        if (logs == null) {
            return;
        }
        WireCheck c = new WireCheck();
        String host = address != null && address.contains(":") ? "[" + address + "]" : address;
        if (logs.url() == null || !logs.url().matches("http://" + Pattern.quote(String.valueOf(host))
                + ":\\d{1,5}")) {
            c.error("logs.url", "must be http://ADDRESS:PORT, on the node's own address");
        }
        if (logs.key() == null || !logs.key().matches("tsl_[A-Za-z0-9_-]{20,100}")) {
            c.error("logs.key", "must be a key the agent made (tsl_...)");
        }
        c.done();
    }

    static void heartbeat(List<DeviceReport> devices, List<ShardReport> shards, ChipCatalog catalog, int maxDevices) {
        WireCheck c = new WireCheck();
        c.devices(devices, catalog, maxDevices);
        c.shards(shards);
        c.done();
    }

    private void devices(List<DeviceReport> devices, ChipCatalog catalog, int maxDevices) {
        if (devices.size() > maxDevices) {
            error("devices", "more than " + maxDevices + " devices (limits.maxDevicesPerNode)");
            return;
        }
        Set<Integer> indices = new HashSet<>();
        Set<String> uuids = new HashSet<>();
        for (int i = 0; i < devices.size(); i++) {
            DeviceReport d = devices.get(i);
            String f = "devices[" + i + "]";
            if (d == null) {
                error(f, "must be an object");
                continue;
            }
            if (d.index() < 0 || d.index() > 1023 || !indices.add(d.index())) {
                error(f + ".index", "must be 0-1023 and unique on the node");
            }
            if (d.uuid() != null && (d.uuid().length() > 128 || !uuids.add(d.uuid()))) {
                error(f + ".uuid", "must be at most 128 characters and unique on the node");
            }
            Optional<ChipType> chip = d.chipType() == null ? Optional.empty() : catalog.byId(d.chipType());
            if (chip.isEmpty() && !DeviceReport.UNKNOWN_CHIP.equals(d.chipType())) {
                error(f + ".chipType", "must be a catalog chip id or 'unknown'");
            }
            double maxMemory = chip.map(c -> c.hbmGiB() * MEMORY_SLACK).orElse(4096.0);
            if (!Double.isFinite(d.memoryGiB()) || d.memoryGiB() < 0 || d.memoryGiB() > maxMemory) {
                error(f + ".memoryGiB", "must be between 0 and " + maxMemory + " GiB for this chip");
            }
            range(f + ".utilizationPercent", d.utilizationPercent(), 0, 100);
            range(f + ".memoryUsedGiB", d.memoryUsedGiB(), 0, maxMemory);
            range(f + ".temperatureC", d.temperatureC(), -100, 300);
            range(f + ".powerW", d.powerW(), 0, 100_000);
            length(f + ".rawName", d.rawName(), 256);
            length(f + ".problem", d.problem(), 1024);
            if (d.visibilityEnv() != null && !VISIBILITY.matcher(d.visibilityEnv()).matches()) {
                error(f + ".visibilityEnv", "must be an upper-case variable name");
            }
        }
    }

    private void shards(List<ShardReport> shards) {
        if (shards.size() > MAX_SHARD_REPORTS) {
            error("shards", "more than " + MAX_SHARD_REPORTS + " shard reports");
            return;
        }
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < shards.size(); i++) {
            ShardReport s = shards.get(i);
            String f = "shards[" + i + "]";
            if (s == null) {
                error(f, "must be an object");
                continue;
            }
            if (s.jobId() == null || !JOB.matcher(s.jobId()).matches()) {
                error(f + ".jobId", "must be 1-64 letters, digits, '.', '_' or '-'");
            }
            if (s.phase() == null) {
                error(f + ".phase", "is required");
            }
            if (s.shard() < 0 || s.shard() >= 4096) {
                error(f + ".shard", "must be 0-4095");
            }
            if (s.attempt() < 1) {
                error(f + ".attempt", "must be at least 1");
            }
            if (s.incarnation() != null && (s.incarnation() < 0 || s.incarnation() > 1000)) {
                error(f + ".incarnation", "must be 0-1000");
            }
            if (s.exit() != null && (s.exit().tail().size() > ShardReport.Exit.TAIL_LINES
                    || s.exit().tail().stream().anyMatch(l -> l == null || l.length() > 2000))) {
                error(f + ".exit.tail", "at most " + ShardReport.Exit.TAIL_LINES + " lines of at most 2000 characters");
            }
            if (!keys.add(s.jobId() + "/" + s.shard() + "/" + s.attempt())) {
                error(f, "reports the same job, shard and attempt twice");
            }
            range(f + ".exitCode", s.exitCode() == null ? null : s.exitCode().doubleValue(), -255, 1024);
            range(f + ".pid", s.pid() == null ? null : s.pid().doubleValue(), 0, Integer.MAX_VALUE);
            range(f + ".step", s.step() == null ? null : s.step().doubleValue(), 0, 1e15);
            range(f + ".totalSteps", s.totalSteps() == null ? null : s.totalSteps().doubleValue(), 0, 1e15);
            range(f + ".checkpointStep", s.checkpointStep() == null ? null : s.checkpointStep().doubleValue(), 0, 1e15);
            range(f + ".samplesPerSec", s.samplesPerSec(), 0, 1e12);
            length(f + ".message", s.message(), 4096);
            metrics(f + ".metrics", s.metrics());
        }
    }

    /** A report's named metrics: at most {@link ShardReport.Progress#MAX_METRICS}, safe short names, finite values. */
    private void metrics(String field, Map<String, Double> metrics) {
        if (metrics.size() > ShardReport.Progress.MAX_METRICS) {
            error(field, "at most " + ShardReport.Progress.MAX_METRICS + " metrics");
            return;
        }
        metrics.forEach((name, v) -> {
            if (!METRIC.matcher(name).matches()) {
                error(field, "names must be 1-64 letters, digits, '_', '.', '/' or '-', starting with a letter or '_'");
            }
            range(field + "." + (METRIC.matcher(name).matches() ? name : "?"), v == null ? Double.NaN : v, -1e300, 1e300);
        });
    }

    private void range(String field, Double v, double min, double max) {
        if (v != null && (!Double.isFinite(v) || v < min || v > max)) {
            error(field, "must be a number between " + min + " and " + max);
        }
    }

    private void length(String field, String v, int max) {
        if (v != null && v.length() > max) {
            error(field, "must be at most " + max + " characters");
        }
    }

    private void error(String field, String message) {
        errors.add(new ValidationError(field, message));
    }

    private void done() {
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
    }
}
