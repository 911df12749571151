package io.tessera.scheduler.sim;

import io.tessera.config.ChipCatalog;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;

/**
 * {@code report.html}: one self-contained page (inline SVG and CSS, no script, nothing fetched)
 * with the run's figures and four charts (five when failures were recovered: the jobs' ETTR CDF): the JCT CDF of
 * the measured jobs, queue length over
 * time, utilization over time per vendor, and each queue's share of the normalized TFLOPS held.
 */
public final class SimReport {
    private SimReport() {
    }

    public static String html(Map<String, Object> summary, SimRecorder rec, ChipCatalog catalog) {
        StringBuilder b = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<title>Tessera simulation report</title><style>body{font-family:sans-serif;margin:24px;color:#222}"
                + "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}"
                + "svg{display:block;margin:18px 0}</style></head><body>\n");
        b.append("<h1>Tessera simulation: policy ").append(SvgChart.esc(String.valueOf(summary.get("policy"))))
                .append("</h1>\n<table id=\"summary\">");
        summary.forEach((k, v) -> b.append("<tr><th>").append(SvgChart.esc(k)).append("</th><td>")
                .append(SvgChart.esc(String.valueOf(v))).append("</td></tr>"));
        b.append("</table>\n");
        b.append(jctCdf(rec)).append('\n');
        if (rec.recovery().rungsTaken().values().stream().anyMatch(n -> n > 0)) {
            b.append(ettrCdf(rec)).append('\n');
        }
        List<SimRecorder.Sample> s = rec.samples();
        double scale = timeScale(rec);
        String unit = scale == 3600 ? "hours" : scale == 60 ? "minutes" : "seconds";
        b.append(SvgChart.lines("Queue length", "time (" + unit + ")", "jobs waiting",
                List.of(series("queued", s, scale, x -> x.queued())))).append('\n');
        TreeSet<String> vendors = new TreeSet<>();
        s.forEach(x -> vendors.addAll(x.upByVendor().keySet()));
        List<SvgChart.Series> util = new ArrayList<>();
        for (String v : vendors) {
            util.add(series(v, s, scale, x -> x.upByVendor().getOrDefault(v, 0) == 0 ? 0
                    : x.busyByVendor().getOrDefault(v, 0) / (double) x.upByVendor().get(v)));
        }
        b.append(SvgChart.lines("Utilization per vendor", "time (" + unit + ")", "devices in use / devices up", util))
                .append('\n');
        TreeSet<String> queues = new TreeSet<>();
        s.forEach(x -> queues.addAll(x.tflopsByQueue().keySet()));
        List<SvgChart.Series> share = new ArrayList<>();
        for (String q : queues) {
            share.add(series(q, s, scale, x -> {
                double total = x.tflopsByQueue().values().stream().mapToDouble(Double::doubleValue).sum();
                return total <= 0 ? 0 : x.tflopsByQueue().getOrDefault(q, 0.0) / total;
            }));
        }
        b.append(SvgChart.lines("Share of normalized TFLOPS held, per queue", "time (" + unit + ")", "share", share))
                .append('\n');
        return b.append("</body></html>\n").toString();
    }

    private static String jctCdf(SimRecorder rec) {
        List<Double> jct = new ArrayList<>();
        rec.jobs().forEach(t -> {
            if (t.measured && t.completed()) {
                jct.add(t.jctSec());
            }
        });
        return cdf("JCT CDF (" + jct.size() + " measured jobs)", "job completion time (s)", "JCT", jct);
    }

    /** A CDF chart of {@code values}: each value against the fraction of values at or below it. */
    private static String cdf(String title, String xLabel, String name, List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(Double::compare);
        double[] x = new double[sorted.size()];
        double[] y = new double[sorted.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = sorted.get(i);
            y[i] = (i + 1) / (double) x.length;
        }
        return SvgChart.lines(title, xLabel, "fraction of jobs", List.of(new SvgChart.Series(name, x, y, true)));
    }

    /** Each started job's effective training time ratio, as a CDF: how much of its wall time failures cost it. */
    private static String ettrCdf(SimRecorder rec) {
        List<Double> e = new ArrayList<>();
        rec.jobs().forEach(t -> {
            String v = Summary.ettr(rec, t);
            if (!v.isEmpty()) {
                e.add(Double.parseDouble(v));
            }
        });
        return cdf("ETTR per job, CDF (" + e.size() + " jobs)", "productive training time / wall time", "ETTR", e);
    }

    private static double timeScale(SimRecorder rec) {
        double end = rec.lastEndMs() / 1000.0;
        return end > 3 * 3600 ? 3600 : end > 180 ? 60 : 1;
    }

    private static SvgChart.Series series(String name, List<SimRecorder.Sample> s, double scale,
                                          ToDoubleFunction<SimRecorder.Sample> f) {
        double[] x = new double[s.size()];
        double[] y = new double[s.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = s.get(i).atMs() / 1000.0 / scale;
            y[i] = f.applyAsDouble(s.get(i));
        }
        return new SvgChart.Series(name, x, y, true);
    }

    /** The sweep's figure: average JCT against load, one line per policy (Gavel's Figure 8 form). */
    public static String sweep(List<Double> rates, Map<String, List<Double>> avgJctByPolicy, String table) {
        List<SvgChart.Series> lines = new ArrayList<>();
        double[] x = rates.stream().mapToDouble(Double::doubleValue).toArray();
        avgJctByPolicy.forEach((p, v) -> lines.add(new SvgChart.Series(p, x,
                v.stream().mapToDouble(d -> d / 3600).toArray(), false)));
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Tessera simulation sweep</title>"
                + "<style>body{font-family:sans-serif;margin:24px}table{border-collapse:collapse}td,th{border:1px "
                + "solid #ccc;padding:3px 8px}</style></head><body>\n<h1>Average JCT against load</h1>\n"
                + SvgChart.lines("Average JCT against input job rate", "input job rate (jobs/hour)",
                "average JCT (hours)", lines) + "\n" + table + "\n</body></html>\n";
    }

    static String fmt(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }
}
