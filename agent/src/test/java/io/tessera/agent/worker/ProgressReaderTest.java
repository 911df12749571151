package io.tessera.agent.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the agent reads of a worker's progress: step, total, smoothed measured rate, split, checkpoint. */
class ProgressReaderTest {
    @TempDir
    Path dir;

    @Test
    void theRateIsTheMedianOfTheLatestStepsOfTheCurrentSplitAndOneSlowStepDoesNotMoveIt() throws Exception {
        StringBuilder log = new StringBuilder("starting\n");
        for (int step = 1; step <= 12; step++) {
            double rate = step == 11 ? 5.0 : 30.0 + (step % 2); // one stalled step among 30s and 31s
            log.append("TESSERA_PROGRESS step=").append(step).append(" total=40 loss=0.5 samples=64 samples_per_sec=")
                    .append(rate).append(" step_sec=2.1 split=0\n");
        }
        log.append("TESSERA_CHECKPOINT step=10\n");
        Path file = Files.writeString(dir.resolve("a.log"), log);
        ProgressReader.Progress p = ProgressReader.latest(file).orElseThrow();
        assertThat(p.step()).isEqualTo(12);
        assertThat(p.total()).isEqualTo(40);
        assertThat(p.split()).isZero();
        assertThat(p.checkpoint()).isEqualTo(10);
        assertThat(p.samplesPerSec()).isEqualTo(30.0); // median of steps 5..12 (5, 30 x4, 31 x3): the stall ignored
    }

    @Test
    void aNewSplitStartsItsOwnMeasurement() throws Exception {
        Path file = Files.writeString(dir.resolve("b.log"), """
                TESSERA_PROGRESS step=1 total=9 samples=64 samples_per_sec=20.0 split=0
                TESSERA_PROGRESS step=2 total=9 samples=64 samples_per_sec=20.0 split=0
                TESSERA_REBALANCED step=2 version=1 micro_batch=50 accumulation=1
                TESSERA_PROGRESS step=3 total=9 samples=50 samples_per_sec=28.0 split=1
                """);
        ProgressReader.Progress p = ProgressReader.latest(file).orElseThrow();
        assertThat(p.split()).isEqualTo(1);
        assertThat(p.samplesPerSec()).isEqualTo(28.0);
    }

    @Test
    void aWorkerThatSaysNoSplitOrRateReportsNone() throws Exception {
        Path file = Files.writeString(dir.resolve("c.log"), "TESSERA_PROGRESS step=7 total=9\n");
        ProgressReader.Progress p = ProgressReader.latest(file).orElseThrow();
        assertThat(p.split()).isNull();
        assertThat(p.samplesPerSec()).isNull();
        assertThat(p.step()).isEqualTo(7);
    }
}
