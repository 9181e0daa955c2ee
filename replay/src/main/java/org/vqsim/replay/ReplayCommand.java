package org.vqsim.replay;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.vqsim.capture.TraceFormat;
import org.vqsim.capture.Traces;
import org.vqsim.engine.cost.CostProfile;
import org.vqsim.engine.dma.StrategyId;
import org.vqsim.engine.sim.ReplayConfig;
import org.vqsim.analysis.io.RunOutput;
import org.vqsim.analysis.report.ReportFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "replay", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Replay a trace under one or more DMA strategies.", "",
        "Writes OUTDIR/requests.arrow (one row per request per strategy), summary.arrow (one row per strategy) "
            + "and latency.arrow (the latency histogram buckets). Existing results are kept unless --force."},
    footer = {"", "Examples:",
        "  vqsim replay trace.arrow --strategy direct -o out/",
        "  vqsim replay samples/qemu-lab/randread4k.direct.guest-ftrace.txt.gz \\",
        "      --strategy all -o out/lab",
        "  vqsim replay run.pcap --guest-mac 52:54:00:12:70:02 --strategy all -o out/",
        "  vqsim replay trace.arrow --iodepth 64 --backend vhost \\",
        "      --cost kick_exit_cycles=1500 --summary-only -o out/"})
final class ReplayCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;
  @Mixin DebugOption debug;
  @Mixin StrategyOptions strategies;
  @Mixin ReplayOptions model;

  @Parameters(index = "0", paramLabel = "TRACE", description = "Trace file in any supported format (canonical .arrow, ftrace, QEMU log, blkparse, fio iolog, MSR CSV; .gz is fine); - reads standard input.")
  Path trace;

  @Option(names = "--format", paramLabel = "FORMAT", description = "Force the trace format instead of detecting it: arrow, ftrace, qemu, blkparse, fio, msr.")
  String format;

  @Option(names = "--device", paramLabel = "MAJ,MIN", description = "Only this block device from a text trace (e.g. 254,0).")
  String device;

  @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUTDIR", description = "Folder for the result files.")
  Path outDir;

  @Option(names = "--skip-bad-lines", description = "Skip malformed lines of a text trace (and report how many) instead of stopping at the first.")
  boolean skipBadLines;

  @Option(names = "--summary-only", description = "Do not write requests.arrow (for huge traces).")
  boolean summaryOnly;

  @Option(names = "--force", description = "Overwrite existing results in OUTDIR.")
  boolean force;

  @Option(names = "--report", description = "Also write OUTDIR/report.html, the HTML report of the results, at the end.")
  boolean writeReport;

  @Override
  public Integer call() throws IOException {
    TraceFormat f = format == null ? null : TraceFormat.of(format);
    if (device != null && !device.matches("\\d+,\\d+")) throw new IllegalArgumentException("--device must be MAJOR,MINOR (e.g. 254,0), not '" + device + "'");
    Path resolved = Stdin.resolve(trace);
    if (f == null && NetReplayRunner.isNet(resolved)) return callNet(resolved);
    TraceRef ref = TraceRef.file(resolved, f, device, skipBadLines);
    CostProfile p = strategies.costProfile();
    ReplayRunner.Plan plan = plan(model, p, strategies.strategyIds(p), ref, summaryOnly);
    PrintWriter out = spec.commandLine().getOut();
    List<String> names = new java.util.ArrayList<>(plan.files());
    if (writeReport) names.add(ReportFiles.REPORT);
    try (RunOutput o = Outputs.folder(spec, outDir)) {
      o.requireAbsent(names, force);
      ReplayRunner.Outcome r = ReplayRunner.run(plan, o, "", spec.commandLine().getErr());
      if (writeReport) ReportCommand.writeWithRun(o, outDir);
      o.commit();
      if (skipBadLines) {
        // the replay streamed the trace once per strategy; one more cheap pass counts what was skipped
        try (Traces.Opened t = ref.open()) {
          org.vqsim.engine.sim.IoRequest req = new org.vqsim.engine.sim.IoRequest();
          while (t.source().next(req)) { /* read to the end */ }
          out.printf("Skipped %d malformed lines of %s%n", t.skippedLines(), trace);
        }
      }
      report(out, plan, r);
      wrote(out, outDir, r.written());
      if (writeReport) out.println("Wrote the report to " + outDir.resolve(ReportFiles.REPORT));
    }
    out.flush();
    return ExitCodes.OK;
  }

  /** A network trace (a generated packet trace or a guest ftrace of a network run): requests.arrow per packet, summary.arrow per strategy. */
  private int callNet(Path resolved) throws IOException {
    if (device != null) throw new IllegalArgumentException("--device is for block traces; " + trace + " is a network trace");
    CostProfile p = strategies.costProfile();
    List<org.vqsim.engine.dma.StrategyId> ids = strategies.strategyIds(p);
    org.vqsim.engine.device.net.NetFeatures features = org.vqsim.engine.device.net.NetFeatures.parse(model.netFeatures);
    ReplayConfig c = model.baseConfig();
    Map<String, String> opts = new java.util.LinkedHashMap<>();
    opts.put("trace", trace.toString());
    opts.putAll(StrategyOptions.describe(p, ids));
    opts.putAll(model.describe(c));
    opts.put("net-features", features.toString());
    model.putGuestSide(opts);
    List<String> names = new java.util.ArrayList<>();
    if (!summaryOnly) names.add(NetReplayRunner.REQUESTS);
    names.add(NetReplayRunner.SUMMARY);
    names.add(NetReplayRunner.LATENCY);
    names.add(NetReplayRunner.LOCKS);
    if (writeReport) names.add(ReportFiles.REPORT);
    PrintWriter out = spec.commandLine().getOut();
    try (RunOutput o = Outputs.folder(spec, outDir)) {
      o.requireAbsent(names, force);
      List<String> written = NetReplayRunner.run(resolved, ids, p, c, model.dmaOptions(), model.ring, features, summaryOnly, o, out, opts);
      if (writeReport) ReportCommand.writeWithRun(o, outDir);
      o.commit();
      wrote(out, outDir, written);
      if (writeReport) out.println("Wrote the report to " + outDir.resolve(ReportFiles.REPORT));
    }
    out.flush();
    return ExitCodes.OK;
  }

  /** Validates every option and reads the trace's defaults before anything runs. */
  static ReplayRunner.Plan plan(ReplayOptions model, CostProfile p, List<StrategyId> ids, TraceRef ref, boolean summaryOnly) throws IOException {
    ReplayConfig base = model.baseConfig();
    Map<String, String> meta;
    try (Traces.Opened t = ref.open()) {
      meta = t.metadata();
    }
    // a capture (issue and completion times) replays as captured unless told otherwise
    boolean mayBeCaptured = model.arrival == null ? !meta.containsKey(org.vqsim.capture.canonical.CanonicalTrace.META_ARRIVAL) : model.arrival.equals(ReplayRunner.ARRIVAL_CAPTURED);
    Integer captured = mayBeCaptured ? ReplayRunner.capturedConcurrency(ref) : null;
    ReplayConfig c = ReplayRunner.applyTraceDefaults(base, meta, model.iodepth, model.arrival, model.vcpus, captured);
    Map<String, String> opts = new java.util.LinkedHashMap<>();
    opts.put("trace", ref.label());
    opts.putAll(StrategyOptions.describe(p, ids));
    opts.putAll(model.describe(c));
    opts.put("arrival", ReplayRunner.arrivalLabel(c, captured != null && (model.arrival == null || model.arrival.equals(ReplayRunner.ARRIVAL_CAPTURED))));
    if (ref.device() != null) opts.put("device", ref.device());
    return new ReplayRunner.Plan(ref, ids, p, c, model.dmaOptions(), model.ring, summaryOnly, opts);
  }

  /** The run's table. */
  static void report(PrintWriter out, ReplayRunner.Plan plan, ReplayRunner.Outcome o) {
    ReplayConfig c = plan.config();
    String arrival = plan.options().getOrDefault("arrival", c.openLoop() ? "open" : "closed");
    out.printf("%s: %d requests, profile %s, %s ring, %s backend, arrival %s, iodepth %d, queue size %d%n", plan.trace().label(),
        o.requestsPerStrategy(), plan.profile().name(), plan.ring(), c.backend().id, arrivalText(arrival, c), c.iodepth(), c.queueSize());
    ReplayRunner.printSummary(out, o.rows());
    for (String note : org.vqsim.analysis.report.RunNotes.of(org.vqsim.analysis.report.RunNotes.lines(o.rows()), plan.options())) out.println("Note: " + note);
    long reqs = o.requestsPerStrategy() * plan.strategies().size();
    out.printf("Replayed %d requests in %.2f s (%.0f requests/s)%n", reqs, o.wallSeconds(), o.wallSeconds() > 0 ? reqs / o.wallSeconds() : 0);
    out.flush();
  }

  static String arrivalText(String arrival, ReplayConfig c) {
    return switch (arrival) {
      case "captured" -> "as captured (the trace's issue times, at most " + c.iodepth() + " in flight as observed)";
      case "open" -> "open loop (the trace's timestamps)";
      default -> "closed loop";
    };
  }

  /** The "Wrote … to …" lines of committed result files ({@code names} relative to {@code dir}). */
  static void wrote(PrintWriter out, Path dir, List<String> names) {
    for (String n : names) out.println("Wrote " + describe(Path.of(n)) + " to " + dir.resolve(n));
    out.flush();
  }

  private static String describe(Path p) {
    String n = p.getFileName().toString();
    return switch (n) {
      case "requests.arrow" -> "per-request rows";
      case "summary.arrow" -> "the per-strategy summary";
      case "latency.arrow" -> "latency histograms";
      case "locks.arrow" -> "lock contention";
      default -> n;
    };
  }
}
