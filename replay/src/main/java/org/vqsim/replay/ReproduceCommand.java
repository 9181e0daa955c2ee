package org.vqsim.replay;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.vqsim.analysis.arrow.ArrowTables;
import org.vqsim.analysis.arrow.ReproduceRow;
import org.vqsim.analysis.arrow.ResultFiles;
import org.vqsim.analysis.arrow.ResultSchemas;
import org.vqsim.analysis.arrow.SummaryRow;
import org.vqsim.analysis.io.RunOutput;
import org.vqsim.analysis.report.ReportFiles;
import org.vqsim.engine.Version;
import org.vqsim.engine.cost.Actor;
import org.vqsim.engine.cost.Category;
import org.vqsim.engine.cost.CostProfile;
import org.vqsim.engine.cost.EventKind;
import org.vqsim.engine.util.Names;
import org.vqsim.replay.reproduce.Capability;
import org.vqsim.replay.reproduce.Scenario;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "reproduce", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Published experiments beside the model's figures.", "",
        "Runs the scenario files of published/ (one per published experiment: its citation, its figures as published, its setup, how vqsim maps "
            + "that setup onto its options and why, the modelled metric of each figure and the tolerance fixed before the first run) and judges "
            + "every figure: reproduced, off (with the reason), or not yet reproducible (with the capability the model lacks).",
        "",
        "Exits 0 when every figure with a modelled value is reproduced, 3 when any is off; writes its outputs either way."},
    footer = {"", "Examples:",
        "  vqsim reproduce -o repro/",
        "  vqsim reproduce firecracker-5156-swiotlb \\",
        "      brucker-virtio-iommu-identity -o repro/ --report",
        "  vqsim reproduce --list",
        "",
        "Writes OUTDIR/reproduce.arrow (one row per published figure) and, with --report, OUTDIR/report.html (paired bars per scenario).",
        "The scenario format is described in published/README.md."})
