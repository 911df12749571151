package io.tessera.scheduler.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.scheduler.state.Codec;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Event types are typed in code and stay plain codes on the wire and in the store. */
class EventTypeTest {
    @Test
    void anEventIsStoredWithItsTypeAsAPlainCodeAndReadBack() {
        JobEvent placed = new JobEvent("2026-12-01T00:00:00Z", EventType.PLACED, "placed", 1, List.of("n1"));
        String json = Codec.encode(placed);
        assertThat(json).contains("\"type\":\"PLACED\"");
        assertThat(Codec.decode(json, JobEvent.class)).isEqualTo(placed);
    }

    @Test
    void anEventOfAKindThisVersionDoesNotKnowReadsAsUnknownAndTheRestOfTheRecordSurvives() {
        JobEvent later = Codec.decode("{\"at\":\"2026-12-01T00:00:00Z\",\"type\":\"CHECKPOINTED_BY_A_NEWER_MEMBER\","
                + "\"message\":\"m\"}", JobEvent.class);
        assertThat(later.type()).isEqualTo(EventType.UNKNOWN);
        assertThat(later.message()).isEqualTo("m");
    }
}
