package org.vqsim.replay;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.vqsim.analysis.report.ReportBuilder;
import org.vqsim.analysis.report.ReportFiles;
import org.vqsim.analysis.report.ReportInputs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "report", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Write a self-contained HTML report (inline CSS and SVG charts, no script, no network) of a result folder.",
        "Reads summary.arrow, latency.arrow, fleet.arrow and sweep.arrow (in OUTDIR and its sub-folders) — never requests.arrow."},
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
    Path html = output != null ? output : dir.resolve(ReportFiles.REPORT);
    List<Path> written = write(dir, html, pngDir, force);
    PrintWriter out = spec.commandLine().getOut();
    double s = (System.nanoTime() - t0) / 1e9;
    out.printf(Locale.ROOT, "Wrote the report (%,d KiB, %.1f s) to %s%n", Files.size(written.get(0)) / 1024, s, written.get(0));
    if (written.size() > 1) out.printf(Locale.ROOT, "Wrote %d charts as PNG to %s%n", written.size() - 1, pngDir);
    out.flush();
    return ExitCodes.OK;
  }

  /** Builds the report of {@code dir} and writes it (and PNGs into {@code pngDir} unless null); existing files are kept unless {@code force}. */
  static List<Path> write(Path dir, Path html, Path pngDir, boolean force) throws IOException {
    ReportInputs in = inputs(dir);
    OutputDir.prepareFile(html, force);
    ReportBuilder.Rendered r = ReportBuilder.build(in, Instant.now());
    if (pngDir != null) {
      if (Files.exists(pngDir) && !Files.isDirectory(pngDir)) throw new CliException(ExitCodes.CANT_CREATE, pngDir + ": exists and is not a folder");
      List<Path> targets = ReportFiles.pngTargets(r, pngDir);
      OutputDir.prepare(pngDir, targets.stream().map(p -> p.getFileName().toString()).toList(), force);
    }
    return ReportFiles.write(r, html.toAbsolutePath(), pngDir);
  }

  /** The result tables of {@code dir}; a clear error when it is missing or holds none. */
  static ReportInputs inputs(Path dir) throws IOException {
    if (!Files.exists(dir)) throw new CliException(ExitCodes.NO_INPUT, dir + ": no such folder");
    if (!Files.isDirectory(dir)) throw new CliException(ExitCodes.USAGE, dir + ": not a folder; give the OUTDIR of a replay, fleet or sweep");
    ReportInputs in = ReportInputs.scan(dir);
    if (in.isEmpty()) {
      throw new CliException(ExitCodes.NO_INPUT, dir + ": no summary.arrow, fleet.arrow or sweep.arrow here or in its sub-folders");
    }
    return in;
  }

  /** What {@code --report} on replay and fleet does at the end: OUTDIR/report.html, then a "Wrote" line. */
  static void writeAfterRun(PrintWriter out, Path outDir, boolean force) throws IOException {
    List<Path> w = write(outDir, outDir.resolve(ReportFiles.REPORT), null, force);
    out.println("Wrote the report to " + w.get(0));
    out.flush();
  }

  /** Before a long run: fails now if --report could not write OUTDIR/report.html later. */
  static void checkWritable(Path outDir, boolean force) {
    OutputDir.prepare(outDir, new ArrayList<>(List.of(ReportFiles.REPORT)), force);
  }
}
