package org.vqsim.replay;

import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.vqsim.analysis.arrow.ArrowTables;
import org.vqsim.analysis.arrow.ResultFiles;
import org.vqsim.analysis.arrow.ResultSchemas;
import org.vqsim.analysis.arrow.SummaryRow;
import org.vqsim.analysis.io.RunOutput;
import org.vqsim.analysis.report.ReportFiles;
import org.vqsim.engine.Version;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "sweep", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Replay a grid of traces, strategies and parameters on all cores.", "",
        "Each combination is an independent, deterministic unit; the result is one row per combination in OUTDIR/sweep.arrow "
            + "(the swept parameters' columns, then every summary column, then pps and gbit_per_s for network units, null for block ones), and OUTDIR/sweep.toml records the sweep as run."},
    footer = {"", "Examples:",
        "  vqsim sweep trace.arrow --strategy direct,viommu-strict \\",
        "      --param iodepth=1,16 --ring split,packed -o sweep/",
        "  vqsim sweep --generate \"--rw randread --count 100000\" \\",
        "      --strategy direct,bounce,viommu-strict \\",
        "      --param bs=4k,16k,64k,256k --param iodepth=1,32 -o sweep/",
        "  vqsim sweep --generate \"--rw randread --count 100000\" --strategy bounce \\",
        "      --param cost.bounce_copy_cycles_per_kib=150,307,600 -o s/",
        "  vqsim sweep --sweep-file sweep/sweep.toml -o sweep2/",
        "      (a sweep file; block-size mixes go there: param.bs = 4k; 4k:70,64k:30)",
        "  vqsim sweep ... -o sweep/ --resume        (finish an interrupted sweep)",
        "  vqsim sweep captures/ --strategy direct,bounce \\",
        "      --master spark://head:7077 -o fleet-sweep/",
        "      (every trace in a folder, on a Spark cluster)",
        "",
        "Parameters: iodepth, queue-size, backend, page-contiguity, seed, arrival, vcpus, queues, iothreads, tce-pools, swiotlb.pool, swiotlb.areas, iotlb.entries, "
            + "guest-kernel, hcall-mode, cost.FIGURE (any cost-profile figure), and with --generate: bs, rw, rwmixread, count, "
            + "random-distribution, offset-range, rate, numjobs."})
final class SweepCommand implements java.util.concurrent.Callable<Integer> {
  static final String PARTS = ".sweep-parts", TOML = "sweep.toml";

  @Spec picocli.CommandLine.Model.CommandSpec spec;
  @Mixin DebugOption debug;

  @Parameters(arity = "0..*", paramLabel = "TRACE", description = "Trace files (any supported format), folders (every trace in them: a corpus) or quoted globs ('captures/*.gz').")
  List<Path> traces = new ArrayList<>();

  @Option(names = "--generate", paramLabel = "\"OPTIONS\"", description = "A generated workload, with the options of `vqsim generate` (no -o).")
  String generate;

  @Option(names = {"-s", "--strategy"}, split = ",", defaultValue = "direct", paramLabel = "ID[,ID...]", description = "Strategies (default: ${DEFAULT-VALUE}); 'all' for the profile's platform.")
  List<String> strategies;

  @Option(names = "--ring", split = ",", defaultValue = "split", paramLabel = "split|packed", description = "Rings to sweep (default: ${DEFAULT-VALUE}).")
  List<String> rings;

  @Option(names = {"-p", "--profile"}, defaultValue = "x86-kvm", paramLabel = "NAME|FILE", description = "Cost profile (default: ${DEFAULT-VALUE}).")
  String profile;

  @Option(names = "--param", paramLabel = "NAME=V1,V2,...", description = "A parameter and its values (repeatable).")
  List<String> params = new ArrayList<>();

  @Option(names = "--replay", paramLabel = "\"OPTIONS\"", description = "Other replay options fixed for every unit, e.g. \"--backend vhost --queue-size 1024\".")
  String replayOptions;

  @Option(names = "--sweep-file", paramLabel = "FILE", description = "Read the sweep from a file (sweep.toml format) instead of the options above.")
  Path sweepFile;

  @Option(names = {"-j", "--jobs"}, paramLabel = "N", description = "Parallel units (default: the number of cores).")
  Integer jobs;

  @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUTDIR", description = "Folder for sweep.arrow and sweep.toml.")
  Path outDir;

  @Option(names = "--engine", defaultValue = "local", paramLabel = "local|spark",
      description = "Where the units run: this JVM's threads (default), or Apache Spark (local[*] inside this process unless --master; ./vqsim puts Spark on the class path only then).")
  String engine;

  @Option(names = "--master", paramLabel = "URL", description = "Spark master URL (implies --engine spark; default local[*]), e.g. spark://host:7077.")
  String master;

