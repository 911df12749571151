package io.tessera.scheduler.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tessera.config.ValidationException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Gavel's generator draws what its paper and code say; the Philly reader sorts, filters, samples and scales. */
class WorkloadGeneratorsTest {
    private static final Path PHILLY = Path.of("src/test/resources/traces/philly-sample.csv");

    @Test
    void gavelsGeneratorDrawsItsDistributions() {
        List<ObjectNode> jobs = GavelGenerator.generate(20_000, 4, Sims.TABLE, List.of(), 5);
        double last = jobs.get(jobs.size() - 1).get("at").asDouble();
        assertThat(last / (jobs.size() - 1)).as("mean gap, s").isCloseTo(900, offset(30.0));
        long shortOnes = jobs.stream().filter(j -> j.get("durationSec").asDouble() <= 60_000).count();
        assertThat(shortOnes / 20_000.0).as("P(duration from 60 x 10^U(1.5,3))").isCloseTo(0.8, offset(0.01));
        assertThat(jobs).allSatisfy(j -> assertThat(j.get("durationSec").asDouble())
                .isBetween(60 * Math.pow(10, 1.5) - 0.001, 60 * Math.pow(10, 4) + 0.001));
        List<ObjectNode> distributed = jobs.stream().filter(j -> Sims.TABLE.hasScale(j.get("class").asText(), 8)).toList();
        double n = distributed.size();
        assertThat(distributed.stream().filter(j -> j.get("shards").asInt() == 1).count() / n).isCloseTo(0.70, offset(0.015));
        assertThat(distributed.stream().filter(j -> j.get("shards").asInt() == 2).count() / n).isCloseTo(0.10, offset(0.01));
        assertThat(distributed.stream().filter(j -> j.get("shards").asInt() == 4).count() / n).isCloseTo(0.15, offset(0.01));
        assertThat(distributed.stream().filter(j -> j.get("shards").asInt() == 8).count() / n).isCloseTo(0.05, offset(0.01));
        assertThat(jobs).filteredOn(j -> !Sims.TABLE.hasScale(j.get("class").asText(), 2))
                .as("classes the table knows only on one GPU run on one").allMatch(j -> j.get("shards").asInt() == 1);
        long a3c = jobs.stream().filter(j -> j.get("class").asText().equals("A3C")).count();
        assertThat(a3c / 20_000.0).as("classes drawn uniformly").isCloseTo(1.0 / Sims.TABLE.classes().size(), offset(0.01));
        assertThat(GavelGenerator.generate(50, 4, Sims.TABLE, List.of(), 5)).isEqualTo(jobs.subList(0, 50));
    }

    @Test
    void phillyIsReadInTimeOrderThenFilteredSampledAndScaled() {
        List<ObjectNode> all = new PhillyTrace(PHILLY, 1, 1, 1, 0, 1_000_000, 100_000, 1e10, null, null).entries(List.of(), 1);
        assertThat(all).isNotEmpty();
        assertThat(all.get(0).get("at").asDouble()).isZero();
        for (int i = 1; i < all.size(); i++) {
            assertThat(all.get(i).get("at").asDouble()).isGreaterThanOrEqualTo(all.get(i - 1).get("at").asDouble());
        }
        List<ObjectNode> scaled = new PhillyTrace(PHILLY, 0.01, 0.5, 1, 0, 1_000_000, 100_000, 1e10, null, null)
                .entries(List.of(new GavelGenerator.Tenant("a", "u1"), new GavelGenerator.Tenant("b", "u2")), 1);
        assertThat(scaled.get(5).get("at").asDouble()).isCloseTo(all.get(5).get("at").asDouble() * 0.01, offset(1e-6));
        assertThat(scaled.get(5).get("durationSec").asDouble())
                .isCloseTo(Math.max(1, all.get(5).get("durationSec").asDouble() * 0.5), offset(1e-6));
        assertThat(scaled.get(0).get("queue").asText()).isEqualTo("a");
        assertThat(scaled.get(1).get("user").asText()).isEqualTo("u2");
        List<ObjectNode> small = new PhillyTrace(PHILLY, 1, 1, 1, 0, 1_000_000, 1, 1e10, null, null).entries(List.of(), 1);
        assertThat(small).allMatch(j -> j.get("shards").asInt() == 1).hasSizeLessThan(all.size());
        List<ObjectNode> sampled = new PhillyTrace(PHILLY, 1, 1, 0.5, 0, 1_000_000, 100_000, 1e10, null, null).entries(List.of(), 3);
        assertThat((double) sampled.size() / all.size()).isCloseTo(0.5, offset(0.1));
        assertThat(new PhillyTrace(PHILLY, 1, 1, 1, 10, 20, 100_000, 1e10, null, null).entries(List.of(), 1)).hasSize(20);
    }

    @Test
    void aTraceThatFiltersToNothingIsAnError() {
        assertThatThrownBy(() -> new PhillyTrace(PHILLY, 1, 1, 1, 0, 10, 100_000, 1e10, "no-such-cluster", null).entries(List.of(), 1))
                .isInstanceOf(ValidationException.class).hasMessageContaining("no job left");
    }
}
