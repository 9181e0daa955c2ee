package org.vqsim.replay;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.vqsim.analysis.arrow.ArrowTables;
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
    description = {"Compare two result folders per strategy and metric (IOPS, MiB/s, p50/p99/p99.9 latency, cycles per request and per KiB):",
        "base, new and the change. With --fail-above, exit 3 when a metric gets worse by more than PCT percent",
        "(lower IOPS or MiB/s; higher latency or cycles)."},
    footer = {"", "Examples:",
        "  vqsim compare base/ new/",
        "  vqsim compare base/ new/ --fail-above 5",
        "  vqsim compare base/ new/ --report compare.html"})
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

  @Option(names = "--force", description = "Overwrite an existing --report file.")
  boolean force;

  @Override
  public Integer call() throws IOException {
    if (failAbove != null && (failAbove.isNaN() || failAbove < 0)) throw new IllegalArgumentException("--fail-above must be a percentage ≥ 0, not " + failAbove);
    ReportInputs b = ReportCommand.inputs(base), n = ReportCommand.inputs(next);
    if (b.runs().isEmpty()) throw new CliException(ExitCodes.NO_INPUT, base + ": no summary.arrow to compare");
    if (n.runs().isEmpty()) throw new CliException(ExitCodes.NO_INPUT, next + ": no summary.arrow to compare");
    if (report != null) OutputDir.prepareFile(report, force);
    Comparison.Result r = Comparison.compare(b, n, failAbove == null ? Double.NaN : failAbove);
    PrintWriter out = spec.commandLine().getOut();
    out.println("Base: " + base + "   New: " + next);
    ArrowTables.printAligned(out, List.of("strategy", "metric", "base", "new", "change", ""), Comparison.textRows(r));
    if (!r.onlyInBase().isEmpty()) out.println("Only in base (not compared): " + String.join(", ", r.onlyInBase()));
    if (!r.onlyInNew().isEmpty()) out.println("Only in new (not compared): " + String.join(", ", r.onlyInNew()));
    if (r.lines().isEmpty()) throw new CliException(ExitCodes.DATA, "no strategy appears in both folders: nothing to compare");
    if (report != null) {
      ReportBuilder.Rendered page = Comparison.html(r, Instant.now());
      ReportFiles.write(page, report.toAbsolutePath(), null);
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