  @Option(names = "--resume", description = "Finish an interrupted sweep in OUTDIR: completed combinations are kept.")
  boolean resume;

  @Option(names = "--force", description = "Overwrite an existing sweep in OUTDIR.")
  boolean force;

  @Option(names = "--report", description = "Also write OUTDIR/report.html at the end: a chart per metric and swept parameter, crossovers in words.")
  boolean writeReport;

  SweepPlan plan() throws IOException {
    if (sweepFile != null) return SweepPlan.read(sweepFile);
    Map<String, List<String>> p = new LinkedHashMap<>();
    for (String s : params) {
      int eq = s.indexOf('=');
      if (eq <= 0) throw new IllegalArgumentException("--param must be NAME=V1,V2,..., not '" + s + "'");
      p.put(s.substring(0, eq).strip(), SweepPlan.split(s.substring(eq + 1), ","));
    }
    List<String> t = new ArrayList<>();
    for (Path x : traces) t.add(x.toString());
    List<String> strat = new ArrayList<>();
    for (String s : strategies) strat.add(s.strip());
    return new SweepPlan(t, generate, strat, rings, profile, p, replayOptions == null ? "" : replayOptions);
  }

  @Override
  public Integer call() throws Exception {
    SweepPlan plan = plan();
    // expand 'all' and validate every unit's options before anything runs
    List<String> expanded = new ArrayList<>();
    for (org.vqsim.engine.dma.StrategyId id : StrategyOptions.resolve(plan.strategies(), org.vqsim.engine.cost.CostProfile.load(plan.profile()))) expanded.add(id.id);
    PrintWriter err = spec.commandLine().getErr();
    plan = new SweepPlan(TraceCorpus.expand(plan.traces(), err), plan.generate(), expanded, plan.rings(), plan.profile(), plan.params(), plan.replayOptions());
    if (master != null) engine = "spark";
    if (!engine.equals("local") && !engine.equals("spark")) throw new CliException(ExitCodes.USAGE, "--engine must be local or spark, not '" + engine + "'");
    for (String t : plan.traces()) {
      // hdfs:, s3a: … are read by the executors through Spark's Hadoop file systems
      if (engine.equals("spark") && SweepExecutor.hasScheme(t) && !t.startsWith("file:")) continue;
      Path p;
      try {
        p = SweepExecutor.localPath(t);
      } catch (IllegalArgumentException e) {
        throw new CliException(ExitCodes.USAGE, e.getMessage());
      }
      if (!Files.exists(p)) throw new CliException(ExitCodes.NO_INPUT, t + ": no such file");
    }
    SweepEngine remote = null;
    if (engine.equals("spark")) {
      remote = SweepEngine.find("spark");
      if (remote == null) {
        throw new CliException(ExitCodes.USAGE, "--engine spark: Spark is not on the class path; run through ./vqsim (it adds spark/target/lib when "
            + "--engine spark or --master is given) or spark-submit spark/target/vqsim-spark.jar (see README, Sweeps)");
      }
      remote.check(master, jobs);
    }
    List<SweepPlan.Unit> units = plan.units();
    for (SweepPlan.Unit u : units) {
      SweepExecutor.replayOptions(plan, u).baseConfig();
      SweepExecutor.profile(plan, u);
      if (u.trace().equals("generated")) {
        if (SweepExecutor.workloadIsNet(plan)) {
          SweepExecutor.netWorkload(plan, u);
          org.vqsim.engine.device.net.NetFeatures.parse(SweepExecutor.replayOptions(plan, u).netFeatures);
        } else {
          SweepExecutor.workload(plan, u);
        }
      }
    }
    try (RunOutput out = Outputs.folder(spec, outDir)) {
      run(plan, units, remote, out);
    }
    return ExitCodes.OK;
  }

