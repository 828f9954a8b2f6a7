package io.mapcask.jmh;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * The runner behind {@code ./scripts/bench}: runs the workloads W1..W6 against every engine,
 * one JMH run per (workload, engine) (two when the quick profile runs some methods at the
 * smallest value size only), and writes the report ({@link BenchReport}) and the charts
 * ({@link BenchChart}).
 *
 * <p>Why not plain {@code java -jar benchmarks.jar}: a peer's JVM flags must reach that peer's
 * forks only, and JMH cannot vary {@code jvmArgs} by {@code @Param}. So this runner gives each
 * engine's runs {@link #BASE_JVM_FLAGS} plus {@link KvEngine#jvmFlags()}. It also
 *
 * <ul>
 *   <li>prints the plan first: the trials per workload and the estimated time ({@link
 *       #printPlan}; also with {@code --list});
 *   <li>probes each engine first in a JVM with exactly those flags ({@link EngineProbe}) and
 *       skips, with the reason, an engine that cannot start here;
 *   <li>leaves out, with the reason, a workload an engine cannot run (W3 without per-write
 *       durability, W5/W6 for the in-memory map), and what the quick profile leaves out (W3 at
 *       4 and 16 threads for the peers other than RocksDB);
 *   <li>runs W3 for Mapcask once per sync variant ({@code mapcaskSync}: {@code always}, {@code
 *       group}, each also with {@code +single-flush}) and once for each peer; {@code -- -p
 *       mapcaskSync=...} picks Mapcask's variants;
 *   <li>applies the profile's iterations per workload (fsync-bound W3 and single-shot W4/W5/W6
 *       need other settings than W1/W2), unless JMH options after {@code --} say otherwise;
 *   <li>does not stop at a failed trial (a failed verification or a crash posts no number) but
 *       reports it, with the exception line, as failed.
 * </ul>
 *
 * <p>Usage: {@code java -Djava.awt.headless=true -cp benchmarks.jar io.mapcask.jmh.BenchMain
 * --out DIR [--profile quick|full] [--engines a,b] [--workloads REGEX] [--value-sizes 100,1000]
 * [--keys N] [--dir PATH] [--jvm-arg ARG]... [--list] [-- JMH options]}, or {@code --report DIR}
 * to redraw the tables and charts of an earlier run from its {@code runs.ser}.
 */
public final class BenchMain {

    /** Flags of every benchmark fork, whatever the engine. */
    static final List<String> BASE_JVM_FLAGS = List.of(
            KvWorkload.NATIVE_ACCESS, KvWorkload.UNSAFE_ALLOW, KvWorkload.HEAP_MIN, KvWorkload.HEAP_MAX);

    /** Keys preloaded by profile, unless {@code --keys} says otherwise. */
    static final int QUICK_KEYS = 100_000;
    static final int FULL_KEYS = 1_000_000;

    /** JMH iteration settings of one workload in one profile. */
    record Settings(int forks, int warmupIterations, TimeValue warmupTime, int measurementIterations,
            TimeValue measurementTime) {
    }

    /**
     * One workload: its benchmark class and methods, the iteration settings per profile, who
     * cannot run it, and what the quick profile leaves out to stay under 10 minutes: the methods
     * it runs at the smallest value size only, and those it runs for the engines of {@link
     * #QUICK_TARGET_ENGINES} only. {@code mapcaskVariants}: the values of the workload's {@code
     * mapcaskSync} parameter for Mapcask (empty: it has no such parameter; the peers get {@value
     * #NOT_MAPCASK}).
     */
    record Workload(String id, Class<?> type, List<String> methods, Settings quick, Settings full,
            List<String> quickSmallValueOnly, Function<KvEngine, String> leftOutBecause,
            List<String> quickTargetEnginesOnly, List<String> mapcaskVariants) {
        Workload(String id, Class<?> type, List<String> methods, Settings quick, Settings full,
                List<String> quickSmallValueOnly, Function<KvEngine, String> leftOutBecause) {
            this(id, type, methods, quick, full, quickSmallValueOnly, leftOutBecause, List.of(), List.of());
        }

        String methodName(String method) {
            return type.getSimpleName() + "." + method;
        }
    }

    /** The engines W3's targets name (Mapcask against RocksDB sync). */
    static final List<String> QUICK_TARGET_ENGINES = List.of(MapcaskEngine.NAME, RocksDbEngine.NAME);

    /** W3's {@code mapcaskSync} parameter, and its value for the peers. */
    static final String MAPCASK_SYNC_PARAM = "mapcaskSync";
    static final String NOT_MAPCASK = "n/a";

    static final TimeValue S1 = TimeValue.seconds(1);
    static final TimeValue S2 = TimeValue.seconds(2);
    static final TimeValue S5 = TimeValue.seconds(5);
    static final TimeValue S10 = TimeValue.seconds(10);

    static final List<Workload> WORKLOADS = List.of(
            new Workload("W1", W1PutBenchmark.class, List.of("put"),
                    new Settings(1, 2, S1, 3, S1), new Settings(2, 5, S5, 5, S10), List.of(), e -> null),
            new Workload("W2", W2GetBenchmark.class, List.of("get", "get2Threads", "getMiss90"),
                    new Settings(1, 2, S1, 3, S1), new Settings(2, 5, S5, 5, S10),
                    List.of("get2Threads", "getMiss90"), e -> null),
            new Workload("W3", W3DurablePutBenchmark.class, List.of("put", "put4Threads", "put16Threads"),
                    new Settings(1, 1, S1, 2, S1), new Settings(2, 2, S5, 3, S10),
                    List.of("put4Threads", "put16Threads"),
                    e -> e.durableWrites() ? null : "no way to make one write durable",
                    List.of("put4Threads", "put16Threads"), MapcaskEngine.DURABLE_VARIANTS),
            new Workload("W4", W4BulkLoadBenchmark.class, List.of("load"),
                    new Settings(1, 2, TimeValue.NONE, 3, TimeValue.NONE),
                    new Settings(2, 1, TimeValue.NONE, 3, TimeValue.NONE), List.of("load"), e -> null),
            new Workload("W5", W5ReopenBenchmark.class, List.of("reopen"),
                    new Settings(1, 1, TimeValue.NONE, 3, TimeValue.NONE),
                    new Settings(2, 3, TimeValue.NONE, 10, TimeValue.NONE), List.of(),
                    e -> e.persistent() ? null : "in memory: nothing to reopen"),
            new Workload("W5k", W5KillReopenBenchmark.class, List.of("reopenAfterKill"),
                    new Settings(1, 1, TimeValue.NONE, 3, TimeValue.NONE),
                    new Settings(2, 3, TimeValue.NONE, 10, TimeValue.NONE), List.of(),
                    e -> e.name().equals(MapcaskEngine.NAME) ? null
                            : "measured for Mapcask only: the keydir checkpoint a kill leaves out"),
            new Workload("W6", W6SpaceBenchmark.class, List.of("overwriteAllAndCompact"),
                    new Settings(1, 0, TimeValue.NONE, 1, TimeValue.NONE),
                    new Settings(1, 0, TimeValue.NONE, 1, TimeValue.NONE), List.of(),
                    e -> e.persistent() ? null : "in memory: no disk bytes"));

    /** The value sizes of the benchmarks' {@code @Param}, smallest first. */
    static final String DEFAULT_VALUE_SIZES = "100,1000";

    /** One JMH run: some methods of a workload against one engine, at the value sizes given. */
    record Run(Workload workload, String engine, List<String> methods, String valueSizes, String jsonSuffix) {
        /** @return the trials of the run: one per method, value size and Mapcask sync variant */
        int trials(CommandLineOptions cli) {
            int variants = 1;
            if (!workload.mapcaskVariants().isEmpty() && engine.equals(MapcaskEngine.NAME)) {
                variants = cli.getParameter(MAPCASK_SYNC_PARAM).hasValue()
                        ? cli.getParameter(MAPCASK_SYNC_PARAM).get().size() : workload.mapcaskVariants().size();
            }
            return methods.size() * valueSizes.split(",").length * variants;
        }
    }

    /**
     * The estimate of {@link #printPlan}, calibrated on the quick profile's run of 2026-11-25 (408
     * s measured on a quiet box, 418 s estimated): a fork's start (JVM, JMH, the engine), and per
     * 100,000 keys a preload with its checks, or one single shot (W4 load, W5 reopen, W6
     * overwrite and compact); an engine's probe.
     */
    static final double FORK_SECONDS = 1.0;
    static final double PER_100K_KEYS_SECONDS = 0.5;
    static final double PROBE_SECONDS = 2.0;

    /** A (workload, engine) pair not run, or a trial that posted no number, and why. */
    record Gap(String workload, String engine, String what, String why) implements Serializable {
    }

    /** Everything the report is made of, saved as {@code runs.ser} so that {@code --report} can redraw it. */
    record Saved(String profile, int keyCount, List<String> engines, Map<String, String> versions,
            List<RunResult> results, List<Gap> gaps, double minutes) implements Serializable {
    }

    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("java.awt.headless", "true");
        String profile = "quick";
        List<String> engines = KvEngine.NAMES;
        String workloadRegex = ".";
        String valueSizes = null;
        Integer keys = null;
        Path out = null;
        String storeDir = null;
        List<String> userJvmArgs = new ArrayList<>();
        boolean list = false;
        Path reportOnly = null;
        List<String> jmhArgs = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--profile" -> profile = value(args, ++i, a);
                case "--engines" -> engines = Arrays.asList(value(args, ++i, a).split(","));
                case "--workloads" -> workloadRegex = value(args, ++i, a);
                case "--value-sizes" -> valueSizes = value(args, ++i, a);
                case "--keys" -> keys = Integer.parseInt(value(args, ++i, a));
                case "--out" -> out = Path.of(value(args, ++i, a));
                case "--dir" -> storeDir = value(args, ++i, a);
                case "--jvm-arg" -> userJvmArgs.add(value(args, ++i, a));
                case "--list" -> list = true;
                case "--report" -> reportOnly = Path.of(value(args, ++i, a));
                case "--" -> {
                    jmhArgs.addAll(Arrays.asList(args).subList(i + 1, args.length));
                    i = args.length;
                }
                default -> usage("unknown option: " + a);
            }
        }
        if (reportOnly != null) {
            try (var in = new ObjectInputStream(Files.newInputStream(reportOnly.resolve("runs.ser")))) {
                report((Saved) in.readObject(), reportOnly);
            }
            return;
        }
        if (!profile.equals("quick") && !profile.equals("full")) {
            usage("--profile is quick or full, not " + profile);
        }
        for (String e : engines) {
            if (!KvEngine.NAMES.contains(e)) {
                usage("unknown engine '" + e + "'; known: " + String.join(", ", KvEngine.NAMES));
            }
        }
        Pattern pick = Pattern.compile(workloadRegex);
        int keyCount = keys != null ? keys : profile.equals("full") ? FULL_KEYS : QUICK_KEYS;
        if (storeDir != null) {
            userJvmArgs.add("-Dmapcask.bench.dir=" + storeDir);
        }

        // What would run: (workload, methods) picked by the regex.
        Map<Workload, List<String>> picked = new LinkedHashMap<>();
        for (Workload w : WORKLOADS) {
            List<String> ms = w.methods().stream()
                    .filter(m -> pick.matcher(w.id() + " " + w.methodName(m)).find())
                    .toList();
            if (!ms.isEmpty()) {
                picked.put(w, ms);
            }
        }
        CommandLineOptions cli;
        try {
            cli = new CommandLineOptions(jmhArgs.toArray(String[]::new));
        } catch (CommandLineOptionException e) {
            usage("bad JMH option after --: " + e.getMessage());
            return;
        }
        List<Run> plan = plan(picked, engines, profile, valueSizes);
        if (list) {
            for (var e : picked.entrySet()) {
                for (String m : e.getValue()) {
                    System.out.println(e.getKey().id() + " " + e.getKey().methodName(m));
                }
            }
            System.out.println();
            printPlan(plan, engines.size(), profile, cli, keyCount);
            return;
        }
        if (picked.isEmpty()) {
            usage("no workload matches '" + workloadRegex + "' (try --list)");
        }
        if (out == null) {
            usage("--out DIR is required");
        }
        printPlan(plan, engines.size(), profile, cli, keyCount);
        Files.createDirectories(out.resolve("json"));
        long started = System.nanoTime();

        // 1. Probe every engine with its own flags.
        List<Gap> gaps = new ArrayList<>();
        List<String> running = new ArrayList<>();
        Map<String, String> versions = new LinkedHashMap<>();
        for (String e : engines) {
            KvEngine engine = KvEngine.create(e);
            versions.put(e, engine.version());
            String failure = probe(engine, userJvmArgs, storeDir);
            if (failure == null) {
                running.add(e);
                System.out.printf("engine %-9s ok    (%s)%n", e, engine.version());
            } else {
                gaps.add(new Gap("all", e, "skipped", failure));
                System.out.printf("engine %-9s SKIPPED: %s%n", e, failure);
            }
        }
        System.out.println();

        // 2. Each workload, each engine that can run it.
        String chosenProfile = profile;
        for (var entry : picked.entrySet()) {
            Workload w = entry.getKey();
            for (String e : running) {
                String why = w.leftOutBecause().apply(KvEngine.create(e));
                List<String> quickless = entry.getValue().stream()
                        .filter(m -> quickLeavesOut(w, m, e, chosenProfile)).toList();
                if (why == null && !quickless.isEmpty()) {
                    why = String.join(", ", quickless) + " only in the full profile (the quick one runs them for "
                            + String.join(" and ", QUICK_TARGET_ENGINES) + ", the engines of the targets)";
                }
                if (why != null) {
                    gaps.add(new Gap(w.id(), e, "left out", why));
                    System.out.printf("%s %s: left out (%s)%n", w.id(), e, why);
                }
            }
        }
        List<RunResult> results = new ArrayList<>();
        List<Path> jsons = new ArrayList<>();
        for (Run run : plan) {
            if (!running.contains(run.engine())) {
                continue;
            }
            Workload w = run.workload();
            String e = run.engine();
            Path json = out.resolve("json").resolve(w.id() + "-" + e + run.jsonSuffix() + ".json");
            OptionsBuilder ob = options(cli, w, run.methods(), settings(w, profile), e, KvEngine.create(e), keyCount,
                    run.valueSizes(), userJvmArgs, json);
            System.out.printf("%n==== %s %s (%s), engine %s, %,d keys, values %s B ====%n", w.id(),
                    w.type().getSimpleName(), String.join(", ", run.methods()), e, keyCount, run.valueSizes());
            FailureTee tee = new FailureTee(System.out);
            PrintStream ps = new PrintStream(tee, true, StandardCharsets.UTF_8);
            Collection<RunResult> got = List.of();
            try {
                got = new Runner(ob.build(), OutputFormatFactory.createFormatInstance(ps,
                        cli.verbosity().orElse(VerboseMode.NORMAL))).run();
            } catch (RunnerException ex) {
                gaps.add(new Gap(w.id(), e, "failed", "JMH: " + ex.getMessage()));
            }
            ps.flush();
            results.addAll(got);
            if (Files.exists(json)) {
                jsons.add(json);
            }
            for (String failure : tee.failures) {
                gaps.add(new Gap(w.id(), e, "failed", failure));
            }
        }
        double minutes = (System.nanoTime() - started) / 60e9;

        // 3. Everything JMH wrote, as one JSON array, then the report and the charts.
        mergeJson(jsons, out.resolve("results.json"));
        Saved saved = new Saved(profile, keyCount, List.copyOf(engines), Map.copyOf(versions), List.copyOf(results),
                List.copyOf(gaps), minutes);
        try (var o = new ObjectOutputStream(Files.newOutputStream(out.resolve("runs.ser")))) {
            o.writeObject(saved);
        }
        report(saved, out);
        System.out.printf("benchmarks took %.1f minutes%n", minutes);
    }

    /**
     * @return the JMH runs, in the order they run: per workload, per engine that can run it,
     *     usually one run; two in the quick profile when some methods run at the smallest value
     *     size only
     */
    static List<Run> plan(Map<Workload, List<String>> picked, List<String> engines, String profile, String valueSizes) {
        List<Run> runs = new ArrayList<>();
        for (var entry : picked.entrySet()) {
            Workload w = entry.getKey();
            for (String e : engines) {
                if (w.leftOutBecause().apply(KvEngine.create(e)) != null) {
                    continue;
                }
                Map<String, List<String>> bySizes = new LinkedHashMap<>();
                for (String m : entry.getValue()) {
                    if (quickLeavesOut(w, m, e, profile)) {
                        continue;
                    }
                    String sizes = valueSizes != null ? valueSizes
                            : profile.equals("quick") && w.quickSmallValueOnly().contains(m)
                                    ? DEFAULT_VALUE_SIZES.split(",")[0] : DEFAULT_VALUE_SIZES;
                    bySizes.computeIfAbsent(sizes, k -> new ArrayList<>()).add(m);
                }
                for (var sized : bySizes.entrySet()) {
                    String suffix = bySizes.size() == 1 ? "" : "-" + sized.getKey().replace(',', '_');
                    runs.add(new Run(w, e, sized.getValue(), sized.getKey(), suffix));
                }
            }
        }
        return runs;
    }

    /** @return whether the quick profile runs {@code method} of {@code w} without {@code engine} */
    static boolean quickLeavesOut(Workload w, String method, String engine, String profile) {
        return profile.equals("quick") && w.quickTargetEnginesOnly().contains(method)
                && !QUICK_TARGET_ENGINES.contains(engine);
    }

    static Settings settings(Workload w, String profile) {
        return profile.equals("full") ? w.full() : w.quick();
    }

    /**
     * Prints the trials per workload and the estimated time of the whole run ({@link
     * #estimateSeconds}), so that a profile's length is known before it runs.
     */
    static void printPlan(List<Run> plan, int engines, String profile, CommandLineOptions cli, int keyCount) {
        Map<String, double[]> byWorkload = new LinkedHashMap<>(); // id -> {trials, seconds}
        for (Run run : plan) {
            double[] t = byWorkload.computeIfAbsent(run.workload().id(), k -> new double[2]);
            t[0] += run.trials(cli);
            t[1] += estimateSeconds(run, settings(run.workload(), profile), cli, keyCount);
        }
        double total = engines * PROBE_SECONDS;
        StringBuilder parts = new StringBuilder();
        for (var e : byWorkload.entrySet()) {
            total += e.getValue()[1];
            parts.append(String.format(Locale.ROOT, "%n  %s: %3.0f trials, about %5.1f min", e.getKey(), e.getValue()[0],
                    e.getValue()[1] / 60));
        }
        System.out.printf(Locale.ROOT, "plan (%s profile, %,d keys): %d JMH runs, estimated %.1f min on a quiet box%s%n"
                + "  (estimate: the iterations, plus %.1f s a fork and %.1f s a preload or single shot per 100,000 keys;"
                + " a busy box takes longer)%n%n", profile, keyCount, plan.size(), total / 60, parts, FORK_SECONDS,
                PER_100K_KEYS_SECONDS);
    }

    /**
     * @return the estimated seconds of a run: per trial and fork, its iterations (a single shot
     *     counted as {@link #PER_100K_KEYS_SECONDS} per 100,000 keys), a fork's start and a
     *     preload; iteration options after {@code --} replace the profile's as in {@link #options}
     */
    static double estimateSeconds(Run run, Settings s, CommandLineOptions cli, int keyCount) {
        double perKeys = PER_100K_KEYS_SECONDS * keyCount / 100_000.0;
        int forks = Math.max(1, cli.getForkCount().orElse(s.forks()));
        boolean singleShot = s.measurementTime() == TimeValue.NONE;
        double warmup = singleShot ? perKeys : seconds(cli.getWarmupTime().orElse(s.warmupTime()));
        double measurement = singleShot ? perKeys : seconds(cli.getMeasurementTime().orElse(s.measurementTime()));
        double iterations = cli.getWarmupIterations().orElse(s.warmupIterations()) * warmup
                + cli.getMeasurementIterations().orElse(s.measurementIterations()) * measurement;
        return run.trials(cli) * forks * (FORK_SECONDS + perKeys + iterations);
    }

    private static double seconds(TimeValue t) {
        return t.convertTo(TimeUnit.MILLISECONDS) / 1e3;
    }

    /** Writes results.md (and prints it) and the two charts into {@code out}. */
    static void report(Saved s, Path out) throws IOException {
        BenchReport report = new BenchReport(s.profile(), s.keyCount(), s.engines(), s.versions(), s.results(),
                s.gaps(), s.minutes());
        String md = report.markdown(out);
        Files.writeString(out.resolve("results.md"), md);
        System.out.println();
        System.out.println(md);
        try {
            BenchChart.throughput(report, out.resolve("throughput.png"));
            BenchChart.ratios(report, out.resolve("ratios.png"));
        } catch (Throwable t) {
            // A missing font or AWT library must not lose the numbers.
            System.out.println("charts not written: " + t);
            t.printStackTrace(System.out);
        }
    }

    static OptionsBuilder options(CommandLineOptions cli, Workload w, List<String> methods, Settings s, String e,
            KvEngine engine, int keyCount, String valueSizes, List<String> userJvmArgs, Path json) {
        OptionsBuilder ob = new OptionsBuilder();
        ob.parent(cli);
        String include = "^" + Pattern.quote(w.type().getName()) + "\\.(" + String.join("|", methods) + ")$";
        ob.include(include);
        ob.param("engine", e);
        ob.param("keyCount", Integer.toString(keyCount));
        ob.param("valueSize", valueSizes.split(","));
        if (!w.mapcaskVariants().isEmpty()) {
            if (!e.equals(MapcaskEngine.NAME)) {
                ob.param(MAPCASK_SYNC_PARAM, NOT_MAPCASK);
            } else if (!cli.getParameter(MAPCASK_SYNC_PARAM).hasValue()) {
                ob.param(MAPCASK_SYNC_PARAM, w.mapcaskVariants().toArray(String[]::new));
            }
        }
        // The profile, where the JMH options after -- do not say otherwise.
        if (!cli.getForkCount().hasValue()) {
            ob.forks(s.forks());
        }
        if (!cli.getWarmupIterations().hasValue()) {
            ob.warmupIterations(s.warmupIterations());
        }
        if (!cli.getWarmupTime().hasValue() && s.warmupTime() != TimeValue.NONE) {
            ob.warmupTime(s.warmupTime());
        }
        if (!cli.getMeasurementIterations().hasValue()) {
            ob.measurementIterations(s.measurementIterations());
        }
        if (!cli.getMeasurementTime().hasValue() && s.measurementTime() != TimeValue.NONE) {
            ob.measurementTime(s.measurementTime());
        }
        if (!cli.shouldFailOnError().hasValue()) {
            ob.shouldFailOnError(false);
        }
        if (!cli.getJvmArgs().hasValue()) {
            // Not the harness JVM's own flags (JMH's default): a fork gets exactly what is below.
            ob.jvmArgs();
        }
        List<String> append = new ArrayList<>(BASE_JVM_FLAGS);
        append.addAll(engine.jvmFlags().stream().filter(f -> !BASE_JVM_FLAGS.contains(f)).toList());
        ob.jvmArgsAppend(append.toArray(String[]::new));
        List<String> prepend = new ArrayList<>(userJvmArgs);
        if (cli.getJvmArgsPrepend().hasValue()) {
            prepend.addAll(cli.getJvmArgsPrepend().get());
        }
        if (!prepend.isEmpty()) {
            ob.jvmArgsPrepend(prepend.toArray(String[]::new));
        }
        ob.resultFormat(ResultFormatType.JSON);
        ob.result(json.toString());
        return ob;
    }

    /** @return null when the engine started with its flags, else the reason it did not */
    static String probe(KvEngine engine, List<String> userJvmArgs, String storeDir) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(userJvmArgs);
        cmd.addAll(BASE_JVM_FLAGS.stream().filter(f -> !f.startsWith("-Xms")).toList());
        cmd.addAll(engine.jvmFlags());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(EngineProbe.class.getName());
        cmd.add(engine.name());
        if (storeDir != null) {
            cmd.add(storeDir);
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                p.getInputStream().transferTo(buf);
            } catch (IOException ignored) {
                // the process died; its exit code says it
            }
        });
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "did not start within 180 s";
        }
        reader.join();
        String text = buf.toString(StandardCharsets.UTF_8);
        if (p.exitValue() == 0 && text.contains("probe ok")) {
            return null;
        }
        return text.lines().filter(l -> l.startsWith("probe failed: ")).findFirst()
                .map(l -> l.substring("probe failed: ".length()))
                .orElse("exit code " + p.exitValue() + ": " + text.lines().limit(3).collect(Collectors.joining(" / ")))
                + " (JDK " + Runtime.version() + ", flags " + String.join(" ", engine.jvmFlags()) + ")";
    }

    static void mergeJson(List<Path> files, Path to) throws IOException {
        List<String> parts = new ArrayList<>();
        for (Path f : files) {
            String t = Files.readString(f).strip();
            if (t.startsWith("[") && t.endsWith("]")) {
                t = t.substring(1, t.length() - 1).strip();
            }
            if (!t.isEmpty()) {
                parts.add(t);
            }
        }
        Files.writeString(to, "[\n" + String.join(",\n", parts) + "\n]\n");
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length || args[i].isEmpty()) {
            usage(option + " needs a value");
        }
        return args[i];
    }

    private static void usage(String error) {
        System.err.println("error: " + error);
        System.err.println("usage: BenchMain --out DIR [--profile quick|full] [--engines a,b] [--workloads REGEX]"
                + " [--value-sizes 100,1000] [--keys N] [--dir PATH] [--jvm-arg ARG]... [--list] [-- JMH options]"
                + "\n       BenchMain --report DIR   (redraws results.md and the charts from DIR/runs.ser)");
        System.exit(2);
    }

    /**
     * Passes JMH's console through and remembers, for each trial that failed, its benchmark,
     * parameters and the first line of the exception JMH prints after {@code <failure>}.
     */
    static final class FailureTee extends OutputStream {
        private final PrintStream out;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();
        final List<String> failures = new ArrayList<>();
        private String benchmark = "?";
        private String parameters = "";
        private boolean inFailure;

        FailureTee(PrintStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) {
            out.write(b);
            if (b == '\n') {
                onLine(line.toString(StandardCharsets.UTF_8));
                line.reset();
            } else {
                line.write(b);
            }
        }

        @Override
        public void flush() {
            out.flush();
        }

        private void onLine(String l) {
            String t = l.strip();
            if (t.startsWith("# Benchmark: ")) {
                benchmark = t.substring("# Benchmark: ".length());
                benchmark = benchmark.substring(benchmark.lastIndexOf('.', benchmark.lastIndexOf('.') - 1) + 1);
            } else if (t.startsWith("# Parameters: ")) {
                parameters = t.substring("# Parameters: ".length());
            } else if (t.endsWith("<failure>")) {
                inFailure = true;
            } else if (inFailure && !t.isEmpty()) {
                inFailure = false;
                failures.add(benchmark + " " + parameters + ": " + t);
            }
        }
    }
}
