package io.mapcask.jmh;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;
import javax.imageio.ImageIO;
import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;
import org.openjdk.jmh.results.RunResult;

/**
 * The two PNG charts of a run, drawn with XChart, headless: grouped bars per workload row, one
 * bar per engine, on a logarithmic axis (the engines differ by orders of magnitude); each PNG
 * stacks panels drawn by XChart.
 *
 * <ul>
 *   <li>{@code throughput.png}: ops/s of W1 and W2; of W3 (threads / mean latency) with a bar
 *       per Mapcask sync variant, at 1 thread, then by writer threads at the smallest value
 *       size; keys/s of W4 (keys / load time). No error bars: XChart 3.8 draws them wrongly on a
 *       log axis; {@code results.md} has them.
 *   <li>{@code ratios.png}: Mapcask / peer for W1 and W2, then W3 at 1 thread ({@code
 *       always}), W4 and W5 (above 1 Mapcask wins); a panel each, as the in-memory map has no W3
 *       and W5 and Chronicle Map no W3.
 * </ul>
 */
final class BenchChart {
    /** One colour per engine, Mapcask first, in {@link KvEngine#NAMES} order; W3's Mapcask variants in reds. */
    private static final Map<String, Color> COLORS = Map.of(
            "mapcask", new Color(0xD62728),
            "mapcask group", new Color(0x8B0000),
            "mapcask always+single-flush", new Color(0xFF9896),
            "mapcask group+single-flush", new Color(0xE377C2),
            "rocksdb", new Color(0x1F77B4),
            "lmdb", new Color(0x2CA02C),
            "chronicle", new Color(0xFF7F0E),
            "mapdb", new Color(0x9467BD),
            "mvstore", new Color(0x8C564B),
            "chm", new Color(0x7F7F7F));

    private BenchChart() {
    }

    static void throughput(BenchReport report, Path png) throws IOException {
        List<String> es = report.enginesWithResults();
        String keys = String.format(Locale.ROOT, "%,d keys, %s profile", report.keyCount, report.profile);
        List<CategoryChart> panels = new ArrayList<>();
        panel(panels, "W1 put (no sync) and W2 get: ops/s (" + keys + ")", "ops/s (log scale)",
                report.rowsOf("W1", "W2"), es, e -> e, (r, e) -> ops(report, r, e), false);
        panel(panels, "W3 put durable on each write, 1 thread: ops/s = 1 / mean latency (" + keys + ")",
                "ops/s (log scale)", oneThread(report), report.w3Columns(), BenchReport::w3Label,
                (r, e) -> ops(report, r, e), false);
        List<BenchReport.Row> w3 = report.rowsOf("W3");
        int smallest = w3.stream().mapToInt(BenchReport.Row::valueSize).min().orElse(0);
        panel(panels, "W3 put durable on each write by writer threads, " + smallest
                + " B values: ops/s = threads / mean latency (" + keys + ")",
                "ops/s (log scale)", w3.stream().filter(r -> r.valueSize() == smallest).toList(),
                report.w3Columns(), BenchReport::w3Label, (r, e) -> ops(report, r, e), false);
        panel(panels, "W4 bulk load into an empty store, to the end of the final sync: keys/s (" + keys + ")",
                "keys/s (log scale)", report.rowsOf("W4"), es, e -> e, (r, e) -> loadRate(report, r, e), false);
        save(panels, png);
    }

    static void ratios(BenchReport report, Path png) throws IOException {
        List<String> peers = report.enginesWithResults().stream().filter(e -> !e.equals(BenchReport.BASE)).toList();
        List<CategoryChart> panels = new ArrayList<>();
        panel(panels, "How many times better Mapcask is than each peer: W1, W2 (above 1: Mapcask wins)",
                "Mapcask / peer (log scale)", report.rowsOf("W1", "W2"), peers, p -> "vs " + p,
                (r, p) -> report.ratio(r, p), true);
        panel(panels, "... W3 put durable on each write, 1 thread, Mapcask `always` (1 / mean latency)",
                "Mapcask / peer (log scale)", oneThread(report), peers, p -> "vs " + p,
                (r, p) -> report.ratio(r, p), true);
        panel(panels, "... W4 bulk load (the peer's time over Mapcask's)",
                "Mapcask / peer (log scale)", report.rowsOf("W4"), peers, p -> "vs " + p,
                (r, p) -> report.ratio(r, p), true);
        panel(panels, "... W5 reopen to the first get (the peer's time over Mapcask's)",
                "Mapcask / peer (log scale)", report.rowsOf("W5"), peers, p -> "vs " + p,
                (r, p) -> report.ratio(r, p), true);
        save(panels, png);
    }

    /** @return W3's rows of one writer thread */
    private static List<BenchReport.Row> oneThread(BenchReport report) {
        return report.rowsOf("W3").stream().filter(r -> r.method().equals("put")).toList();
    }