final class ReproduceCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;
  @Mixin DebugOption debug;

  @Parameters(arity = "0..*", paramLabel = "ID", description = "Scenarios to run (file names in the scenario folder without .toml; default: all).")
  List<String> ids = new ArrayList<>();

  @Option(names = {"-o", "--output"}, defaultValue = "vqsim-reproduce", paramLabel = "OUTDIR", description = "Folder for reproduce.arrow (default: ${DEFAULT-VALUE}).")
  Path outDir;

  @Option(names = "--scenarios", paramLabel = "DIR", description = "Folder of scenario files (default: published/ of the vqsim installation).")
  Path scenarioDir;

  @Option(names = "--report", description = "Also write OUTDIR/report.html: every scenario's figures as paired bars, published beside modelled.")
  boolean writeReport;

  @Option(names = "--baseline", paramLabel = "FILE", description = "A regression gate: exit 3 only when a figure FILE lists (scenario/figure, one a line) "
      + "is no longer reproduced; figures still off do not fail (published/reproduced.baseline is the project's).")
  Path baseline;

  @Option(names = "--list", description = "List the scenarios and their figures without running them.")
  boolean list;

  @Option(names = "--force", description = "Overwrite existing results.")
  boolean force;

  @Override
  public Integer call() throws IOException, InterruptedException {
    long t0 = System.nanoTime();
    Path dir = scenarioDir == null ? Installation.home().resolve("published") : scenarioDir;
    List<Scenario> scenarios = load(dir, ids);
    PrintWriter out = spec.commandLine().getOut();
    if (list) {
      for (Scenario s : scenarios) {
        out.println(s.id() + "  " + s.title() + " (" + s.citation().venue() + ", " + s.citation().year() + ")");
        for (Scenario.Figure f : s.figures()) {
          List<Capability> m = f.missing(s);
          out.println("    " + f.id() + ": " + f.text() + (m.isEmpty() ? "" : "  [needs " + String.join(", ", m.stream().map(c -> c.id).toList()) + "]"));
        }
      }
      out.println();
      out.println("Capabilities a scenario may require (requires = [...]):");
      List<String[]> caps = new ArrayList<>();
      for (Capability c : Capability.values()) caps.add(new String[] {"  " + c.id, c.modelled ? "modelled" : "not yet", c.description});
      ArrowTables.printAligned(out, List.of("  capability", "status", "what it is"), caps);
      out.flush();
      return ExitCodes.OK;
    }
    List<String> gate = baseline == null ? null : readBaseline(baseline, scenarios);
    // every run checked (profile, strategy, options) before anything runs or is written
    Map<String, Prepared> prepared = new LinkedHashMap<>();
    for (Scenario s : scenarios) {
      if (!s.runnable()) continue;
      for (Scenario.Run r : s.runs()) prepared.put(s.id() + "/" + r.name(), prepare(s, r));
    }
    try (RunOutput o = Outputs.folder(spec, outDir)) {
      List<String> names = new ArrayList<>(List.of(ResultFiles.REPRODUCE));
      if (writeReport) names.add(ReportFiles.REPORT);
      o.requireAbsent(names, force);
      Map<String, SummaryRow> results = runAll(prepared);
      List<ReproduceRow> rows = judge(scenarios, results);
      Map<String, String> meta = new LinkedHashMap<>();
      meta.put("vqsim.kind", ResultSchemas.KIND_REPRODUCE);
      meta.put("vqsim.version", Version.VERSION);
      meta.put("vqsim.command", "reproduce");
      meta.put("vqsim.options", "--scenarios=" + dir.getFileName() + (ids.isEmpty() ? "" : " " + String.join(" ", ids)));
      meta.put("vqsim.reproduce.scenarios", scenarioMeta(scenarios));
      ResultFiles.writeReproduce(o.file(ResultFiles.REPRODUCE), rows, meta);
      if (writeReport) ReportCommand.writeWithRun(o, outDir);
      o.commit();
      print(out, scenarios, rows, prepared.size(), (System.nanoTime() - t0) / 1e9);
      out.println("Wrote the published figures beside the model's to " + outDir.resolve(ResultFiles.REPRODUCE));
      if (writeReport) out.println("Wrote the report to " + outDir.resolve(ReportFiles.REPORT));
      out.flush();
      if (gate != null) return gate(out, gate, rows);
      for (ReproduceRow r : rows) if (r.status().equals(ReproduceRow.OFF)) return ExitCodes.CHECK_FAILED;
      return ExitCodes.OK;
    }
  }

  /** The figures a baseline file lists ({@code scenario/figure} a line, {@code #} comments), each checked to exist among {@code scenarios}. */
  static List<String> readBaseline(Path file, List<Scenario> scenarios) throws IOException {
    if (!Files.isRegularFile(file)) throw new CliException(ExitCodes.NO_INPUT, file + ": no such baseline file");
    Set<String> known = new LinkedHashSet<>();
    for (Scenario s : scenarios) for (Scenario.Figure f : s.figures()) known.add(s.id() + "/" + f.id());
    List<String> lines = Files.readAllLines(file, java.nio.charset.StandardCharsets.UTF_8);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String l = lines.get(i).strip();
      if (l.isEmpty() || l.startsWith("#")) continue;
      if (!known.contains(l)) {
        throw new CliException(ExitCodes.DATA, file + ":" + (i + 1) + ": no figure '" + l + "' among the scenarios run" + Names.didYouMean(l, known)
            + " (a line is SCENARIO/FIGURE; run the whole suite with a baseline)");
      }
      out.add(l);
    }
    return out;
  }

  /** The regression gate: exit 3 when a baseline figure is no longer reproduced; figures reproduced but not listed are pointed out. */
  private static int gate(PrintWriter out, List<String> gate, List<ReproduceRow> rows) {
    List<String> regressed = new ArrayList<>(), fresh = new ArrayList<>();
    for (ReproduceRow r : rows) {
      String key = r.scenario() + "/" + r.figure();
      boolean ok = r.status().equals(ReproduceRow.REPRODUCED);
      if (gate.contains(key) && !ok) regressed.add(key + " (" + r.status() + (r.reason().isEmpty() ? "" : ": " + r.reason()) + ")");
      if (!gate.contains(key) && ok) fresh.add(key);
    }
    for (String f : fresh) out.println("Newly reproduced, not in the baseline yet (add it): " + f);
    for (String r : regressed) out.println("REGRESSION: was reproduced, is no longer: " + r);
    out.println(regressed.isEmpty() ? "Baseline holds: all " + gate.size() + " figures it lists are still reproduced." : regressed.size() + " of the "
        + gate.size() + " baseline figures are no longer reproduced.");
    out.flush();
    return regressed.isEmpty() ? ExitCodes.OK : ExitCodes.CHECK_FAILED;
  }

  /** The scenario files of {@code dir} (all, or those named), each read and checked. */
  static List<Scenario> load(Path dir, List<String> ids) throws IOException {
    if (!Files.isDirectory(dir)) throw new CliException(ExitCodes.NO_INPUT, dir + ": no such scenario folder");
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.getFileName().toString().endsWith(".toml")).sorted().toList();
    }
    if (files.isEmpty()) throw new CliException(ExitCodes.NO_INPUT, dir + ": no scenario files (*.toml)");
    List<String> known = files.stream().map(p -> p.getFileName().toString().replaceFirst("\\.toml$", "")).toList();
    List<Path> chosen = new ArrayList<>();
    if (ids.isEmpty()) {
      chosen.addAll(files);
    } else {
      for (String id : new LinkedHashSet<>(ids)) {
        int i = known.indexOf(id);
        if (i < 0) throw new CliException(ExitCodes.USAGE, "no scenario '" + id + "' in " + dir + Names.didYouMean(id, known) + "; vqsim reproduce --list shows them");
        chosen.add(files.get(i));
      }
    }
    Set<String> columns = new LinkedHashSet<>(ResultSchemas.summary(Map.of()).getFields().stream().map(f -> f.getName()).toList());
    List<Scenario> out = new ArrayList<>();
    for (Path f : chosen) {
      try {
        out.add(Scenario.read(f, columns));
      } catch (Scenario.BadScenario e) {
        throw new CliException(ExitCodes.DATA, e.getMessage());
      }
    }
    return out;
  }

  /** A run of a scenario as a one-unit sweep (the sweep's executor replays it in this JVM). */
  record Prepared(String key, SweepPlan plan, SweepPlan.Unit unit) {}

  private static Prepared prepare(Scenario s, Scenario.Run r) {
    String where = s.file() + ":" + r.line() + ": run '" + r.name() + "'";
    String profile = s.profile();
    if (profile.endsWith(".profile")) profile = s.file().toAbsolutePath().getParent().resolve(profile).toString();
    try {
      CostProfile.load(profile);
    } catch (org.vqsim.engine.cost.ProfileException | IllegalArgumentException e) {
      throw new CliException(ExitCodes.DATA, s.file() + ":" + s.profileLine() + ": profile '" + s.profile() + "': " + e.getMessage());
    }
    try {
      SweepPlan plan = new SweepPlan(List.of(), r.generate(), List.of(r.strategy()), List.of(r.ring()), profile, Map.of(), r.replay());
      SweepPlan.Unit unit = plan.units().get(0);
      CostProfile p = SweepExecutor.profile(plan, unit);
      StrategyOptions.resolve(List.of(r.strategy()), p);
      SweepExecutor.replayOptions(plan, unit);
      SweepExecutor.workload(plan, unit);
      return new Prepared(s.id() + "/" + r.name(), plan, unit);
    } catch (IllegalArgumentException | org.vqsim.engine.cost.ProfileException e) {
      throw new CliException(ExitCodes.DATA, where + ": " + e.getMessage());
    }
  }

  /** Every run, on all cores; each is single-threaded and deterministic, so the order they finish in changes nothing. */
  private Map<String, SummaryRow> runAll(Map<String, Prepared> prepared) throws IOException, InterruptedException {
    Map<String, SummaryRow> results = new LinkedHashMap<>();
    if (prepared.isEmpty()) return results;
    int threads = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), prepared.size()));
    ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "vqsim-reproduce");
      t.setDaemon(true);
      return t;
    });
    try {
      Map<String, Future<SummaryRow>> futures = new LinkedHashMap<>();
      for (Prepared p : prepared.values()) futures.put(p.key(), pool.submit(() -> SweepExecutor.run(p.plan(), p.unit())));
      for (Map.Entry<String, Future<SummaryRow>> e : futures.entrySet()) {
        try {
          results.put(e.getKey(), e.getValue().get());
        } catch (ExecutionException ex) {
          Throwable c = ex.getCause();
          if (c instanceof IOException io) throw io;
          if (c instanceof RuntimeException re) throw re;
          throw new IllegalStateException(c);
        }
      }
    } finally {
      pool.shutdownNow();
    }
    return results;
  }

  /** Each figure judged by its own rule. */
  static List<ReproduceRow> judge(List<Scenario> scenarios, Map<String, SummaryRow> results) {
    List<ReproduceRow> rows = new ArrayList<>();
    for (Scenario s : scenarios) {
      String cite = s.citation().authors() + ", " + s.citation().venue() + ", " + s.citation().year();
      for (Scenario.Figure f : s.figures()) {
        List<Capability> missing = f.missing(s);
        if (!missing.isEmpty()) {
          List<String> why = new ArrayList<>();
          for (Capability c : missing) why.add(c.id + " (" + c.description + ")");
          rows.add(new ReproduceRow(s.id(), f.id(), f.kind(), f.text(), f.published(), f.unit(), f.relativeTo(), null, null, f.tolerancePct(), f.judge().id,
              ReproduceRow.NOT_YET, "needs " + String.join("; ", why), f.verified(), cite, f.metric() == null ? "" : f.metric().text()));
          continue;
        }
        double m = f.metric().eval((run, col) -> column(results.get(s.id() + "/" + run), col));
        Verdict v = verdict(f.published(), m, f.judge(), f.tolerancePct());
        String reason = v.reproduced() ? "" : v.why() + (f.explanation() == null ? "" : ". " + f.explanation().replaceAll("\\s+", " "));
        rows.add(new ReproduceRow(s.id(), f.id(), f.kind(), f.text(), f.published(), f.unit(), f.relativeTo(), Double.isFinite(m) ? m : null,
            Double.isFinite(v.errorPct()) ? v.errorPct() : null, f.tolerancePct(), f.judge().id, v.reproduced() ? ReproduceRow.REPRODUCED : ReproduceRow.OFF,
            reason, f.verified(), cite, f.metric().text()));
      }
    }
    return rows;
  }

  /** Whether {@code modelled} reproduces {@code published} under {@code judge} and {@code tolPct}, with the error and the reason if not. */
  record Verdict(boolean reproduced, double errorPct, String why) {}

  static Verdict verdict(double published, double modelled, Scenario.Judge judge, double tolPct) {
    if (!Double.isFinite(modelled)) return new Verdict(false, Double.NaN, "the model gives no finite value (" + modelled + ")");
    double err = published == 0 ? Double.NaN : (modelled - published) / Math.abs(published) * 100;
    double scale = Math.abs(published) * tolPct / 100;
    boolean ok = switch (judge) {
      case WITHIN -> Math.abs(modelled - published) <= scale;
      case AT_MOST -> modelled <= published + scale;
      case AT_LEAST -> modelled >= published - scale;
    };
    if (ok) return new Verdict(true, err, "");
    String dir = modelled > published ? "above" : "below";
    String rule = switch (judge) {
      case WITHIN -> "within ±" + Fmt.num(tolPct) + "%";
      case AT_MOST -> tolPct == 0 ? "at most the published value" : "at most " + Fmt.num(tolPct) + "% above";
      case AT_LEAST -> tolPct == 0 ? "at least the published value" : "at most " + Fmt.num(tolPct) + "% below";
    };
    return new Verdict(false, err, String.format(Locale.ROOT, "modelled %s is %s%% %s the published %s (needed: %s)", Fmt.num(modelled),
        Fmt.num(Math.abs(err)), dir, Fmt.num(published), rule));
  }

  /** A tolerance as printed: ±10%, ≤ +5%, ≥ −5%, or "≥ published" for a bound with no margin. */
  static String tolerance(String judge, double pct) {
    if (judge.equals("within")) return "±" + Fmt.num(pct) + "%";
    if (pct == 0) return judge.equals("at_most") ? "≤ published" : "≥ published";
    return (judge.equals("at_most") ? "≤ +" : "≥ −") + Fmt.num(pct) + "%";
  }

  /** Small number formatting for the table and reasons: 3 significant digits, no exponent. */
  static final class Fmt {
    private Fmt() {}

    static String num(double v) {
      if (!Double.isFinite(v)) return String.valueOf(v);
      if (v == 0) return "0";
      double a = Math.abs(v);
      if (a >= 1000) return String.format(Locale.ROOT, "%,.0f", v);
      if (a >= 100) return String.format(Locale.ROOT, "%.0f", v);
      if (a >= 10) return String.format(Locale.ROOT, "%.1f", v);
      if (a >= 1) return String.format(Locale.ROOT, "%.2f", v);
      return String.format(Locale.ROOT, "%.3f", v);
    }
  }

  /** A summary column of a run's row, by its summary.arrow name. */
  static double column(SummaryRow r, String col) {
    if (r == null) throw new IllegalStateException("a figure read a run that did not run");
    switch (col) {
      case "iops": return r.iops();
      case "mib_per_s": return r.mibPerS();
      case "lat_mean_ns": return r.latMeanNs();
      case "lat_p50_ns": return r.latP50Ns();
      case "lat_p99_ns": return r.latP99Ns();
      case "lat_p999_ns": return r.latP999Ns();
      case "lat_max_ns": return r.latMaxNs();
      case "cycles_per_request": return r.cyclesPerRequest();
      case "cycles_per_kib": return r.cyclesPerKib();
      case "guest_cycles_per_request": return r.guestCyclesPerRequest();
      case "host_cycles_per_request": return r.hostCyclesPerRequest();
      case "iodepth": return r.iodepth();
      case "vcpus": return r.vcpus();
      case "queues": return r.queues();
      case "requests": return r.requests();
      case "bytes": return r.bytes();
      case "sim_time_ns": return r.simTimeNs();
      case "kicks_suppressed_per_request": return r.kicksSuppressedPerRequest();
      case "ring_full_stalls": return r.ringFullStalls();
      case "map_stalls": return r.mapStalls();
      case "vcpu_util_max": return r.vcpuUtilMax();
      case "vcpu_util_mean": return r.vcpuUtilMean();
      case "vmm_util_max": return r.vmmUtilMax();
      case "lock_wait_ns_per_request": return r.lockWaitNsPerRequest();
      default:
        break;
    }
    for (EventKind e : EventKind.values()) if (col.equals(e.id + "_per_request")) return r.eventsPerRequest()[e.ordinal()];
    for (Category c : Category.values()) if (col.equals("cycles_" + c.id)) return r.cyclesByCategory()[c.ordinal()];
    for (Actor a : Actor.values()) if (col.equals("cycles_" + a.id)) return r.cyclesByActor()[a.ordinal()];
    throw new IllegalArgumentException("column '" + col + "' is not a number a figure can read (slowdown_vs_direct and cycles_vs_direct: divide two runs instead)");
  }

  /** The scenarios' titles and citations, for the report (one line each: id, title, citation, url, summary; tab-separated). */
  private static String scenarioMeta(List<Scenario> scenarios) {
    StringBuilder b = new StringBuilder();
    for (Scenario s : scenarios) {
      var c = s.citation();
      b.append(String.join("\t", s.id(), s.title(), c.authors() + ", \"" + c.title() + "\", " + c.venue() + ", " + c.year()
          + (c.ref() == null ? "" : " (" + c.ref() + ")"), c.url(), s.summary().replace('\n', ' ').replace('\t', ' '))).append('\n');
    }
    return b.toString();
  }

  private static void print(PrintWriter out, List<Scenario> scenarios, List<ReproduceRow> rows, int runs, double seconds) {
    List<String[]> table = new ArrayList<>();
    for (ReproduceRow r : rows) {
      table.add(new String[] {r.scenario(), r.figure(), r.published(), r.modelled() == null ? "" : Fmt.num(r.modelled()) + " " + r.unit(),
          r.errorPct() == null ? "" : String.format(Locale.ROOT, "%+.1f%%", r.errorPct()),
          tolerance(r.judge(), r.tolerancePct()), r.status(),
          r.verified() ? "yes" : "no"});
    }
    ArrowTables.printAligned(out, List.of("scenario", "figure", "published", "modelled", "error", "tolerance", "status", "verified"), table);
    int rep = 0, off = 0, notYet = 0;
    for (ReproduceRow r : rows) {
      if (r.status().equals(ReproduceRow.REPRODUCED)) rep++;
      else if (r.status().equals(ReproduceRow.OFF)) off++;
      else notYet++;
    }
    boolean reasons = false;
    for (ReproduceRow r : rows) {
      if (r.reason().isEmpty()) continue;
      if (!reasons) {
        out.println();
        out.println("Why:");
        reasons = true;
      }
      out.println("  " + r.scenario() + " / " + r.figure() + " (" + r.status() + "): " + r.reason());
    }
    out.println();
    out.printf(Locale.ROOT, "%d scenarios, %d figures: %d reproduced, %d off, %d not yet reproducible (%d replays, %.1f s)%n", scenarios.size(), rows.size(),
        rep, off, notYet, runs, seconds);
  }
}
