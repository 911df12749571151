package io.tessera.scheduler.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.config.ChipCatalog;
import io.tessera.config.JobSpecParser;
import io.tessera.config.QueueSpec;
import io.tessera.config.QueueSpec.Quota;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.JobState;
import io.tessera.scheduler.policy.VictimSelector.Candidate;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Invariants of quota admission and victim selection over generated cohorts and candidates. */
class TenancyPropertiesTest {
    private static final JobSpecParser PARSER = new JobSpecParser(ChipCatalog.builtIn());

    /** Whatever is admitted keeps each queue within quota plus borrowing limit, and the cohort within its total. */
    @Property(tries = 500)
    void admissionNeverBreaksAQuotaOrTheCohortTotal(
            @ForAll @Size(min = 1, max = 4) List<@DoubleRange(min = 0, max = 1000) Double> quotas,
            @ForAll @Size(min = 1, max = 40) List<@IntRange(min = 0, max = 3) Integer> arrivals,
            @ForAll @Size(min = 1, max = 40) List<@DoubleRange(min = 1, max = 400) Double> charges,
            @ForAll @DoubleRange(min = 0, max = 500) double borrowingLimit) {
        Map<String, QueueSpec> queues = new HashMap<>();
        for (int i = 0; i < quotas.size(); i++) {
            queues.put("q" + i, new QueueSpec("q" + i, 1.0, new Quota(quotas.get(i), Map.of()), i == 0 ? borrowingLimit
                    : null, "lab", null, null, null, null, null, null, null));
        }
        QueueUsage usage = new QueueUsage(Map.of(), Map.of(), Map.of());
        for (int k = 0; k < arrivals.size(); k++) {
            String q = "q" + (arrivals.get(k) % quotas.size());
            QuotaCharge c = new QuotaCharge(charges.get(k % charges.size()), Map.of());
            if (QuotaPolicy.admit(queues.get(q), queues, usage, c) instanceof QuotaPolicy.Admission.Admit) {
                usage = usage.plus(q, "u", c);
            }
        }
        double total = 0;
        for (QueueSpec q : queues.values()) {
            double used = usage.of(q.name()).tflops();
            total += used;
            if (q.borrowingLimit() != null) {
                assertThat(used).isLessThanOrEqualTo(q.quota().tflops() + q.borrowingLimit() + 1e-6);
            }
        }
        assertThat(total).isLessThanOrEqualTo(QuotaPolicy.cohortQuota("lab", queues) + 1e-6);
    }

    /** The victims always make the gang fit, and sparing any one of them would not. */
    @Property(tries = 500)
    void victimsAreEnoughAndNoneIsSuperfluous(
            @ForAll @Size(min = 0, max = 12) List<@IntRange(min = 1, max = 8) Integer> frees,
            @ForAll @IntRange(min = 1, max = 40) int need) {
        List<Candidate> candidates = new ArrayList<>();
        Map<String, Integer> freed = new HashMap<>();
        for (int i = 0; i < frees.size(); i++) {
            JobRecord j = job("v" + i, i % 3);
            freed.put(j.id(), frees.get(i));
            candidates.add(new Candidate(j, i * 7 % 5));
        }
        Predicate<List<JobRecord>> fits = gone -> gone.stream().mapToInt(j -> freed.get(j.id())).sum() >= need;
        Optional<List<JobRecord>> victims = VictimSelector.select(candidates, fits);
        int all = frees.stream().mapToInt(Integer::intValue).sum();
        assertThat(victims.isPresent()).isEqualTo(all >= need && !frees.isEmpty());
        victims.ifPresent(v -> {
            assertThat(fits.test(v)).isTrue();
            for (JobRecord spared : v) {
                List<JobRecord> fewer = new ArrayList<>(v);
                fewer.remove(spared);
                assertThat(fits.test(fewer)).as("%s is needed", spared.id()).isFalse();
            }
        });
    }

    private static JobRecord job(String id, int priority) {
        return new JobRecord(new JobRecord.Identity(id, 1, "u", "t"),
                PARSER.parse(("name: v\npriority: " + priority + "\ncommand: [w]\nshards: 1\n"
                + "flopsPerSample: 1e12\nmemoryPerShardGiB: 1\nglobalBatch: 8\n").getBytes(StandardCharsets.UTF_8),
                "application/yaml"),
                new JobRecord.Lifecycle(JobState.RUNNING, false, 1, 0, 0),
                null, List.of(), null, List.of());
    }
}
