package io.tessera.scheduler.loop;

import io.tessera.config.EffectiveWorker;
import io.tessera.config.wire.ShardPhase;
import io.tessera.config.wire.ShardReport;
import io.tessera.scheduler.loop.JobLifecycle.Action;
import io.tessera.scheduler.loop.JobLifecycle.Transition;
import io.tessera.scheduler.model.EventType;
import io.tessera.scheduler.model.JobEvent;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.JobState;
import io.tessera.scheduler.placement.ShardPlan;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Pins the image digest every shard of a placed attempt starts on. An agent makes a shard's image
 * present and reports the digest it resolved, then waits; once every shard that runs in an image
 * has reported, and the shards of each image reference agree, the digests are written into their
 * assignments ({@link Action#PIN_IMAGES}) and the agents start them. Shards of one image that
 * resolved it differently (a tag moved during a rollout, a node with a stale copy) never run: the
 * job fails at once, naming the nodes and digests, without spending a restart. Pure.
 */
public final class ImagePins {
    private ImagePins() {
    }

    /**
     * The pinning step of {@code job} given its current attempt's reports by shard, if it has one
     * now: pin, or fail on a mismatch. Empty when the job runs no image, its attempt is pinned
     * already, or a shard has not reported its digest yet.
     */
    public static Optional<Transition> decide(JobRecord job, Map<Integer, ShardReport> current, String now) {
        if (job.state() != JobState.PLACED || job.placement() == null || !job.spec().usesImages() || pinned(job)) {
            return Optional.empty();
        }
        Map<String, Map<String, String>> digestsByImage = new TreeMap<>(); // image -> digest -> "shard N on node"
        for (ShardPlan s : job.placement().shards()) {
            EffectiveWorker w = job.spec().workerFor(s.chipType(), s.vendor());
            if (w.image() == null) {
                continue;
            }
            ShardReport r = current.get(s.shard());
            if (r == null || r.imageDigest() == null || r.phase() != ShardPhase.STARTING) {
                return Optional.empty(); // not every image shard is ready: wait
            }
            digestsByImage.computeIfAbsent(w.image(), k -> new TreeMap<>())
                    .merge(r.imageDigest(), "shard " + s.shard() + " on " + s.node(), (a, b) -> a + ", " + b);
        }
        for (Map.Entry<String, Map<String, String>> e : digestsByImage.entrySet()) {
            if (e.getValue().size() > 1) {
                return Optional.of(mismatch(job, e.getKey(), e.getValue(), now));
            }
        }
        List<String> pins = digestsByImage.entrySet().stream()
                .map(e -> e.getKey() + " = " + e.getValue().keySet().iterator().next()).toList();
        JobRecord next = job.withEvent(new JobEvent(now, EventType.IMAGES_PINNED, "every shard starts on the digest "
                + "its image resolved to: " + String.join("; ", pins), job.attempt(), null));
        return Optional.of(new Transition(next, List.of(Action.PIN_IMAGES)));
    }

    /** The digest each image shard of {@code job} reported, by shard: what {@link Action#PIN_IMAGES} writes. */
    public static Map<Integer, String> digests(JobRecord job, Map<Integer, ShardReport> current) {
        Map<Integer, String> out = new TreeMap<>();
        for (ShardPlan s : job.placement().shards()) {
            ShardReport r = current.get(s.shard());
            if (job.spec().workerFor(s.chipType(), s.vendor()).image() != null && r != null && r.imageDigest() != null) {
                out.put(s.shard(), r.imageDigest());
            }
        }
        return out;
    }

    private static boolean pinned(JobRecord job) {
        return job.events().stream().anyMatch(e -> e.type() == EventType.IMAGES_PINNED && e.attempt() != null
                && e.attempt() == job.attempt());
    }

    private static Transition mismatch(JobRecord job, String image, Map<String, String> byDigest, String now) {
        StringBuilder where = new StringBuilder();
        byDigest.forEach((digest, shards) -> where.append(where.isEmpty() ? "" : "; ").append(shards).append(": ").append(digest));
        JobRecord failed = job.withEvent(new JobEvent(now, EventType.SHARD_REFUSED, "image " + image
                        + " resolved to different digests on the nodes of this job (" + where + "), so none of its shards "
                        + "was started: name the image by digest (" + image.replaceAll("[:@].*$", "") + "@sha256:...) or "
                        + "make its tag the same on every node"))
                .withState(JobState.FAILED).withEvent(new JobEvent(now, EventType.FAILED, "the job cannot run as specified; "
                        + "no restart was spent, since every attempt would meet the same images"));
        return new Transition(failed, List.of(Action.RELEASE_DEVICES));
    }
}
