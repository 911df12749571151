package io.tessera.scheduler.model;

import java.util.ArrayList;
import java.util.List;

/** How a full bounded series makes room: every two neighbours merge, the later one staying. */
final class Downsample {
    private Downsample() {
    }

    /** Every second point of {@code points}, from the second on: half as many, the newest kept. */
    static <T> List<T> halve(List<T> points) {
        List<T> halved = new ArrayList<>();
        for (int i = 1; i < points.size(); i += 2) {
            halved.add(points.get(i));
        }
        return halved;
    }
}
