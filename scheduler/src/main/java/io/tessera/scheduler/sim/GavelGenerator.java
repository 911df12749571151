package io.tessera.scheduler.sim;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tessera.config.Documents;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Gavel's synthetic workload (Narayanan et al., OSDI 2020, and its {@code generate_job}), as
 * workload job entries. Pure for a seed:
 * <ul>
 *   <li>duration {@code 60 x 10^U(1.5, 3)} s with probability 0.8, else {@code 60 x 10^U(3, 4)} s,
 *       as run time on the reference chip;</li>
 *   <li>scale factor 1, 2, 4 or 8 shards with probabilities 0.70, 0.10, 0.15, 0.05; a class the
 *       table knows only on one shard (Gavel's non-distributed jobs) runs on one;</li>
 *   <li>a class drawn uniformly from the throughput table;</li>
 *   <li>Poisson arrivals: exponential gaps with mean {@code 3600 / jobsPerHour} s;</li>
 *   <li>tenants (queue and user) in turn, when given.</li>
 * </ul>
 */
public final class GavelGenerator {
    /** One queue and user that generated jobs are submitted as. */
    public record Tenant(String queue, String user) {
    }

    private GavelGenerator() {
    }

    public static List<ObjectNode> generate(int jobs, double jobsPerHour, ThroughputTable table, List<Tenant> tenants,
                                            long seed) {
        Random rnd = new Random(seed);
        List<String> classes = table.classes();
        List<ObjectNode> out = new ArrayList<>(jobs);
        double at = 0;
        for (int i = 0; i < jobs; i++) {
            if (i > 0) {
                at += -Math.log(1 - rnd.nextDouble()) * 3600 / jobsPerHour;
            }
            double duration = rnd.nextDouble() < 0.8 ? 60 * Math.pow(10, 1.5 + 1.5 * rnd.nextDouble())
                    : 60 * Math.pow(10, 3 + rnd.nextDouble());
            double u = rnd.nextDouble();
            int scale = u < 0.70 ? 1 : u < 0.80 ? 2 : u < 0.95 ? 4 : 8;
            String cls = classes.get(rnd.nextInt(classes.size()));
            if (!table.hasScale(cls, scale)) {
                scale = 1;
            }
            ObjectNode e = Documents.json().createObjectNode();
            e.put("at", Math.round(at * 1000) / 1000.0);
            e.put("class", cls);
            e.put("shards", scale);
            e.put("durationSec", Math.round(duration * 1000) / 1000.0);
            if (!tenants.isEmpty()) {
                Tenant t = tenants.get(i % tenants.size());
                e.put("queue", t.queue());
                e.put("user", t.user());
            }
            out.add(e);
        }
        return out;
    }
}
