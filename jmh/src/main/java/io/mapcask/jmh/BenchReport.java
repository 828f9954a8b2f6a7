package io.mapcask.jmh;

import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.util.Statistics;

/**
 * The tables of one {@code ./scripts/bench} run, from JMH's results: throughput with error bars
 * per workload and engine, W3 by writer threads (Mapcask's sync variants against the peers) and
 * its latency percentiles, W4 bulk load times, W5 reopen times, W6 disk bytes, the ratio of
 * Mapcask to each peer, and the targets of issue 5 (met, or missed and by how much).
 *
 * <p>Conventions: every "ratio" is "how many times better Mapcask is": ops/s of Mapcask divided
 * by the peer's, and for times (W4, W5, W6) the peer's time divided by Mapcask's, so above 1
 * Mapcask wins. W3's ops/s is {@code threads / mean latency} (every thread calls back to back).
 * Errors are JMH's 99.9% confidence half-widths; a ratio's error is first-order propagation of
 * both relative errors.
 *
 * <p>Columns: a result's column is its engine, except W3's Mapcask variants other than {@code
 * always} ({@code mapcaskSync}), which get a column of their own ({@link #column}); the tables
 * of every workload show the engines (Mapcask = {@code always}), the W3 tables all variants.
 */
final class BenchReport {
    static final String BASE = MapcaskEngine.NAME;

    /** A row of the tables: one workload variant at one value size. */
    record Row(String workload, String method, int valueSize) {
        String label() {
            String what = switch (workload + "." + method) {
                case "W1.put" -> "W1 put";
                case "W2.get" -> "W2 get";
                case "W2.get2Threads" -> "W2 get, 2 threads";
                case "W2.getMiss90" -> "W2 get, 90% misses";
                case "W3.put" -> "W3 durable put";
                case "W3.put4Threads" -> "W3 durable put, 4 threads";
                case "W3.put16Threads" -> "W3 durable put, 16 threads";
                case "W4.load" -> "W4 bulk load";
                case "W5.reopen" -> "W5 reopen";
                case "W5.reopenAfterKill" -> "W5 reopen after a kill (no keydir checkpoint)";
                case "W6.overwriteAllAndCompact" -> "W6 overwrite all + compact";
                default -> workload + " " + method;
            };
            return what + " " + valueSize + " B";
        }
    }

    final String profile;
    final int keyCount;
    final List<String> engines;
    final Map<String, String> versions;
    final List<BenchMain.Gap> gaps;
    final double minutes;
    /** Row -> column ({@link #column}) -> result, rows in workload, method, value size order. */
    final Map<Row, Map<String, RunResult>> rows;

    BenchReport(String profile, int keyCount, List<String> engines, Map<String, String> versions,
            List<RunResult> results, List<BenchMain.Gap> gaps, double minutes) {
        this.profile = profile;
        this.keyCount = keyCount;
        this.engines = engines;
        this.versions = versions;
        this.gaps = gaps;
        this.minutes = minutes;
        Comparator<Row> order = Comparator.comparing(Row::workload)
                .thenComparingInt(r -> methodOrder(r.workload(), r.method()))
                .thenComparingInt(Row::valueSize);
        Map<Row, Map<String, RunResult>> m = new TreeMap<>(order);
        for (RunResult r : results) {
            var p = r.getParams();
            String bench = p.getBenchmark();
            String method = bench.substring(bench.lastIndexOf('.') + 1);
            String cls = bench.substring(0, bench.lastIndexOf('.'));
            String workload = cls.substring(cls.lastIndexOf('.') + 1, cls.lastIndexOf('.') + 3);
            Row row = new Row(workload, method, Integer.parseInt(p.getParam("valueSize")));
            m.computeIfAbsent(row, k -> new LinkedHashMap<>())
                    .put(column(p.getParam("engine"), p.getParam(BenchMain.MAPCASK_SYNC_PARAM)), r);
        }
        this.rows = m;
    }

