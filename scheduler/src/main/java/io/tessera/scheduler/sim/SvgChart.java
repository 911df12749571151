package io.tessera.scheduler.sim;

import java.util.List;
import java.util.Locale;

/**
 * A self-contained SVG line chart: axes with round ticks, one polyline per series, a legend.
 * Series longer than {@link #MAX_POINTS} are thinned to that many points (first and last kept).
 * Pure; text is escaped.
 */
public final class SvgChart {
    static final int MAX_POINTS = 1500;
    private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
        "#e377c2", "#7f7f7f", "#17becf", "#bcbd22"};
    private static final int W = 720;
    private static final int H = 320;
    private static final int L = 70;
    private static final int R = 20;
    private static final int T = 36;
    private static final int B = 48;

    /** One line: points (x, y), x increasing; {@code steps} draws it as a step function. */
    public record Series(String name, double[] x, double[] y, boolean steps) {
    }

    private SvgChart() {
    }

    public static String lines(String title, String xLabel, String yLabel, List<Series> series) {
        double x0 = Double.MAX_VALUE;
        double x1 = -Double.MAX_VALUE;
        double y1 = 0;
        for (Series s : series) {
            for (int i = 0; i < s.x().length; i++) {
                x0 = Math.min(x0, s.x()[i]);
                x1 = Math.max(x1, s.x()[i]);
                y1 = Math.max(y1, s.y()[i]);
            }
        }
        if (x0 > x1) {
            x0 = 0;
            x1 = 1;
        }
        x1 = x1 <= x0 ? x0 + 1 : x1;
        double yTop = nice(y1 <= 0 ? 1 : y1);
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
                + "width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"%s\">", W, H, W, H, esc(title)));
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"20\" font-size=\"15\" font-weight=\"bold\">%s</text>",
                L, esc(title)));
        axes(b, x0, x1, yTop, xLabel, yLabel);
        for (int k = 0; k < series.size(); k++) {
            polyline(b, series.get(k), x0, x1, yTop, COLOURS[k % COLOURS.length]);
            b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"3\" fill=\"%s\"/>"
                    + "<text x=\"%d\" y=\"%d\" font-size=\"11\">%s</text>", W - R - 170, T + 8 + 15 * k,
                    COLOURS[k % COLOURS.length], W - R - 152, T + 13 + 15 * k, esc(series.get(k).name())));
        }
        return b.append("</svg>").toString();
    }

    private static void axes(StringBuilder b, double x0, double x1, double yTop, String xLabel, String yLabel) {
        int pw = W - L - R;
        int ph = H - T - B;
        b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
                + "stroke=\"#999\"/>", L, T, pw, ph));
        for (int i = 0; i <= 5; i++) {
            double yv = yTop * i / 5;
            double py = T + ph - ph * i / 5.0;
            b.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">%s</text>", L, L + pw, py, py,
                    L - 6, py + 4, label(yv)));
            double xv = x0 + (x1 - x0) * i / 5;
            double px = L + pw * i / 5.0;
            b.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">%s</text>",
                    px, T + ph + 16, label(xv)));
        }
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\">%s</text>",
                L + pw / 2, H - 10, esc(xLabel)));
        b.append(String.format(Locale.ROOT, "<text x=\"14\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\" "
                + "transform=\"rotate(-90 14 %d)\">%s</text>", T + ph / 2, T + ph / 2, esc(yLabel)));
    }

    private static void polyline(StringBuilder b, Series s, double x0, double x1, double yTop, String colour) {
        int n = s.x().length;
        if (n == 0) {
            return;
        }
        int stride = Math.max(1, (int) Math.ceil(n / (double) MAX_POINTS));
        int pw = W - L - R;
        int ph = H - T - B;
        b.append("<polyline fill=\"none\" stroke-width=\"1.6\" stroke=\"").append(colour).append("\" points=\"");
        double prevY = Double.NaN;
        for (int i = 0; i < n; i = i == n - 1 ? n : Math.min(n - 1, i + stride)) {
            double px = L + pw * (s.x()[i] - x0) / (x1 - x0);
            double py = T + ph - ph * Math.min(1, s.y()[i] / yTop);
            if (s.steps() && !Double.isNaN(prevY)) {
                b.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, prevY));
            }
            b.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
            prevY = py;
        }
        b.append("\"/>");
    }

    /** The smallest of 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 x 10^k at or above {@code v}. */
    static double nice(double v) {
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }

    private static String label(double v) {
        double a = Math.abs(v);
        if (a >= 1e6) {
            return String.format(Locale.ROOT, "%.3gM", v / 1e6);
        }
        if (a >= 1e4) {
            return String.format(Locale.ROOT, "%.3gk", v / 1e3);
        }
        return a >= 10 || a == 0 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.2g", v);
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
