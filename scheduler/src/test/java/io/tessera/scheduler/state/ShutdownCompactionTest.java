package io.tessera.scheduler.state;

import io.tessera.scheduler.state.jdbc.Database;
import io.tessera.scheduler.state.jdbc.JdbcMapStore;
import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On a real embedded H2 file opened with the scheduler's URL: rewriting the same rows one commit
 * at a time grows the file far past its live data; {@link Database#close} compacts it back near
 * the live size, and on reopening every row is there with its last value. A plain close of the
 * pool leaves the file as it was.
 */
class ShutdownCompactionTest {
    @TempDir
    Path dir;

    @Test
    void closingCompactsARewrittenFileAndKeepsEveryRow() {
        Map<String, String> last = new HashMap<>();
        Path file = dir.resolve("tessera.mv.db");
        HikariDataSource db = open();
        JdbcMapStore table = new JdbcMapStore(db, "t_rows", false);
        for (int round = 0; round < 8; round++) {
            for (int k = 0; k < 300; k++) {
                String value = ("round " + round + " row " + k + " ").repeat(40);
                table.store("row-" + k, value);
                last.put("row-" + k, value);
            }
        }
        long live = 300L * last.get("row-0").length();
        long grown = size(file);
        assertThat(grown).as("the file grew far past its live data").isGreaterThan(8 * live);
        Database.close(db);
        assertThat(size(file)).as("compacted at close").isLessThan(grown / 3);
        try (HikariDataSource again = open()) {
            assertThat(new JdbcMapStore(again, "t_rows", false).loadAll(List.copyOf(last.keySet()))).isEqualTo(last);
        }
    }

    private HikariDataSource open() {
        HikariConfig h = new HikariConfig();
        // MAX_COMPACT_TIME=0 takes away H2's own compaction at close (200 ms by default), which a
        // small file fits in but a fleet's does not (DbGrowth: 221 MiB left for 19 MiB live).
        h.setJdbcUrl(Database.embeddedUrl(dir.resolve("tessera")) + ";MAX_COMPACT_TIME=0");
        h.setUsername("sa");
        h.setPassword("");
        return new HikariDataSource(h);
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