  private void run(SweepPlan plan, List<SweepPlan.Unit> units, SweepEngine remote, RunOutput output) throws Exception {
    Path parts = outDir.resolve(PARTS);
    if (writeReport && !(force || resume)) output.requireAbsent(List.of(ReportFiles.REPORT), false);
    prepare(plan, parts);

    Map<Integer, SummaryRow> done = new HashMap<>();
    if (resume) done.putAll(readParts(parts));
    List<SweepPlan.Unit> todo = new ArrayList<>();
    for (SweepPlan.Unit u : units) if (!done.containsKey(u.index())) todo.add(u);
    int n = jobs != null ? jobs : Runtime.getRuntime().availableProcessors();
    if (n < 1) throw new IllegalArgumentException("--jobs must be at least 1");
    PrintWriter err = spec.commandLine().getErr();
    if (resume && !done.isEmpty()) err.printf("Resuming: %d of %d combinations already done%n", done.size(), units.size());
    long t0 = System.nanoTime();
    if (remote != null) {
      try (SweepEngine e = remote; Progress progress = Progress.start(err, "sweep", "combinations", todo.size())) {
        e.run(plan, todo, master, jobs, (u, row) -> {
          progress.add(1);
          try {
            writePart(parts, u.index(), row);
          } catch (IOException ex) {
            throw new java.io.UncheckedIOException(ex);
          }
          done.put(u.index(), row);
        });
        finish(plan, units, done, todo.size(), (System.nanoTime() - t0) / 1e9, e.where(), e, output);
      }
      return;
    }
    Progress progress = Progress.start(err, "sweep", "combinations", todo.size());
    ExecutorService pool = Executors.newFixedThreadPool(n, r -> {
      Thread th = new Thread(r, "vqsim-sweep");
      th.setDaemon(true);
      return th;
    });
    try {
      final SweepPlan fp = plan;
      List<Future<SummaryRow>> futures = new ArrayList<>();
      for (SweepPlan.Unit u : todo) {
        futures.add(pool.submit(() -> {
          SummaryRow row = SweepExecutor.run(fp, u);
          writePart(parts, u.index(), row);
          progress.add(1);
          return row;
        }));
      }
      for (int i = 0; i < todo.size(); i++) {
        try {
          done.put(todo.get(i).index(), futures.get(i).get());
        } catch (ExecutionException e) {
          throw e.getCause() instanceof Exception ex ? ex : new RuntimeException(e.getCause());
        }
      }
    } finally {
      pool.shutdownNow();
      progress.close();
    }
    finish(plan, units, done, todo.size(), (System.nanoTime() - t0) / 1e9, n + " threads", null, output);
  }

