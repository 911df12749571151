package io.tessera.scheduler.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tessera.config.ValidationError;
import io.tessera.config.ValidationException;
import io.tessera.config.wire.LogEndpoint;
import org.junit.jupiter.api.Test;

/** An agent may announce a log endpoint on its own address only, so the relay and its key go nowhere else. */
class LogEndpointCheckTest {
    private static final String KEY = "tsl_" + "a".repeat(43);

    @Test
    void theEndpointMustBeOnTheNodesOwnAddress() {
        assertThatCode(() -> WireCheck.logs("10.0.0.7", new LogEndpoint("http://10.0.0.7:41233", KEY))).doesNotThrowAnyException();
        assertThatCode(() -> WireCheck.logs("fd00::7", new LogEndpoint("http://[fd00::7]:41233", KEY))).doesNotThrowAnyException();
        assertThatCode(() -> WireCheck.logs("10.0.0.7", null)).doesNotThrowAnyException();
        for (String url : new String[] {"http://169.254.169.254:80", "http://10.0.0.7:41233/x", "http://10.0.0.7.evil:1",
                "file:///etc/passwd", "http://user@10.0.0.7:1"}) {
            assertThatThrownBy(() -> WireCheck.logs("10.0.0.7", new LogEndpoint(url, KEY))).as(url)
                    .isInstanceOfSatisfying(ValidationException.class,
                            e -> assertThat(e.errors()).extracting(ValidationError::field).containsExactly("logs.url"));
        }
        assertThatThrownBy(() -> WireCheck.logs("10.0.0.7", new LogEndpoint("http://10.0.0.7:1", "hunter2")))
                .isInstanceOf(ValidationException.class);
    }
}
