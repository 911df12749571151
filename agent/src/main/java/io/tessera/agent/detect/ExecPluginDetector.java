package io.tessera.agent.detect;

import java.nio.charset.StandardCharsets;
import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.config.ChipCatalog;
import io.tessera.config.Documents;
import io.tessera.config.ValidationException;
import io.tessera.config.wire.DeviceReport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Custom-ASIC discovery through the exec plug-in contract (docs/agent.md): any executable that
 * prints a JSON inventory {@code {"visibilityEnv": "...", "devices": [{"index", "model", ...}]}}
 * and exits 0. Devices it marks unhealthy are unhealthy; a malformed device is reported and skipped.
 */
public final class ExecPluginDetector implements DeviceDetector {
    private static final Pattern ENV = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private final CommandRunner runner;
    private final String plugin;
    private final Duration timeout;
    private final DeviceMapper mapper;

    public ExecPluginDetector(CommandRunner runner, String plugin, Duration timeout, ChipCatalog catalog) {
        this.runner = runner;
        this.plugin = plugin;
        this.timeout = timeout;
        this.mapper = new DeviceMapper(catalog);
    }

    @Override
    public Inventory detect() {
        CommandResult r = runner.run(List.of(plugin), timeout);
        if (!r.ok()) {
            return Inventory.failure(r.describe("plug-in " + plugin));
        }
        JsonNode doc;
        try {
            doc = Documents.parseJson(r.stdout().getBytes(StandardCharsets.UTF_8));
        } catch (ValidationException e) {
            return Inventory.failure("plug-in " + plugin + " printed invalid JSON: " + e.getMessage());
        }
        String env = doc.path("visibilityEnv").isTextual() ? doc.get("visibilityEnv").asText() : null;
        List<String> problems = new ArrayList<>();
        if (env != null && !ENV.matcher(env).matches()) {
            problems.add("plug-in visibilityEnv '" + env + "' is not a valid variable name; using the catalog's");
            env = null;
        }
        if (!doc.path("devices").isArray()) {
            return Inventory.failure("plug-in " + plugin + " printed no \"devices\" list");
        }
        List<DeviceReport> devices = new ArrayList<>();
        int i = 0;
        for (JsonNode d : doc.get("devices")) {
            GpuReading reading = reading(d, i++, problems);
            if (reading != null) {
                devices.add(mapper.map(reading, problems, env));
            }
        }
        return new Inventory(devices, problems, false);
    }

    private static GpuReading reading(JsonNode d, int position, List<String> problems) {
        if (!d.path("index").canConvertToInt() || !d.path("index").isIntegralNumber() || !d.path("model").isTextual()) {
            problems.add("plug-in device " + position + " needs an integer index and a model; skipped");
            return null;
        }
        boolean healthy = !d.has("healthy") || d.get("healthy").asBoolean(true);
        String problem = healthy ? null : d.path("problem").asText("the plug-in reports it unhealthy");
        return new GpuReading(d.get("index").asInt(), text(d, "uuid"), d.get("model").asText(),
                number(d, "memoryGiB") == null ? null : number(d, "memoryGiB") * 1024, number(d, "memoryUsedGiB") == null
                ? null : number(d, "memoryUsedGiB") * 1024, number(d, "utilizationPercent"), number(d, "temperatureC"),
                number(d, "powerW"), problem, null);
    }

    private static Double number(JsonNode d, String f) {
        return d.path(f).isNumber() ? d.get(f).asDouble() : null;
    }

    private static String text(JsonNode d, String f) {
        return d.path(f).isTextual() ? d.get(f).asText() : null;
    }
}
