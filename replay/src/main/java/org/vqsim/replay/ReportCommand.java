package org.vqsim.replay;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.vqsim.analysis.io.RunOutput;
import org.vqsim.analysis.report.ReportBuilder;
import org.vqsim.analysis.report.ReportFiles;
import org.vqsim.analysis.report.ReportInputs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "report", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Write a self-contained HTML report of a result folder.", "",
        "Inline CSS and SVG charts, no script, no network. It reads summary.arrow, latency.arrow, fleet.arrow, reproduce.arrow "
            + "and sweep.arrow (in OUTDIR and its sub-folders), never requests.arrow."},
    footer = {"", "Examples:",
        "  vqsim report out/",
        "  vqsim report out/ -o review.html --png slides/",
        "  vqsim report fleet-out/ --force"})
final class ReportCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;
  @Mixin DebugOption debug;

  @Parameters(index = "0", paramLabel = "OUTDIR", description = "A folder written by replay, fleet, sweep or demo.")
  Path dir;

  @Option(names = {"-o", "--output"}, paramLabel = "FILE.html", description = "Where to write the report (default: OUTDIR/report.html).")
  Path output;

  @Option(names = "--png", paramLabel = "DIR", description = "Also write each chart as a PNG (twice the on-page size) into DIR.")
  Path pngDir;

  @Option(names = "--force", description = "Overwrite an existing report and PNGs.")
  boolean force;

  @Override
  public Integer call() throws IOException {
    long t0 = System.nanoTime();
    ReportInputs in = inputs(dir);
    ReportBuilder.Rendered r = ReportBuilder.build(in, Instant.now());
    Path html;
    List<Path> pngs = List.of();
    // the default report lives in the result folder: take the folder's lock, so a run writing there is not read half-way
    try (RunOutput o = output == null ? Outputs.folder(spec, dir) : Outputs.file(spec, output);
        RunOutput p = pngDir == null ? null : Outputs.folder(spec, pngDir)) {
      if (output == null) o.requireAbsent(List.of(ReportFiles.REPORT), force);
      else o.requireAbsent(List.of(), force);
      if (p != null) p.requireAbsent(ReportFiles.pngTargets(r, Path.of("")).stream().map(Path::toString).toList(), force);
      Path staged = output == null ? o.file(ReportFiles.REPORT) : o.file();
      ReportFiles.write(r, staged, null);
      if (p != null) {
        for (Path png : ReportFiles.pngTargets(r, Path.of(""))) ReportFiles.writePng(r, png.toString(), p.file(png.toString()));
      }
      html = o.commit().get(0);
      if (p != null) pngs = p.commit();
    }
    PrintWriter out = spec.commandLine().getOut();
    double s = (System.nanoTime() - t0) / 1e9;
    out.printf(Locale.ROOT, "Wrote the report (%,d KiB, %.1f s) to %s%n", Files.size(html) / 1024, s, html);
    if (!pngs.isEmpty()) out.printf(Locale.ROOT, "Wrote %d charts as PNG to %s%n", pngs.size(), pngDir);
    out.flush();
    return ExitCodes.OK;
  }

  /** The result tables of {@code dir}; a clear error when it is missing or holds none. */
  static ReportInputs inputs(Path dir) throws IOException {
    if (!Files.exists(dir)) throw new CliException(ExitCodes.NO_INPUT, dir + ": no such folder");
    if (!Files.isDirectory(dir)) throw new CliException(ExitCodes.USAGE, dir + ": not a folder; give the OUTDIR of a replay, fleet or sweep");
    ReportInputs in = ReportInputs.scan(dir);
    if (in.isEmpty()) {
      throw new CliException(ExitCodes.NO_INPUT, dir + ": no summary.arrow, fleet.arrow, sweep.arrow or reproduce.arrow here or in its sub-folders");
    }
    return in;
  }

  /**
   * {@code --report} of replay, fleet, sweep and the demo: OUTDIR/report.html built from the results
   * this run staged in {@code out} (shown as {@code outDir}), committed together with them.
   */
  static void writeWithRun(RunOutput out, Path outDir) throws IOException {
    ReportInputs in = ReportInputs.scan(out.stagingDir(), outDir);
    ReportBuilder.Rendered r = ReportBuilder.build(in, Instant.now());
    ReportFiles.write(r, out.file(ReportFiles.REPORT), null);
  }
}
