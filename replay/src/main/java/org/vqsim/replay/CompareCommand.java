package org.vqsim.replay;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.vqsim.analysis.arrow.ArrowTables;
import org.vqsim.analysis.io.RunOutput;
import org.vqsim.analysis.report.Comparison;
import org.vqsim.analysis.report.ReportBuilder;
import org.vqsim.analysis.report.ReportFiles;
import org.vqsim.analysis.report.ReportInputs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "compare", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Compare two result folders, or two sweeps row by row.", "",
        "For each strategy (or sweep row) and metric — IOPS, MiB/s, p50/p99/p99.9 latency, cycles per request and per KiB — it prints base, new and the change. "
            + "It refuses runs of another trace or platform unless --force is given, and warns when only the profile or options differ. "
            + "With --fail-above PCT it exits 3 when a metric gets worse by more than PCT percent (lower IOPS or MiB/s; higher latency or cycles)."},
    footer = {"", "Examples:",
        "  vqsim compare base/ new/",
        "  vqsim compare base/ new/ --fail-above 5",
        "  vqsim compare base/ new/ --report compare.html",
        "  vqsim compare sweep-before/ sweep-after/"})
final class CompareCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;
  @Mixin DebugOption debug;

  @Parameters(index = "0", paramLabel = "BASE_DIR", description = "The reference result folder.")
  Path base;

  @Parameters(index = "1", paramLabel = "NEW_DIR", description = "The result folder to check against it.")
  Path next;

  @Option(names = "--fail-above", paramLabel = "PCT", description = "Exit 3 when any metric gets worse by more than PCT percent.")
  Double failAbove;

  @Option(names = "--report", paramLabel = "FILE.html", description = "Also write the comparison as a self-contained HTML page.")
  Path report;

  @Option(names = "--force", description = "Compare runs of different traces or platforms anyway, and overwrite an existing --report file.")
  boolean force;

  @Override
  public Integer call() throws IOException {
    if (failAbove != null && (failAbove.isNaN() || failAbove < 0)) throw new IllegalArgumentException("--fail-above must be a percentage ≥ 0, not " + failAbove);
    ReportInputs b = ReportCommand.inputs(base), n = ReportCommand.inputs(next);
    boolean bRuns = !b.runs().isEmpty() || !b.netRuns().isEmpty(), nRuns = !n.runs().isEmpty() || !n.netRuns().isEmpty();
    if (!bRuns && b.sweep() == null) throw new CliException(ExitCodes.NO_INPUT, base + ": no summary.arrow or sweep.arrow to compare");
    if (!nRuns && n.sweep() == null) throw new CliException(ExitCodes.NO_INPUT, next + ": no summary.arrow or sweep.arrow to compare");
    if (bRuns != nRuns) {
      throw new CliException(ExitCodes.USAGE, "compare: " + (bRuns ? next : base) + " is a sweep and " + (bRuns ? base : next)
          + " is not; compare a sweep with a sweep (row by row) or replays with replays (strategy by strategy)");
    }
    if (b.netRuns().isEmpty() != n.netRuns().isEmpty() || b.runs().isEmpty() != n.runs().isEmpty()) {
      boolean bNet = !b.netRuns().isEmpty() && b.runs().isEmpty();
      throw new CliException(ExitCodes.USAGE, "compare: " + (bNet ? base : next) + " holds network replays (packets) and " + (bNet ? next : base)
          + " block replays (requests); their metrics are not the same, compare network runs with network runs");
    }
    List<String> diff = Comparison.differences(b, n);
    PrintWriter err = spec.commandLine().getErr();
    if (!diff.isEmpty()) {
      boolean hard = diff.stream().anyMatch(d -> d.startsWith("trace:") || d.startsWith("platform:"));
      String what = String.join("; ", diff);
      if (hard && !force) {
        throw new CliException(ExitCodes.USAGE, "compare: " + base + " and " + next + " are not comparable (" + what
            + "): the changes would not be the model's; add --force to compare them anyway");
      }
      err.println("vqsim: warning: the two runs differ in more than options (" + what + "); read the changes with that in mind");
      err.flush();
    }
    Comparison.Result r = Comparison.compare(b, n, failAbove == null ? Double.NaN : failAbove);
    PrintWriter out = spec.commandLine().getOut();
    out.println("Base: " + base + "   New: " + next);
    ArrowTables.printAligned(out, List.of("strategy", "metric", "base", "new", "change", ""), Comparison.textRows(r));
    if (!r.onlyInBase().isEmpty()) out.println("Only in base (not compared): " + String.join(", ", r.onlyInBase()));
    if (!r.onlyInNew().isEmpty()) out.println("Only in new (not compared): " + String.join(", ", r.onlyInNew()));
    if (r.lines().isEmpty()) throw new CliException(ExitCodes.DATA, "no strategy appears in both folders: nothing to compare");
    if (report != null) {
      try (RunOutput o = Outputs.file(spec, report)) {
        o.requireAbsent(List.of(), force);
        ReportFiles.write(Comparison.html(r, Instant.now()), o.file(), null);
        o.commit();
      }
      out.println("Wrote the comparison to " + report.toAbsolutePath());
    }
    List<Comparison.Line> fails = r.failures();
    if (failAbove != null) {
      String pct = String.format(Locale.ROOT, "%s%%", failAbove == Math.rint(failAbove) ? String.valueOf(failAbove.longValue()) : failAbove);
      if (!fails.isEmpty()) {
        out.printf("%d of %d metrics got worse by more than %s%n", fails.size(), r.lines().size(), pct);
        out.flush();
        spec.commandLine().getErr().println("vqsim: compare: " + fails.size() + " metrics got worse by more than " + pct);
        spec.commandLine().getErr().flush();
        return ExitCodes.CHECK_FAILED;
      }
      out.printf("No metric got worse by more than %s (%d compared)%n", pct, r.lines().size());
    }
    out.flush();
    return ExitCodes.OK;
  }
}