    private static double[] ops(BenchReport report, BenchReport.Row r, String e) {
        RunResult res = report.rows.get(r).get(e);
        return res == null ? null : BenchReport.opsPerSecond(res);
    }

    /** @return {keys/s, error} of a W4 load: the key count over the load's time */
    private static double[] loadRate(BenchReport report, BenchReport.Row r, String e) {
        RunResult res = report.rows.get(r).get(e);
        if (res == null) {
            return null;
        }
        double[] ms = BenchReport.millis(res);
        double rate = report.keyCount / (ms[0] / 1e3);
        return new double[] {rate, rate * ms[1] / ms[0]};
    }

    /**
     * Adds a panel of grouped bars: one group per row, one bar per series. XChart's log axis
     * takes no gaps, so a series without a value in every row is left out of this panel, and
     * the title says so.
     */
    private static void panel(List<CategoryChart> panels, String title, String yTitle, List<BenchReport.Row> rows,
            List<String> series, Function<String, String> seriesLabel,
            BiFunction<BenchReport.Row, String, double[]> value, boolean ratio) {
        if (rows.isEmpty()) {
            return;
        }
        List<String> x = rows.stream().map(BenchReport.Row::label).toList();
        List<String> missing = new ArrayList<>();
        CategoryChart chart = null;
        double low = Double.MAX_VALUE;
        double high = 0;
        for (String e : series) {
            List<Double> y = new ArrayList<>();
            List<Double> err = new ArrayList<>();
            for (BenchReport.Row r : rows) {
                double[] v = value.apply(r, e);
                if (v == null || !(v[0] > 0)) {
                    break;
                }
                y.add(v[0]);
                // Only for the axis range: XChart draws error bars wrongly on a log axis, so the
                // chart has none (results.md has them).
                err.add(Double.isNaN(v[1]) ? 0.0 : Math.min(v[1], v[0] * 0.5));
            }
            if (y.size() < rows.size()) {
                missing.add(e);
                continue;
            }
            if (chart == null) {
                chart = chart(title, yTitle);
            }
            for (int i = 0; i < y.size(); i++) {
                low = Math.min(low, y.get(i) - err.get(i));
                high = Math.max(high, y.get(i) + err.get(i));
            }
            chart.addSeries(seriesLabel.apply(e), x, y).setFillColor(COLORS.getOrDefault(e, Color.BLACK));
        }
        if (chart == null) {
            return;
        }
        if (ratio) {
            low = Math.min(low, 0.5);
            high = Math.max(high, 2);
            // The break-even line, and each ratio written on its bar.
            chart.addAnnotation(new AnnotationLine(1.0, false, false));
            chart.getStyler().setLabelsVisible(true);
            chart.getStyler().setDecimalPattern("0.0##");
            chart.getStyler().setLabelsRotation(90);
            chart.getStyler().setLabelsFontColorAutomaticEnabled(false);
            chart.getStyler().setLabelsFontColor(Color.BLACK);
        }
        // XChart's bars start at 0 unless told otherwise, which a log axis refuses: whole decades.
        chart.getStyler().setYAxisMin(Math.pow(10, Math.floor(Math.log10(low))));
        chart.getStyler().setYAxisMax(Math.pow(10, Math.ceil(Math.log10(high))));
        if (!missing.isEmpty()) {
            chart.setTitle(title + "; not shown (no value in every row): " + String.join(", ", missing));
        }
        panels.add(chart);
    }

    /** Stacks the panels, each drawn by XChart, into one PNG. */
    private static void save(List<CategoryChart> panels, Path png) throws IOException {
        if (panels.isEmpty()) {
            return;
        }
        List<BufferedImage> images = new ArrayList<>();
        for (CategoryChart c : panels) {
            images.add(BitmapEncoder.getBufferedImage(c));
        }
        int w = images.stream().mapToInt(BufferedImage::getWidth).max().orElse(1);
        int h = images.stream().mapToInt(BufferedImage::getHeight).sum();
        BufferedImage all = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = all.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        int y = 0;
        for (BufferedImage i : images) {
            g.drawImage(i, 0, y, null);
            y += i.getHeight();
        }
        g.dispose();
        ImageIO.write(all, "png", png.toFile());
    }

    private static CategoryChart chart(String title, String yTitle) {
        CategoryChart chart = new CategoryChartBuilder().width(1600).height(560).title(title).yAxisTitle(yTitle).build();
        var s = chart.getStyler();
        s.setYAxisLogarithmic(true);
        s.setLegendPosition(Styler.LegendPosition.OutsideE);
        s.setXAxisLabelRotation(30);
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotGridVerticalLinesVisible(false);
        s.setAvailableSpaceFill(0.85);
        s.setOverlapped(false);
        return chart;
    }
}
