package io.tessera.agent.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import io.tessera.config.wire.ShardReport;

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
    void aCheckpointLineMaySayHowLongItsWriteTookAndALaterLineWithoutSecondsKeepsTheLastFigure() throws Exception {
        Path file = Files.writeString(dir.resolve("c.log"), """
                TESSERA_PROGRESS step=20 total=90
                TESSERA_CHECKPOINT step=20 seconds=41.25
                TESSERA_PROGRESS step=40 total=90
                TESSERA_CHECKPOINT step=40
                """);
        ProgressReader.Progress p = ProgressReader.latest(file).orElseThrow();
        assertThat(p.checkpoint()).isEqualTo(40);
        assertThat(p.checkpointSec()).isEqualTo(41.25);
        ShardReport.Progress wire = p.toReport(40L, p.checkpointSec());
        assertThat(wire.checkpointSec()).isEqualTo(41.25);
        assertThat(ProgressReader.latest(Files.writeString(dir.resolve("d.log"), "TESSERA_CHECKPOINT step=5\n"))
                .orElseThrow().checkpointSec()).as("a worker that does not say").isNull();
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

    @Test
    void namedFiguresOnTesserasOwnLinesAreMetrics() {
        ProgressReader.Progress p = ProgressReader.read("TESSERA_PROGRESS step=3 total=9 loss=2.5 lr=3e-4 "
                + "samples_per_sec=20.0 split=0 note=text\n").orElseThrow();
        assertThat(p.metrics()).containsOnly(entry("loss", 2.5), entry("lr", 3e-4));
        assertThat(p.samplesPerSec()).isEqualTo(20.0);
    }

    /** What Hugging Face Trainer prints (transformers 4.x, the default PrinterCallback and tqdm), unmodified. */
    @Test
    void huggingFaceTrainersDictsAndBarAreReadWithoutChangesToTheScript() {
        String log = "***** Running training *****\n  Num examples = 2,000\n"
                + "  0%|          | 0/250 [00:00<?, ?it/s]\r  4%|▍         | 10/250 [00:02<00:50,  4.75it/s]\r"
                + "{'loss': 2.3456, 'grad_norm': 1.234, 'learning_rate': 4.8e-05, 'epoch': 0.04}\n"
                + "  8%|▊         | 20/250 [00:04<00:48,  4.76it/s]\r"
                + "{'loss': 2.1, 'grad_norm': 0.98, 'learning_rate': 4.6e-05, 'epoch': 0.08}\n"
                + " 10%|█         | 25/250 [00:05<00:47,  4.76it/s]";
        ProgressReader.Progress p = ProgressReader.read(log).orElseThrow();
        assertThat(p.step()).isEqualTo(25);
        assertThat(p.total()).isEqualTo(250);
        assertThat(p.metrics()).containsEntry("loss", 2.1).containsEntry("learning_rate", 4.6e-05).containsEntry("epoch", 0.08);
    }

    /** PyTorch Lightning's progress bar (2.x, TQDMProgressBar), one bar per epoch, metrics in its postfix. */
    @Test
    void lightningsEpochBarsCountOnAndCarryTheirMetrics() {
        String log = "Epoch 0: 100%|██████████| 100/100 [00:05<00:00, 19.80it/s, v_num=0, train_loss=1.900]\n"
                + "Epoch 1:  45%|████▌     | 45/100 [00:02<00:02, 19.9it/s, v_num=0, train_loss=1.412, val_loss=1.5]";
        ProgressReader.Progress p = ProgressReader.read(log).orElseThrow();
        assertThat(p.step()).as("epoch 1's 45th step is the 145th").isEqualTo(145);
        assertThat(p.total()).as("the epoch count is not in the bar").isNull();
        assertThat(p.metrics()).containsEntry("train_loss", 1.412).containsEntry("val_loss", 1.5).doesNotContainKey("v_num");
    }

    @Test
    void tesserasOwnLinesWinOverABarAndMetricsAreBounded() {
        StringBuilder log = new StringBuilder(" 50%|█████     | 5/10 [00:01<00:01, 4it/s]\nTESSERA_PROGRESS step=7 total=20\n");
        for (int i = 0; i < 40; i++) {
            log.append("TESSERA_PROGRESS step=8 total=20 m").append(i).append("=1.0\n");
        }
        ProgressReader.Progress p = ProgressReader.read(log.toString()).orElseThrow();
        assertThat(p.step()).isEqualTo(8);
        assertThat(p.total()).isEqualTo(20);
        assertThat(p.metrics()).hasSize(ShardReport.Progress.MAX_METRICS);
    }

    @Test
    void linesThatOnlyLookAlikeAreNotMetrics() {
        assertThat(ProgressReader.read("{'name': 'bert'}\nhello x=1.2.3\nDownloading 5/10 files\n")).isEmpty();
    }
}