    /**
     * @param mapcaskSync W3's {@code mapcaskSync} parameter, null for the other workloads
     * @return the engine's name, or {@code "mapcask <variant>"} for a Mapcask variant other than
     *     {@code always} (the headline, which stays in the {@code mapcask} column)
     */
    static String column(String engine, String mapcaskSync) {
        if (!engine.equals(BASE) || mapcaskSync == null || mapcaskSync.equals(MapcaskEngine.ALWAYS)) {
            return engine;
        }
        return BASE + " " + mapcaskSync;
    }

    /** @return W3's columns with a result: Mapcask's variants, then the peers */
    List<String> w3Columns() {
        List<String> cols = new ArrayList<>();
        for (String v : MapcaskEngine.DURABLE_VARIANTS) {
            cols.add(column(BASE, v));
        }
        cols.addAll(KvEngine.NAMES.stream().filter(e -> !e.equals(BASE)).toList());
        return cols.stream().filter(c -> rowsOf("W3").stream().anyMatch(r -> rows.get(r).containsKey(c))).toList();
    }

    /** @return how W3's tables name a column: Mapcask's headline column by its variant too */
    static String w3Label(String column) {
        return column.equals(BASE) ? BASE + " " + MapcaskEngine.ALWAYS : column;
    }

    /** @return the result of {@code column} in the row {@code (workload, method, valueSize)}, or null */
    RunResult result(String workload, String method, int valueSize, String column) {
        Map<String, RunResult> g = rows.get(new Row(workload, method, valueSize));
        return g == null ? null : g.get(column);
    }

    private static int methodOrder(String workload, String method) {
        for (BenchMain.Workload w : BenchMain.WORKLOADS) {
            if (w.id().equals(workload)) {
                int i = w.methods().indexOf(method);
                return i < 0 ? 99 : i;
            }
        }
        return 99;
    }

    // ------------------------------------------------------------------ figures

    /**
     * @return {ops/s, error} for throughput-like rows (W1, W2, W3), or null; for a time-per-op
     *     mode, {@code threads / mean time} (JMH's threads call back to back)
     */
    static double[] opsPerSecond(RunResult r) {
        Result<?> p = r.getPrimaryResult();
        Mode mode = r.getParams().getMode();
        double score = p.getScore();
        double err = p.getScoreError();
        if (mode == Mode.Throughput) {
            return new double[] {score * perSecond(p.getScoreUnit()), err * perSecond(p.getScoreUnit())};
        }
        if (mode == Mode.SampleTime || mode == Mode.AverageTime) {
            double seconds = score * secondsPer(p.getScoreUnit());
            double ops = r.getParams().getThreads() / seconds;
            return new double[] {ops, Double.isNaN(err) ? Double.NaN : ops * err / score};
        }
        return null;
    }

    /** "ops/s" -> 1, "ops/ms" -> 1e3, "ops/us" -> 1e6. */
    private static double perSecond(String unit) {
        return 1 / secondsPer(unit);
    }

    /** "us/op" -> 1e-6 (the unit's time in seconds). */
    static double secondsPer(String unit) {
        String u = unit.contains("/") ? (unit.startsWith("ops/") ? unit.substring(4) : unit.substring(0, unit.indexOf('/'))) : unit;
        return switch (u) {
            case "ns" -> 1e-9;
            case "us" -> 1e-6;
            case "ms" -> 1e-3;
            case "s" -> 1;
            case "min" -> 60;
            default -> throw new IllegalArgumentException("unit " + unit);
        };
    }

    /** @return {milliseconds, error} of a time-per-op row (W4, W5, W6) */
    static double[] millis(RunResult r) {
        Result<?> p = r.getPrimaryResult();
        double f = secondsPer(p.getScoreUnit()) * 1e3;
        return new double[] {p.getScore() * f, p.getScoreError() * f};
    }

    /** @return Mapcask's advantage over {@code peer} in this row, {ratio, error}, or null */
    double[] ratio(Row row, String peer) {
        Map<String, RunResult> g = rows.get(row);
        if (g == null) {
            return null;
        }
        return advantage(g.get(BASE), g.get(peer));
    }

