package io.tessera.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Queue definitions: defaults, every bad value named by its field, and who may submit. */
class QueueSpecTest {
    private static QueueSpec bind(String yaml) {
        JsonNode doc = Documents.parse(yaml.getBytes(StandardCharsets.UTF_8), "application/yaml");
        return ConfigLoader.bind(doc, QueueSpec.class);
    }

    private static List<String> fields(String yaml) {
        try {
            bind(yaml);
            throw new AssertionError("accepted: " + yaml);
        } catch (ValidationException e) {
            return e.errors().stream().map(ValidationError::field).toList();
        }
    }

    @Test
    void defaultsAreFilledIn() {
        QueueSpec q = bind("name: ml\n");
        assertThat(q.weight()).isEqualTo(1.0);
        assertThat(q.quota()).isEqualTo(QueueSpec.Quota.NONE);
        assertThat(q.defaultPriority()).isZero();
        assertThat(q.maxPriority()).as("well below the 1000 only admins may ask for").isEqualTo(100);
        assertThat(q.admits("anyone", Set.of())).isTrue();
    }

    @Test
    void everyBadValueIsNamed() {
        assertThat(fields("name: 'bad name'\n")).containsExactly("name");
        assertThat(fields("name: q\nweight: 0\n")).containsExactly("weight");
        assertThat(fields("name: q\nquota: {tflops: -5}\n")).containsExactly("quota.tflops");
        assertThat(fields("name: q\nquota: {tflops: lots}\n")).containsExactly("quota.tflops");
        assertThat(fields("name: q\nquota: {devices: {nvidia: -1}}\n")).containsExactly("quota.devices.nvidia");
        assertThat(fields("name: q\nborrowingLimit: -1\n")).containsExactly("borrowingLimit");
        assertThat(fields("name: q\nmaxPriority: 2000\n")).containsExactly("maxPriority");
        assertThat(fields("name: q\ndefaultPriority: 10\nmaxPriority: 5\n")).containsExactly("defaultPriority");
        assertThat(fields("name: q\nmaxVendorShare: 1.5\n")).containsExactly("maxVendorShare");
        assertThat(fields("name: q\ncohort: 'a b'\n")).containsExactly("cohort");
        assertThat(fields("name: q\nwieght: 2\n")).hasSize(1);
    }

    @Test
    void usersAndGroupsLimitWhoMaySubmit() {
        QueueSpec q = bind("name: q\nusers: [alice]\ngroups: [ml-team]\n");
        assertThat(q.admits("alice", Set.of())).isTrue();
        assertThat(q.admits("bob", Set.of("ml-team"))).isTrue();
        assertThat(q.admits("bob", Set.of("other"))).isFalse();
    }

    @Test
    void aQueueDefinedTwiceInTheConfigIsRefused() {
        JsonNode doc = Documents.parse("queues: [{name: a}, {name: a}]\n".getBytes(StandardCharsets.UTF_8),
                "application/yaml");
        assertThatThrownBy(() -> ConfigLoader.bind(doc, SchedulerConfig.class)).isInstanceOfSatisfying(
                ValidationException.class, e -> assertThat(e.errors().get(0).field()).isEqualTo("queues[1].name"));
    }
}
