package io.tessera.scheduler.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.config.wire.ShardPhase;
import io.tessera.config.wire.ShardReport;
import io.tessera.scheduler.model.ShardOutcomes.Outcome;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ShardOutcomesTest {
    private static ShardReport r(int shard, ShardPhase phase, Integer code, Long atMs) {
        return new ShardReport("j", shard, 1, phase, code, null, null, null, null, null, null,
                atMs == null ? null : new ShardReport.Exit(atMs, List.of("line a", "line \u001b[31mb")));
    }

    @Test
    void exitCodesAboveOneTwentyEightAreSignals() {
        assertThat(ShardOutcomes.signal(137)).contains("SIGKILL");
        assertThat(ShardOutcomes.signal(143)).contains("SIGTERM");
        assertThat(ShardOutcomes.signal(139)).contains("SIGSEGV");
        assertThat(ShardOutcomes.signal(134)).contains("SIGABRT");
        assertThat(ShardOutcomes.signal(128 + 40)).contains("signal 40");
        assertThat(ShardOutcomes.signal(1)).isEmpty();
        assertThat(ShardOutcomes.signal(128)).isEmpty();
        assertThat(ShardOutcomes.signal(null)).isEmpty();
    }

    @Test
    void theFirstFailureIsTheEarliestExitThenTheLowestRank() {
        var reports = List.of(r(0, ShardPhase.EXITED, 1, 200L), r(1, ShardPhase.EXITED, 137, 100L),
                r(2, ShardPhase.EXITED, 0, 50L), r(3, ShardPhase.RUNNING, null, null));
        Optional<ShardReport> first = ShardOutcomes.firstFailure(reports);
        assertThat(first).map(ShardReport::shard).contains(1);
        assertThat(reports).extracting(x -> ShardOutcomes.of(x, first))
                .containsExactly(Outcome.PEER_FAILED, Outcome.FAILED, Outcome.SUCCEEDED, Outcome.RUNNING);
        // without exit times, rank decides
        assertThat(ShardOutcomes.firstFailure(List.of(r(2, ShardPhase.EXITED, 1, null), r(1, ShardPhase.EXITED, 1, null))))
                .map(ShardReport::shard).contains(1);
    }

    @Test
    void aShardStoppedByTesseraIsNotAPeerFailure() {
        var first = Optional.of(r(0, ShardPhase.EXITED, 1, 1L));
        assertThat(ShardOutcomes.of(r(1, ShardPhase.KILLED, 143, 5L), first)).isEqualTo(Outcome.STOPPED);
        assertThat(ShardOutcomes.of(r(1, ShardPhase.REFUSED, null, null), Optional.of(r(1, ShardPhase.REFUSED, null, null))))
                .isEqualTo(Outcome.REFUSED);
    }

    @Test
    void theDescriptionNamesTheSignalAndTheLastLineWithoutControlCharacters() {
        String d = ShardOutcomes.describe(r(3, ShardPhase.EXITED, 137, 1L));
        assertThat(d).isEqualTo("shard 3 was killed by SIGKILL (exit code 137); its last output line: line  [31mb");
        assertThat(ShardOutcomes.describe(r(0, ShardPhase.EXITED, 2, null))).isEqualTo("shard 0 exited with code 2");
    }
}