  /** Once every unit has its row: slowdowns, sweep.arrow, the engine's extra outputs, the table and the report. */
  private void finish(SweepPlan plan, List<SweepPlan.Unit> units, Map<Integer, SummaryRow> done, int ran, double seconds, String where, SweepEngine engine,
      RunOutput output) throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Path parts = outDir.resolve(PARTS);
    for (SweepPlan.Unit u : units) if (!done.containsKey(u.index())) throw new IllegalStateException("unit " + u.index() + " has no result");
    // slowdown against direct within each (trace, parameters, ring) group
    List<SummaryRow> rows = new ArrayList<>();
    List<Map<String, String>> paramValues = new ArrayList<>();
    for (SweepPlan.Unit u : units) {
      SummaryRow r = done.get(u.index());
      SummaryRow direct = null;
      for (SweepPlan.Unit v : units) {
        if (v.strategy().equals("direct") && v.trace().equals(u.trace()) && v.ring().equals(u.ring()) && v.params().equals(u.params())) direct = done.get(v.index());
      }
      rows.add(r.against(direct));
      paramValues.add(u.params());
    }
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("vqsim.kind", ResultSchemas.KIND_SWEEP);
    meta.put("vqsim.version", Version.VERSION);
    meta.put("vqsim.command", "sweep");
    meta.put("vqsim.sweep", plan.toToml());
    meta.put("vqsim.profile.platform", org.vqsim.engine.cost.CostProfile.load(plan.profile()).platform());
    Path target = outDir.resolve(ResultFiles.SWEEP);
    Path staged = output.file(ResultFiles.SWEEP);
    ResultFiles.writeSweep(staged, plan.paramColumns(), paramValues, rows, meta);
    List<Path> extra = new ArrayList<>();
    // more outputs of the engine (Parquet), staged beside sweep.arrow and committed with it
    if (engine != null) for (Path p : engine.written(staged, output.stagingDir(), true)) extra.add(outDir.resolve(output.stagingDir().relativize(p)));
    if (writeReport) ReportCommand.writeWithRun(output, outDir);
    output.commit();
    deleteParts(parts);
    printTable(out, plan, units, rows);
    if (engine == null) {
      int n = Integer.parseInt(where.substring(0, where.indexOf(' ')));
      out.printf(Locale.ROOT, "%d combinations (%d run now) in %.1f s on %s: %.2f s per combination (thread time)%n", units.size(), ran, seconds, where,
          ran == 0 ? 0 : seconds * n / ran);
    } else {
      out.printf(Locale.ROOT, "%d combinations (%d run now) in %.1f s on %s%n", units.size(), ran, seconds, where);
    }
    out.println("Wrote " + units.size() + " rows to " + target);
    for (Path p : extra) out.println("Wrote " + units.size() + " rows to " + p);
    out.println("Wrote the sweep as run to " + outDir.resolve(TOML));
    if (writeReport) out.println("Wrote the report to " + outDir.resolve(ReportFiles.REPORT));
    out.flush();
  }

  private void prepare(SweepPlan plan, Path parts) throws IOException {
    Path toml = outDir.resolve(TOML);
    boolean existing = Files.exists(outDir.resolve(ResultFiles.SWEEP)) || Files.exists(parts);
    if (resume) {
      if (Files.exists(toml) && !Files.readString(toml, StandardCharsets.UTF_8).equals(plan.toToml())) {
        throw new CliException(ExitCodes.USAGE, toml + " describes a different sweep; --resume needs the same sweep (or drop --resume and use --force)");
      }
    } else if (existing && !force) {
      throw new CliException(ExitCodes.CANT_CREATE, outDir + " already holds a sweep; use --resume to finish it or --force to start over");
    }
    if (force && !resume) deleteParts(parts); // another sweep's state; its sweep.arrow is replaced when this one commits
    Files.createDirectories(parts);
    Path tmp = outDir.resolve("." + TOML + ".tmp");
    Files.writeString(tmp, plan.toToml(), StandardCharsets.UTF_8);
    Files.move(tmp, toml, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static Path partFile(Path parts, int index) {
    return parts.resolve(String.format(Locale.ROOT, "unit-%06d.ser", index));
  }

  /** Each finished unit is kept (written under a temporary name, then renamed) so that --resume can skip it. */
  static void writePart(Path parts, int index, SummaryRow row) throws IOException {
    Path f = partFile(parts, index);
    Path tmp = parts.resolve(f.getFileName() + ".tmp");
    try (OutputStream os = Files.newOutputStream(tmp); ObjectOutputStream oos = new ObjectOutputStream(os)) {
      oos.writeObject(row);
    }
    Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static Map<Integer, SummaryRow> readParts(Path parts) throws IOException {
    Map<Integer, SummaryRow> m = new HashMap<>();
    if (!Files.isDirectory(parts)) return m;
    try (Stream<Path> s = Files.list(parts)) {
      for (Path f : s.toList()) {
        String name = f.getFileName().toString();
        if (!name.matches("unit-\\d{6}\\.ser")) continue;
        try (InputStream is = Files.newInputStream(f); ObjectInputStream ois = new ObjectInputStream(is)) {
          m.put(Integer.parseInt(name.substring(5, 11)), (SummaryRow) ois.readObject());
        } catch (ClassNotFoundException | java.io.InvalidClassException | java.io.StreamCorruptedException e) {
          Files.delete(f); // written by another vqsim version or damaged: run it again
        }
      }
    }
    return m;
  }

  private static void deleteParts(Path parts) throws IOException {
    if (!Files.exists(parts)) return;
    try (Stream<Path> s = Files.walk(parts)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
    }
  }

  private static void printTable(PrintWriter out, SweepPlan plan, List<SweepPlan.Unit> units, List<SummaryRow> rows) {
    List<String> header = new ArrayList<>();
    if (plan.traces().size() + (plan.generate() == null ? 0 : 1) > 1) header.add("trace");
    header.addAll(plan.params().keySet());
    // a network unit's rate is packets/s and it has Gb/s; a sweep of both kinds says so in the header
    boolean anyNet = rows.stream().anyMatch(SummaryRow::isNet), allNet = anyNet && rows.stream().allMatch(SummaryRow::isNet);
    header.addAll(List.of("ring", "strategy"));
    header.add(allNet ? "packets/s" : anyNet ? "IOPS|packets/s" : "IOPS");
    if (anyNet) header.add("Gb/s");
    header.addAll(List.of("p99 us", allNet ? "cycles/pkt" : anyNet ? "cycles/req|pkt" : "cycles/req", "slowdown"));
    List<String[]> table = new ArrayList<>();
    for (int i = 0; i < units.size(); i++) {
      SweepPlan.Unit u = units.get(i);
      SummaryRow r = rows.get(i);
      List<String> cells = new ArrayList<>();
      if (header.get(0).equals("trace")) cells.add(r.trace());
      for (String p : plan.params().keySet()) cells.add(u.params().get(p));
      cells.add(u.ring());
      cells.add(u.strategy());
      cells.add(String.format(Locale.ROOT, "%.0f", r.iops()) + (anyNet && !allNet && r.isNet() ? " pps" : ""));
      if (anyNet) cells.add(r.isNet() ? String.format(Locale.ROOT, "%.2f", r.gbitPerS()) : "-");
      cells.add(String.format(Locale.ROOT, "%.1f", r.latP99Ns() / 1e3));
      cells.add(String.format(Locale.ROOT, "%.0f", r.cyclesPerRequest()));
      cells.add(r.slowdownVsDirect() == null ? "-" : String.format(Locale.ROOT, "%.2fx", r.slowdownVsDirect()));
      table.add(cells.toArray(new String[0]));
    }
    ArrowTables.printAligned(out, header, table);
  }
}
