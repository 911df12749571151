package io.tessera.agent.detect;

import java.util.List;

/** What a parser read: the devices it understood and a problem for everything it could not. */
public record Parsed(List<GpuReading> readings, List<String> problems) {
    public Parsed {
        readings = List.copyOf(readings);
        problems = List.copyOf(problems);
    }
}
