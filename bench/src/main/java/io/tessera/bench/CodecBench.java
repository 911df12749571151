package io.tessera.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import io.tessera.config.Documents;
import io.tessera.config.JobSpec;
import io.tessera.scheduler.model.EventType;
import io.tessera.scheduler.model.JobEvent;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.JobState;
import io.tessera.scheduler.placement.PlacementEngine;
import io.tessera.scheduler.placement.PlacementPolicy;
import io.tessera.scheduler.placement.PlacementResult.Plan;
import io.tessera.scheduler.state.Codec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What compact serialization of the hottest record would save: a placed 8-shard gang job of the
 * load harness's workload (8 devices per shard, 6 events), as the JSON string the store keeps
 * today and as CBOR (binary JSON, the same Jackson bindings). {@link #main} prints the sizes; the
 * benchmarks time an encode and a decode of each.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class CodecBench {
    /** The store's JSON mapper, settings and modules alike, writing CBOR. */
    private static final ObjectMapper CBOR = Documents.json().copyWith(new CBORFactory());
    private JobRecord job;
    private String json;
    private byte[] cbor;

    @Setup
    public void setup() throws Exception {
        job = sampleJob();
        json = Codec.encode(job);
        cbor = CBOR.writeValueAsBytes(job);
    }

    static JobRecord sampleJob() {
        JobSpec spec = Fleets.job("8", "");
        Plan plan = (Plan) new PlacementEngine().place(Fleets.fleet(9000, 0, 1), "job-000123", spec,
                PlacementPolicy.DEFAULT);
        List<JobEvent> events = new ArrayList<>();
        for (EventType type : List.of(EventType.SUBMITTED, EventType.WAITING, EventType.PLACED, EventType.RUNNING,
                EventType.REBALANCED, EventType.PREEMPTING)) {
            events.add(new JobEvent("2026-12-01T13:00:00.123Z", type, type.name().toLowerCase(Locale.ROOT) + ": "
                    + "attempt 1 of job-000123 on 8 shards"));
        }
        return new JobRecord(new JobRecord.Identity("job-000123", 123, "alice", "2026-12-01T13:00:00.000Z"),
                spec,
                new JobRecord.Lifecycle(JobState.RUNNING, false, 1, 0, 0),
                plan, events, null, List.of());
    }

    @Benchmark
    public String jsonEncode() {
        return Codec.encode(job);
    }

    @Benchmark
    public JobRecord jsonDecode() {
        return Codec.decode(json, JobRecord.class);
    }

    @Benchmark
    public byte[] cborEncode() throws Exception {
        return CBOR.writeValueAsBytes(job);
    }

    @Benchmark
    public JobRecord cborDecode() throws Exception {
        return CBOR.readValue(cbor, JobRecord.class);
    }

    public static void main(String[] args) throws Exception {
        JobRecord job = sampleJob();
        byte[] json = Codec.encode(job).getBytes(StandardCharsets.UTF_8);
        byte[] cbor = CBOR.writeValueAsBytes(job);
        System.out.printf(Locale.ROOT, "placed 8-shard job record: JSON %d bytes, CBOR %d bytes (%.2f of JSON)%n",
                json.length, cbor.length, (double) cbor.length / json.length);
    }
}