    /**
     * @return how many times better {@code x} is than {@code y}, {ratio, error}: ops/s over ops/s,
     *     or for times (W4, W5, W6) {@code y}'s time over {@code x}'s; null when either is missing
     */
    static double[] advantage(RunResult x, RunResult y) {
        if (x == null || y == null) {
            return null;
        }
        double[] a;
        double[] b;
        if (x.getParams().getMode() == Mode.SingleShotTime) {
            a = millis(y);
            b = millis(x);
        } else {
            a = opsPerSecond(x);
            b = opsPerSecond(y);
        }
        if (a == null || b == null || b[0] == 0) {
            return null;
        }
        double q = a[0] / b[0];
        double ra = Double.isNaN(a[1]) ? 0 : a[1] / a[0];
        double rb = Double.isNaN(b[1]) ? 0 : b[1] / b[0];
        return new double[] {q, q * Math.hypot(ra, rb)};
    }

    List<Row> rowsOf(String... workloads) {
        List<String> ws = List.of(workloads);
        return rows.keySet().stream().filter(r -> ws.contains(r.workload())).toList();
    }

    /** @return the engines that posted at least one number, in {@link KvEngine#NAMES} order */
    List<String> enginesWithResults() {
        List<String> out = new ArrayList<>();
        for (String e : KvEngine.NAMES) {
            if (rows.values().stream().anyMatch(g -> g.containsKey(e))) {
                out.add(e);
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ Markdown

    String markdown(Path out) {
        StringBuilder sb = new StringBuilder();
        List<String> es = enginesWithResults();
        List<String> peers = es.stream().filter(e -> !e.equals(BASE)).toList();
        RunResult any = rows.values().stream().flatMap(g -> g.values().stream()).findFirst().orElse(null);
        sb.append("# Mapcask benchmarks: ").append(profile).append(" profile\n\n");
        sb.append(String.format(Locale.ROOT, "%s UTC, %,d keys of 16 B preloaded, value sizes as in each row; "
                + "the benchmarks took %.1f minutes. Results folder: `%s`.%n%n",
                ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")),
                keyCount, minutes, out));
        if (any != null) {
            sb.append("JVM: ").append(any.getParams().getVmName()).append(' ').append(any.getParams().getVmVersion())
                    .append(", JMH ").append(any.getParams().getJmhVersion()).append(". Flags of every fork: `")
                    .append(String.join(" ", BenchMain.BASE_JVM_FLAGS)).append("`.\n\n");
        }
        sb.append("Error = JMH's 99.9% confidence half-width (Student t over the measured iterations: wide with few "
                + "iterations). Ratio = how many times better Mapcask is than the peer (ops/s over ops/s; for times, "
                + "the peer's time over Mapcask's); above 1 Mapcask wins.\n\n");

        sb.append("## Engines\n\n| engine | library | extra JVM flags (its forks only) | status |\n|---|---|---|---|\n");
        for (String e : engines) {
            KvEngine k = KvEngine.create(e);
            List<String> extra = k.jvmFlags().stream().filter(f -> !BenchMain.BASE_JVM_FLAGS.contains(f)).toList();
            String status = gaps.stream().filter(g -> g.engine().equals(e) && g.what().equals("skipped"))
                    .map(g -> "**skipped**: " + g.why()).findFirst().orElse("ran");
            sb.append("| ").append(e).append(" | ").append(versions.getOrDefault(e, k.version())).append(" | ")
                    .append(extra.isEmpty() ? "-" : "`" + String.join(" ", extra) + "`").append(" | ")
                    .append(status).append(" |\n");
        }
        sb.append('\n');

        List<Row> thr = rowsOf("W1", "W2", "W3");
        if (!thr.isEmpty()) {
            sb.append("## Throughput (ops/s ± error; W3 = threads / mean latency, Mapcask `always`)\n\n");
            header(sb, "workload", es);
            for (Row r : thr) {
                sb.append("| ").append(r.label());
                for (String e : es) {
                    RunResult x = rows.get(r).get(e);
                    double[] v = x == null ? null : opsPerSecond(x);
                    sb.append(" | ").append(v == null ? "-" : pm(v));
                }
                sb.append(" |\n");
            }
            sb.append('\n');
        }

        List<Row> w3 = rowsOf("W3");
        if (!w3.isEmpty()) {
            w3ByThreads(sb);
            sb.append("## W3 durable put latency (µs, every sample of the measured iterations, all threads)\n\n");
            sb.append("| engine | threads | value | ops/s | mean ± error | p50 | p99 | p99.9 | max | samples |\n");
            sb.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            for (Row r : w3) {
                for (String e : w3Columns()) {
                    RunResult x = rows.get(r).get(e);
                    if (x == null) {
                        continue;
                    }
                    Result<?> p = x.getPrimaryResult();
                    Statistics st = p.getStatistics();
                    double f = secondsPer(p.getScoreUnit()) * 1e6;
                    sb.append(String.format(Locale.ROOT, "| %s | %d | %d B | %s | %s | %s | %s | %s | %s | %,d |%n", w3Label(e),
                            x.getParams().getThreads(), r.valueSize(), num(opsPerSecond(x)[0]),
                            pm(new double[] {p.getScore() * f, p.getScoreError() * f}),
                            num(st.getPercentile(50) * f), num(st.getPercentile(99) * f),
                            num(st.getPercentile(99.9) * f), num(st.getMax() * f), st.getN()));
                }
            }
            sb.append('\n');
        }

        List<Row> w4 = rowsOf("W4");
        if (!w4.isEmpty()) {
            sb.append(String.format(Locale.ROOT, "## W4 bulk load of %,d keys into an empty store, %,d keys a batch, "
                    + "to the end of the final sync (ms ± error)%n%n", keyCount, W4BulkLoadBenchmark.BATCH));
            timeTable(sb, w4, es);
        }

        List<Row> w5 = rowsOf("W5");
        if (!w5.isEmpty()) {
            sb.append(String.format(Locale.ROOT, "## W5 reopen, to the first get (ms ± error, %,d keys)%n%n", keyCount));
            timeTable(sb, w5, es);
        }

        List<Row> w6 = rowsOf("W6");
        if (!w6.isEmpty()) {
            sb.append("## W6 disk bytes (MiB allocated, `du`; × = over the live payload, keys × (16 B + value))\n\n");
            sb.append("| engine | value | live | after load | after overwrite-all | after compact | overwrite + compact time |\n");
            sb.append("|---|---:|---:|---:|---:|---:|---:|\n");
            for (Row r : w6) {
                for (String e : es) {
                    RunResult x = rows.get(r).get(e);
                    if (x == null) {
                        continue;
                    }
                    double live = aux(x, "liveBytes");
                    boolean compacts = KvEngine.create(e).compacts();
                    sb.append(String.format(Locale.ROOT, "| %s | %d B | %s | %s | %s | %s%s | %.2f s |%n", e, r.valueSize(),
                            mib(live), space(aux(x, "diskAfterLoad"), live), space(aux(x, "diskAfterOverwrite"), live),
                            space(aux(x, "diskAfterCompact"), live), compacts ? "" : " (cannot compact)",
                            millis(x)[0] / 1e3));
                }
            }
            sb.append('\n');
        }

        List<Row> ratioRows = rowsOf("W1", "W2", "W3", "W4", "W5");
        if (!ratioRows.isEmpty() && es.contains(BASE) && !peers.isEmpty()) {
            sb.append("## Mapcask / peer (how many times better Mapcask is; above 1 Mapcask wins)\n\n");
            header(sb, "workload", peers.stream().map(p -> "vs " + p).toList());
            for (Row r : ratioRows) {
                sb.append("| ").append(r.label());
                for (String p : peers) {
                    double[] q = ratio(r, p);
                    sb.append(" | ").append(q == null ? "-" : ratioText(q));
                }
                sb.append(" |\n");
            }
            sb.append('\n');
        }

        sb.append("## Targets of issue 5 (this run, same-run peers)\n\n| target | measured | verdict |\n|---|---|---|\n");
        for (String[] t : targets()) {
            sb.append("| ").append(t[0]).append(" | ").append(t[1]).append(" | ").append(t[2]).append(" |\n");
        }
        sb.append('\n');

        if (!gaps.isEmpty()) {
            sb.append("## Not measured\n\n");
            for (BenchMain.Gap g : gaps) {
                sb.append("- ").append(g.workload()).append(' ').append(g.engine()).append(": ").append(g.what())
                        .append(" — ").append(g.why()).append('\n');
            }
            sb.append('\n');
        }

        if (!rowsOf("W1", "W2", "W4", "W5").isEmpty()) {
            sb.append("## Measured iterations (for judging the noise)\n\n| workload | engine | iterations |\n|---|---|---|\n");
            for (Row r : rows.keySet()) {
                if (r.workload().equals("W6") || r.workload().equals("W3")) {
                    continue; // W6: one shot; W3: its percentiles say more
                }
                for (var e : rows.get(r).entrySet()) {
                    List<String> its = new ArrayList<>();
                    for (BenchmarkResult br : e.getValue().getBenchmarkResults()) {
                        for (IterationResult ir : br.getIterationResults()) {
                            its.add(num(ir.getPrimaryResult().getScore()));
                        }
                    }
                    sb.append("| ").append(r.label()).append(" | ").append(e.getKey()).append(" | ")
                            .append(String.join(" / ", its)).append(' ')
                            .append(e.getValue().getPrimaryResult().getScoreUnit()).append(" |\n");
                }
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** @return rows of {target, measured, verdict} */
    List<String[]> targets() {
        List<String[]> t = new ArrayList<>();
        ratioTarget(t, "W2", "get", RocksDbEngine.NAME, 5);
        ratioTarget(t, "W2", "get", ChronicleMapEngine.NAME, 1.5);
        ratioTarget(t, "W1", "put", RocksDbEngine.NAME, 5);
        ratioTarget(t, "W1", "put", ChronicleMapEngine.NAME, 1.5);
        ratioTarget(t, "W3", "put", RocksDbEngine.NAME, 1);
        String alwaysSingleFlush = MapcaskEngine.ALWAYS + MapcaskEngine.SINGLE_FLUSH_SUFFIX;
        for (int size : valueSizes("W3")) {
            RunResult x = result("W3", "put", size, column(BASE, alwaysSingleFlush));
            if (x != null) {
                target(t, String.format(Locale.ROOT, "W3 `%s` put ≥ 1× %s, %d B", alwaysSingleFlush, RocksDbEngine.NAME,
                        size), advantage(x, result("W3", "put", size, RocksDbEngine.NAME)), 1);
            }
        }
        boolean groupMeasured = false;
        for (String variant : groupVariants()) {
            for (int size : valueSizes("W3")) {
                RunResult group16 = result("W3", "put16Threads", size, column(BASE, variant));
                if (group16 != null) {
                    groupMeasured = true;
                    target(t, String.format(Locale.ROOT, "W3 `%s` at 16 threads ≥ 8× RocksDB sync at 1 thread, %d B",
                            variant, size), advantage(group16, result("W3", "put", size, RocksDbEngine.NAME)), 8);
                }
            }
        }
        if (!groupMeasured) {
            t.add(new String[] {"W3 `group` at 16 threads ≥ 8× RocksDB sync at 1 thread", "not measured",
                    "not in this run (W3 put16Threads with mapcaskSync=group)"});
        }
        boolean loadMeasured = false;
        for (Row r : rowsOf("W4")) {
            RunResult x = rows.get(r).get(BASE);
            if (x != null && r.valueSize() == 100) {
                loadMeasured = true;
                timeTarget(t, "W4 bulk load of 1M × 100 B ≤ 0.5 s", millis(x)[0], 500);
            }
        }
        if (!loadMeasured) {
            t.add(new String[] {"W4 bulk load of 1M × 100 B ≤ 0.5 s", "not measured", "not in this run (W4 at 100 B)"});
        }
        for (Row r : rowsOf("W5")) {
            RunResult x = rows.get(r).get(BASE);
            if (x != null && r.method().equals("reopen")) { // the target is for the reopen after a clean close
                timeTarget(t, "W5 reopen of 1M keys < 100 ms, " + r.valueSize() + " B", millis(x)[0], 100);
            }
        }
        for (Row r : rowsOf("W6")) {
            RunResult x = rows.get(r).get(BASE);
            if (x == null) {
                continue;
            }
            double amp = aux(x, "diskAfterCompact") / aux(x, "liveBytes");
            t.add(new String[] {"W6 disk ≤ 1.2× live after compaction, " + r.valueSize() + " B",
                    String.format(Locale.ROOT, "%.2f×", amp),
                    amp <= 1.2 ? "met" : String.format(Locale.ROOT, "**missed** by %.2f×", amp / 1.2)});
        }
        t.add(new String[] {"keydir ≤ 24 B/key", "18.16 B/key at 1M keys, 20.69 at 10M (KeydirFootprintTest, not this run)", "met"});
        return t;
    }

    private void ratioTarget(List<String[]> t, String workload, String method, String peer, double target) {
        for (Row r : rowsOf(workload)) {
            if (r.method().equals(method)) {
                target(t, String.format(Locale.ROOT, "%s %s ≥ %s× %s, %d B", workload,
                        workload.equals("W3") ? "`always` put" : method, trim(target), peer, r.valueSize()),
                        ratio(r, peer), target);
            }
        }
    }

    /** Adds the row of a ratio target: {@code q} (how many times better Mapcask is, or null) against {@code target}. */
    private static void target(List<String[]> t, String name, double[] q, double target) {
        if (q == null) {
            t.add(new String[] {name, "n/a", "not measured (the peer or Mapcask has no result)"});
            return;
        }
        String verdict = q[0] >= target
                ? String.format(Locale.ROOT, "met (%.2f× over the target)", q[0] / target)
                : String.format(Locale.ROOT, "**missed**: %.2f× short (needs %.2f× faster)", target / q[0], target / q[0]);
        t.add(new String[] {name, ratioText(q), verdict});
    }

    /** Adds the row of a time limit set for 1M keys, judged only when this run had 1M keys. */
    private void timeTarget(List<String[]> t, String name, double ms, double limitMs) {
        String scale = keyCount == 1_000_000 ? "" : String.format(Locale.ROOT, " (at %,d keys; the target is for 1M)", keyCount);
        String verdict = keyCount != 1_000_000 ? "not judged here: the target is for 1M keys (--keys 1000000)"
                : ms <= limitMs ? String.format(Locale.ROOT, "met (%.1f× under)", limitMs / ms)
                : String.format(Locale.ROOT, "**missed**: %.1f× too slow", ms / limitMs);
        t.add(new String[] {name, String.format(Locale.ROOT, "%s ms%s", num(ms), scale), verdict});
    }

    /** @return Mapcask's {@code group} variants, in {@link MapcaskEngine#DURABLE_VARIANTS} order */
    private static List<String> groupVariants() {
        return MapcaskEngine.DURABLE_VARIANTS.stream().filter(v -> v.startsWith(MapcaskEngine.GROUP)).toList();
    }

    /** @return the value sizes of the workload's rows, smallest first */
    private List<Integer> valueSizes(String workload) {
        return rowsOf(workload).stream().map(Row::valueSize).distinct().sorted().toList();
    }

    /** A table of times (ms ± error), one row per workload row, one column per engine. */
    private void timeTable(StringBuilder sb, List<Row> rs, List<String> es) {
        header(sb, "workload", es);
        for (Row r : rs) {
            sb.append("| ").append(r.label());
            for (String e : es) {
                RunResult x = rows.get(r).get(e);
                sb.append(" | ").append(x == null ? "-" : pm(millis(x)));
            }
            sb.append(" |\n");
        }
        sb.append('\n');
    }

    /**
     * W3 by writer threads: ops/s of every Mapcask variant and peer per thread count, then the
     * ratios the issues set for group commit (at 16 threads, against RocksDB sync and Mapcask
     * {@code always} at 1 thread).
     */
    private void w3ByThreads(StringBuilder sb) {
        List<String> cols = w3Columns();
        sb.append("## W3 durable put by writer threads (ops/s = threads / mean latency)\n\n");
        sb.append("Mapcask per `mapcaskSync` variant (`always`: each writer forces; `group`: concurrent writers share "
                + "a force; `+single-flush`: `sync.single.flush=true`, one device flush per force); each peer with its "
                + "own per-write sync at the same threads.\n\n");
        sb.append("| value | threads");
        for (String c : cols) {
            sb.append(" | ").append(w3Label(c));
        }
        sb.append(" |\n|---:|---:");
        sb.append("|---:".repeat(cols.size())).append("|\n");
        // By value size, then threads (a stable sort of rows in method order).
        for (Row r : rowsOf("W3").stream().sorted(Comparator.comparingInt(Row::valueSize)).toList()) {
            Map<String, RunResult> g = rows.get(r);
            sb.append("| ").append(r.valueSize()).append(" B | ").append(g.values().iterator().next().getParams().getThreads());
            for (String c : cols) {
                RunResult x = g.get(c);
                sb.append(" | ").append(x == null ? "-" : pm(opsPerSecond(x)));
            }
            sb.append(" |\n");
        }
        sb.append('\n');
        List<String[]> lines = new ArrayList<>();
        for (String variant : groupVariants()) {
            for (int size : valueSizes("W3")) {
                RunResult group16 = result("W3", "put16Threads", size, column(BASE, variant));
                if (group16 == null) {
                    continue;
                }
                double[] vsRocks = advantage(group16, result("W3", "put", size, RocksDbEngine.NAME));
                double[] vsAlways = advantage(group16, result("W3", "put", size, BASE));
                lines.add(new String[] {"`" + variant + "`", size + " B", num(opsPerSecond(group16)[0]),
                        vsRocks == null ? "-" : ratioText(vsRocks), vsAlways == null ? "-" : ratioText(vsAlways)});
            }
        }
        if (!lines.isEmpty()) {
            sb.append("| Mapcask at 16 threads | value | ops/s | × RocksDB sync, 1 thread (target ≥ 8) "
                    + "| × Mapcask `always`, 1 thread |\n|---|---:|---:|---:|---:|\n");
            for (String[] l : lines) {
                sb.append("| ").append(String.join(" | ", l)).append(" |\n");
            }
            sb.append('\n');
        }
    }

    // ------------------------------------------------------------------ formatting

    static double aux(RunResult r, String name) {
        Result<?> x = r.getSecondaryResults().get(name);
        return x == null ? Double.NaN : x.getScore();
    }

    private static void header(StringBuilder sb, String first, List<String> cols) {
        sb.append("| ").append(first);
        for (String c : cols) {
            sb.append(" | ").append(c);
        }
        sb.append(" |\n|---");
        for (int i = 0; i < cols.size(); i++) {
            sb.append("|---:");
        }
        sb.append("|\n");
    }

    static String pm(double[] v) {
        if (Double.isNaN(v[1]) || v[1] == 0) {
            return num(v[0]);
        }
        return num(v[0]) + " ± " + num(v[1]);
    }

    static String ratioText(double[] q) {
        String s = q[0] >= 10 ? String.format(Locale.ROOT, "%.1f", q[0]) : String.format(Locale.ROOT, "%.2f", q[0]);
        if (Double.isNaN(q[1]) || q[1] == 0) {
            return s;
        }
        return s + (q[0] >= 10 ? String.format(Locale.ROOT, " ± %.1f", q[1]) : String.format(Locale.ROOT, " ± %.2f", q[1]));
    }

    /** Three significant digits, thousands separated. */
    static String num(double x) {
        if (Double.isNaN(x)) {
            return "n/a";
        }
        double a = Math.abs(x);
        if (a >= 1000) {
            double m = Math.pow(10, Math.floor(Math.log10(a)) - 2);
            return String.format(Locale.ROOT, "%,.0f", Math.round(x / m) * m);
        }
        if (a >= 100) {
            return String.format(Locale.ROOT, "%.0f", x);
        }
        if (a >= 10) {
            return String.format(Locale.ROOT, "%.1f", x);
        }
        return String.format(Locale.ROOT, "%.2f", x);
    }

    private static String trim(double t) {
        return t == Math.rint(t) ? Long.toString((long) t) : Double.toString(t);
    }

    private static String mib(double bytes) {
        return String.format(Locale.ROOT, "%,.1f", bytes / (1 << 20));
    }

    private static String space(double bytes, double live) {
        return String.format(Locale.ROOT, "%s (%.2f×)", mib(bytes), bytes / live);
    }
}
