package io.tessera.agent.worker;

import io.tessera.config.wire.ShardReport;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What one line of a worker's output says about its training, in the formats Tessera reads
 * without changes to the script. Pure.
 * <ul>
 *   <li>Tessera's own {@code TESSERA_PROGRESS step=N total=M samples_per_sec=X split=V key=value...}:
 *       every other numeric {@code key=value} is a named metric (the Python helper
 *       {@code tessera.report(step=..., loss=...)} prints these);</li>
 *   <li>the dicts Hugging Face Trainer logs, {@code {'loss': 2.31, 'grad_norm': 1.2, 'learning_rate': 5e-05, 'epoch': 0.1}};</li>
 *   <li>tqdm progress bars, Hugging Face Trainer's and PyTorch Lightning's:
 *       {@code Epoch 2:  45%|####5     | 450/1000 [00:30<00:36, 15.00it/s, v_num=0, loss=2.310]}: the step
 *       (an epoch's bar counts on from the epochs before it) and the bar's {@code key=value} figures.</li>
 * </ul>
 *
 * @param format  which format the line is in
 * @param step    the step it names, if any
 * @param total   the step count it names, if any
 * @param metrics its named figures (finite numbers, names of at most 64 safe characters)
 */
record TrainingLogLine(Format format, Long step, Long total, Map<String, Double> metrics) {
    /** The formats read. */
    enum Format { TESSERA, HF_DICT, TQDM }

    private static final Pattern KEY_VALUE = Pattern.compile("(?:^|[\\s,])([A-Za-z_][A-Za-z0-9_./-]{0,63})=(-?[0-9][0-9.]*(?:[eE][-+]?[0-9]+)?)(?=[\\s,\\]]|$)");
    private static final Pattern HF_PAIR = Pattern.compile("'([A-Za-z_][A-Za-z0-9_./-]{0,63})': (-?[0-9][0-9.]*(?:[eE][-+]?[0-9]+)?)");
    private static final Pattern HF_DICT = Pattern.compile("^\\s*\\{'[A-Za-z_][A-Za-z0-9_./-]{0,63}': -?[0-9].*}\\s*$");
    private static final Pattern TQDM = Pattern.compile("(?:Epoch (\\d{1,9})\\b[^|]*)?\\|[^|]*\\|\\s*(\\d{1,12})/(\\d{1,12}) \\[([^\\]]*)");
    /** Tessera's own fields, not metrics. */
    private static final Set<String> OWN = Set.of("step", "total", "samples_per_sec", "split");
    /** tqdm's own postfix entries, not the script's. */
    private static final Set<String> TQDM_OWN = Set.of("v_num");

    TrainingLogLine {
        metrics = Map.copyOf(metrics);
    }

    /** What {@code line} says, if it is in one of the formats read. */
    static Optional<TrainingLogLine> parse(String line) {
        int own = line.indexOf("TESSERA_PROGRESS ");
        if (own >= 0) {
            return Optional.of(new TrainingLogLine(Format.TESSERA, null, null, pairs(KEY_VALUE, line.substring(own), OWN)));
        }
        if (HF_DICT.matcher(line).matches()) {
            Map<String, Double> m = pairs(HF_PAIR, line, Set.of());
            return m.isEmpty() ? Optional.empty() : Optional.of(new TrainingLogLine(Format.HF_DICT, null, null, m));
        }
        Matcher bar = TQDM.matcher(line);
        if (bar.find()) {
            long n = Long.parseLong(bar.group(2));
            long total = Long.parseLong(bar.group(3));
            boolean epochs = bar.group(1) != null;
            long step = epochs ? Long.parseLong(bar.group(1)) * total + n : n;
            return Optional.of(new TrainingLogLine(Format.TQDM, step, epochs ? null : total,
                    pairs(KEY_VALUE, bar.group(4), TQDM_OWN)));
        }
        return Optional.empty();
    }

    private static Map<String, Double> pairs(Pattern p, String text, Set<String> skip) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (Matcher m = p.matcher(text); m.find() && out.size() < ShardReport.Progress.MAX_METRICS; ) {
            if (skip.contains(m.group(1))) {
                continue;
            }
            try {
                double v = Double.parseDouble(m.group(2));
                if (Double.isFinite(v)) {
                    out.put(m.group(1), v);
                }
            } catch (NumberFormatException e) {
                // "1.2.3" is no number: not a metric
            }
        }
        return out;
    }
}
