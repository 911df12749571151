package io.tessera.scheduler.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.config.wire.DeviceReport;
import io.tessera.scheduler.events.SchedulerEvents;
import io.tessera.scheduler.model.FleetUsage;
import io.tessera.scheduler.model.NodeRecord;
import io.tessera.scheduler.model.NodeState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The leader samples the fleet's use per vendor into the kept series, as every reader counts devices. */
class FleetSamplerTest {

    @Test
    void theLeaderKeepsTheFleetsUseOverTimeAndSamplesSoonAfterAChange() {
        ModelFleet fleet = new ModelFleet();
        SchedulingLoop loop = fleet.loop("m", SchedulerEvents.NONE, BlockedSet.remembering());
        loop.pass();
        FleetUsage series = fleet.store.telemetry().fleet();
        assertThat(series.points()).as("a new term samples at once").hasSize(1);
        assertThat(series.points().get(0).byVendor()).containsEntry("nvidia", new FleetUsage.Use(0, 24))
                .containsEntry("huawei", new FleetUsage.Use(0, 24));

        Random random = new Random(3);
        fleet.clock.advance(Duration.ofSeconds(10)); // nothing changed: nothing written
        fleet.act(40, random); // the agents heartbeat
        loop.pass();
        assertThat(fleet.store.telemetry().fleet().points()).hasSize(1);

        fleet.submit(random);
        loop.pass(); // placed now; the use is sampled at the next look
        fleet.clock.advance(Duration.ofMillis(FleetSampler.CHANGE_MS));
        fleet.act(40, random);
        loop.pass();
        FleetUsage.Point busy = fleet.store.telemetry().fleet().last().orElseThrow();
        assertThat(busy.byVendor().values().stream().mapToInt(FleetUsage.Use::allocated).sum())
                .as("the placed job's devices, seen within a few seconds").isPositive();
        assertThat(fleet.store.telemetry().fleet().points()).hasSize(2);

        fleet.clock.advance(Duration.ofMillis(FleetUsage.FIRST_SPACING_MS));
        fleet.act(40, random);
        loop.pass();
        assertThat(fleet.store.telemetry().fleet().points()).as("a minute on, a point though nothing changed").hasSize(3);
    }

    @Test
    void aNewLeaderCarriesTheSeriesOn() {
        ModelFleet fleet = new ModelFleet();
        fleet.loop("first", SchedulerEvents.NONE, BlockedSet.remembering()).pass();
        fleet.clock.advance(Duration.ofMinutes(2));
        fleet.loop("second", SchedulerEvents.NONE, BlockedSet.remembering()).pass();
        assertThat(fleet.store.telemetry().fleet().points()).hasSize(2);
    }

    @Test
    void lostNodesAndUnhealthyDevicesAreNotCountedAsUsable() {
        NodeRecord ready = node("a", NodeState.READY, true);
        NodeRecord lost = node("b", NodeState.LOST, true);
        NodeRecord sick = node("c", NodeState.READY, false);
        FleetUsage.Point p = FleetSampler.point(7, List.of(ready, lost, sick), Map.of(), ModelFleet.CATALOG);
        assertThat(p.atMs()).isEqualTo(7);
        assertThat(p.byVendor()).as("4 on the ready node, none on the lost one, 3 of the sick one's")
                .containsExactly(Map.entry("nvidia", new FleetUsage.Use(0, 7)));
    }

    /** Four H20s, the first of them unhealthy unless {@code healthy}. */
    private static NodeRecord node(String name, NodeState state, boolean healthy) {
        List<DeviceReport> d = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            d.add(DeviceReport.basic(i, name + i, "nvidia-h20", "nvidia-h20", 96, healthy || i > 0, null));
        }
        return new NodeRecord(name, "10.0.0.1", Map.of(), d, state, "t", 0, false);
    }
}
