package io.tessera.scheduler.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tessera.config.FieldReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * A workload's {@code vary:} mapping: for each job entry field it names, a list of values, one of
 * which every entry that does not set the field itself gets, drawn uniformly with the workload's
 * seed. So a trace or a generator (which give arrivals, sizes and run times) can carry the
 * priorities and checkpoint intervals a fleet's mix of teams has:
 * <pre>
 * vary: {priority: [0, 0, 5], checkpointEverySec: [300, 1800, 3600]}
 * </pre>
 * Pure for a seed.
 */
record JobVariety(Map<String, List<JsonNode>> values) {
    /** The entry fields {@code vary:} may name. */
    static final Set<String> FIELDS = Set.of("priority", "checkpointEverySec", "checkpointEverySteps", "preemptible",
            "queue", "user", "devicesPerShard");
    static final JobVariety NONE = new JobVariety(Map.of());

    /** Reads {@code vary} (null: none); problems go to {@code r} with their field path. */
    static JobVariety parse(FieldReader r, JsonNode vary) {
        if (vary == null || vary.isNull()) {
            return NONE;
        }
        if (!vary.isObject()) {
            r.error("vary", "must be a mapping of job fields to lists of values");
            return NONE;
        }
        r.rejectUnknown(vary, "vary", FIELDS);
        Map<String, List<JsonNode>> out = new LinkedHashMap<>();
        vary.fieldNames().forEachRemaining(field -> {
            JsonNode list = vary.get(field);
            if (!list.isArray() || list.isEmpty() || list.size() > 1000) {
                r.error("vary." + field, "must be a list of 1 to 1000 values");
                return;
            }
            List<JsonNode> vs = new ArrayList<>();
            list.forEach(vs::add);
            out.put(field, vs);
        });
        return new JobVariety(out);
    }

    /** Sets each named field of each entry that lacks it, drawing with {@code seed}. */
    void apply(List<JsonNode> entries, long seed) {
        if (values.isEmpty()) {
            return;
        }
        Random rnd = new Random(seed ^ 0x5DEECE66DL);
        for (JsonNode e : entries) {
            for (Map.Entry<String, List<JsonNode>> v : values.entrySet()) {
                JsonNode drawn = v.getValue().get(rnd.nextInt(v.getValue().size()));
                if (e instanceof ObjectNode o && !o.has(v.getKey())) {
                    o.set(v.getKey(), drawn.deepCopy());
                }
            }
        }
    }
}
