package org.vqsim.replay;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.vqsim.analysis.arrow.ArrowTables;
import org.vqsim.analysis.arrow.SummaryRow;
import org.vqsim.analysis.arrow.TableWriter;
import org.vqsim.analysis.io.RunOutput;
import org.vqsim.capture.ReadOptions;
import org.vqsim.capture.Traces;
import org.vqsim.capture.observed.ObservedEvents.Counter;
import org.vqsim.capture.observed.TraceInspector;
import org.vqsim.engine.Version;
import org.vqsim.engine.cost.CostProfile;
import org.vqsim.engine.cost.EventKind;
import org.vqsim.engine.dma.StrategyId;
import org.vqsim.engine.sim.ReplayConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "validate", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Compare the model with a captured run, event by event.", "",
        "A virtio-net capture (a guest ftrace with net_dev_xmit / napi_gro_receive_entry events) is recognised: its packets are replayed "
            + "and the figures are per packet (maps, unmaps, bounces, bounce bytes, invalidations, kicks, interrupts).", "",
        "Replays the requests of a guest trace under the strategy the run used and compares, per request, what the trace observed "
            + "(maps, unmaps, bounced buffers and bytes; with the QEMU log also invalidations, IOTLB misses, hypercalls and interrupts) "
            + "with what the model did. Exit code 3 when --tolerance is given and any metric is off by more than that many percent."},
    footer = {"", "Examples:",
        "  vqsim validate \\",
        "      samples/qemu-lab/randread4k.viommu-strict.guest-ftrace.txt.gz \\",
        "      samples/qemu-lab/randread4k.viommu-strict.qemu-trace.log.gz \\",
        "      --strategy viommu-strict",
        "  vqsim validate \\",
        "      samples/qemu-lab-ppc/seqwrite128k.tce.guest-ftrace.txt.gz \\",
        "      samples/qemu-lab-ppc/seqwrite128k.tce.qemu-trace.log.gz \\",
        "      --strategy tce --profile power9-kvm --tolerance 10 -o val/",
        "  vqsim validate \\",
        "      samples/qemu-lab-net/tcp-rr.viommu-strict.guest-ftrace.txt.gz \\",
        "      samples/qemu-lab-net/tcp-rr.viommu-strict.qemu-trace.log.gz \\",
        "      --strategy viommu-strict --tolerance 10"})
final class ValidateCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;
  @Mixin DebugOption debug;
  @Mixin ReplayOptions model;

  @Parameters(index = "0", paramLabel = "GUEST_TRACE", description = "Guest ftrace text of the run (block events plus map/unmap/bounce or TCE function-tracer lines).")
  Path guest;

  @Parameters(index = "1", arity = "0..1", paramLabel = "QEMU_TRACE", description = "QEMU trace log of the same run (optional).")
  Path qemu;

  @Option(names = {"-s", "--strategy"}, required = true, paramLabel = "ID", description = "The strategy the run used (see the lab READMEs for each mode's strategy).")
  String strategy;

  @Option(names = {"-p", "--profile"}, defaultValue = "x86-kvm", paramLabel = "NAME|FILE", description = "Cost profile (default: ${DEFAULT-VALUE}).")
  String profile;

  @Option(names = "--tolerance", paramLabel = "PCT", description = "Fail (exit 3) when any metric's error exceeds PCT percent.")
  Double tolerance;

  @Option(names = "--device", paramLabel = "MAJ,MIN", description = "Only this block device from the guest trace.")
  String device;

  @Option(names = {"-o", "--output"}, paramLabel = "OUTDIR", description = "Write OUTDIR/validation.arrow.")
  Path outDir;

  @Option(names = "--force", description = "Overwrite an existing validation.arrow.")
  boolean force;

  @Option(names = "--timing", description = "Also compare time: the run replayed as captured (its issue times and concurrency) with the profile, "
      + "observed against modelled latency mean, p50 and p99 per request kind and throughput (rows latency_mean_ns, latency_p50_ns, latency_p99_ns, throughput_per_s).")
  boolean timing;

  @Option(names = "--batching-tolerance", paramLabel = "PCT", description = "Network runs: the tolerance for kicks and interrupts, which depend on batching "
      + "(default: 50 when --tolerance is given).")
  Double batchingTolerance;

  /** One compared metric. {@code errorPct} is null when nothing was observed and nothing modelled. */
  record Metric(String name, String source, double observed, double modelled, Double errorPct) {}

  @Override
  public Integer call() throws IOException {
    try (RunOutput o = outDir == null ? null : Outputs.folder(spec, outDir)) {
      if (o != null) o.requireAbsent(List.of(FILE), force);
      return run(o);
    }
  }

  static final String FILE = "validation.arrow";

  private int run(RunOutput output) throws IOException {
    if (tolerance != null && !(tolerance >= 0)) throw new IllegalArgumentException("--tolerance must be a percentage ≥ 0");
    CostProfile p = CostProfile.load(profile);
    StrategyId id = StrategyOptions.resolve(List.of(strategy), p).get(0);
    if (org.vqsim.capture.net.NetGuestTrace.isNetwork(guest)) {
      isNet = true;
      return runNet(output, id, p);
    }
    if (model.netFeatures != null) throw new IllegalArgumentException("--net-features is for network runs; " + guest + " has no virtio-net packet events");
    TraceInspector g;
    try (Traces.Opened t = Traces.open(guest, ReadOptions.defaults().withDevice(device))) {
      g = new TraceInspector().read(t.source());
    }
    if (g.requests == 0) throw new CliException(ExitCodes.DATA, guest + ": no requests to validate");
    TraceInspector q = null;
    if (qemu != null) {
      try (Traces.Opened t = Traces.open(qemu, ReadOptions.defaults())) {
        q = new TraceInspector().read(t.source());
      }
    }
    // replay at the depth the run really had
    TraceRef ref = TraceRef.file(guest, null, device);
    ReplayConfig c = model.baseConfig().withIodepth(model.iodepth != null ? model.iodepth : Math.max(1, Math.min(g.maxInFlight, model.queueSize)));
    SummaryRow m = SweepExecutor.summarize(ref, id, p, c, model.dmaOptions(), model.ring);

    List<Metric> metrics = new ArrayList<>();
    metrics.add(metric("maps", "guest", g.perRequest(Counter.MAPS), m, EventKind.MAPS));
    metrics.add(metric("unmaps", "guest", g.perRequest(Counter.UNMAPS), m, EventKind.UNMAPS));
    metrics.add(metric("bounces", "guest", g.perRequest(Counter.BOUNCES), m, EventKind.BOUNCES));
    metrics.add(metric("bounce_bytes", "guest", g.perRequest(Counter.BOUNCE_BYTES), m, EventKind.BOUNCE_BYTES));
    if (q != null) {
      metrics.add(metric("invalidations", "qemu", q.perRequest(Counter.INVALIDATIONS), m, EventKind.INVALIDATIONS));
      metrics.add(metric("iotlb_misses", "qemu", q.perRequest(Counter.IOTLB_MISSES), m, EventKind.IOTLB_MISSES));
      metrics.add(metric("hypercalls", "qemu", q.perRequest(Counter.HYPERCALLS), m, EventKind.HYPERCALLS));
      // pseries QEMU logs carry no virtio_notify events: a log without any cannot say how many there were
      if (q.totalOf(Counter.INTERRUPTS) > 0) metrics.add(metric("interrupts", "qemu", q.perRequest(Counter.INTERRUPTS), m, EventKind.INTERRUPTS));
    } else if (g.totalOf(Counter.HYPERCALLS) > 0) {
      metrics.add(metric("hypercalls", "guest", g.perRequest(Counter.HYPERCALLS), m, EventKind.HYPERCALLS));
    }

    String timingArrival = null;
    if (timing) {
      org.vqsim.capture.timing.TimedRun tr = org.vqsim.capture.timing.TimedRunReader.read(guest, qemu);
      org.vqsim.replay.timing.ModelRun mr = new org.vqsim.replay.timing.ModelRun(guest, id, tr.maxInFlight(), model.seed);
      timingArrival = mr.arrivalForTimingText();
      for (org.vqsim.replay.timing.TimingCheck.Row r : org.vqsim.replay.timing.TimingCheck.check(tr, mr, p)) {
        metrics.add(new Metric(r.metric(), r.kind().equals("all") ? "guest" : "guest " + r.kind(), r.observed(), r.modelled(), r.errorPct()));
      }
    }

    PrintWriter out = spec.commandLine().getOut();
    out.printf(Locale.ROOT, "%s: %d requests (max %d in flight), replayed under %s with %s%s%n", guest.getFileName(), g.requests, g.maxInFlight, id.id, p.name(),
        id.prediction ? " (a strategy no lab trace has: a prediction)" : "");
    if (q != null) out.printf(Locale.ROOT, "%s: %d requests in the selected workload%s%n", qemu.getFileName(), q.requests,
        q.requests != g.requests ? " (differs from the guest trace: per-request figures are per the QEMU log's own requests)" : "");
    if (timingArrival != null) out.println("Timing: replayed " + timingArrival + ", profile " + p.name() + ", seed " + model.seed
        + "; latency rows per request kind (ns), throughput in requests/s");
    List<String[]> table = new ArrayList<>();
    boolean failed = false;
    for (Metric x : metrics) {
      boolean bad = tolerance != null && x.errorPct() != null && Math.abs(x.errorPct()) > tolerance;
      failed |= bad;
      table.add(new String[] {x.name(), x.source(), fmt(x.observed()), fmt(x.modelled()),
          x.errorPct() == null ? "-" : String.format(Locale.ROOT, "%+.1f%%", x.errorPct()), bad ? "FAIL" : tolerance == null ? "" : "ok"});
    }
    ArrowTables.printAligned(out, List.of("metric", "source", "observed/req", "modelled/req", "error", tolerance == null ? "" : "within " + fmt(tolerance) + "%"), table);
    if (output != null) {
      write(output.file(FILE), metrics, id, p);
      output.commit();
      out.println("Wrote the comparison to " + outDir.resolve(FILE));
    }
    out.flush();
    if (failed) {
      spec.commandLine().getErr().println("vqsim: at least one metric is off by more than " + fmt(tolerance) + "%");
      spec.commandLine().getErr().flush();
      return ExitCodes.CHECK_FAILED;
    }
    return ExitCodes.OK;
  }

  /** A virtio-net capture: its window's packets replayed, per-packet metrics (NetValidation). */
  private int runNet(RunOutput output, StrategyId id, CostProfile p) throws IOException {
    if (batchingTolerance != null && !(batchingTolerance >= 0)) throw new IllegalArgumentException("--batching-tolerance must be a percentage ≥ 0");
    org.vqsim.engine.device.net.NetFeatures f = org.vqsim.engine.device.net.NetFeatures.parse(model.netFeatures);
    ReplayConfig c = model.baseConfig();
    if (model.queues == null && model.vcpus == null) c = c.withTopology(1, 1, 0);
    NetValidation.Outcome o = NetValidation.run(guest, qemu, id, p, c, model.dmaOptions(), org.vqsim.engine.ring.Ring.of(model.ring), f);
    PrintWriter out = spec.commandLine().getOut();
    var g = o.guest();
    out.printf(Locale.ROOT, "%s: network run, %d packets (%d transmitted, %d received)%s, replayed under %s with %s; features %s (%s receive buffers)%n",
        guest.getFileName(), g.packets(), g.txPackets, g.rxPackets, g.windowed ? " between WL-BEGIN and WL-END" : "", id.id, p.name(), f, f.rxBuffers());
    if (o.qemu() != null) {
      out.printf(Locale.ROOT, "%s: %d packets in the workload window (%d transmitted, %d received)%n", qemu.getFileName(), o.qemu().packets(), o.qemu().txPackets,
          o.qemu().rxPackets);
    }
    Double batchTol = batchingTolerance != null ? batchingTolerance : tolerance == null ? null : Double.valueOf(50);
    List<String[]> table = new ArrayList<>();
    List<Metric> metrics = new ArrayList<>();
    boolean failed = false;
    for (NetValidation.Metric x : o.metrics()) {
      Double tol = x.batching() ? batchTol : tolerance;
      boolean bad = tol != null && x.errorPct() != null && Math.abs(x.errorPct()) > tol;
      failed |= bad;
      metrics.add(new Metric(x.name(), x.source(), x.observed(), x.modelled(), x.errorPct()));
      table.add(new String[] {x.name(), x.source(), fmt(x.observed()), fmt(x.modelled()), x.errorPct() == null ? "-" : String.format(Locale.ROOT, "%+.1f%%", x.errorPct()),
          bad ? "FAIL" : tol == null ? "" : "ok (" + fmt(tol) + "%)"});
    }
    ArrowTables.printAligned(out, List.of("metric", "source", "observed/packet", "modelled/packet", "error", tolerance == null && batchTol == null ? "" : "within"), table);
    var m = o.model();
    out.printf(Locale.ROOT, "Model: %d receive buffers for %d received packets (%.2f each), %d refill failures, %d NAPI polls (receive and transmit; %d receive polls used the whole budget)%n", m.rxBuffers(), m.rxPackets(),
        m.rxPackets() == 0 ? 0.0 : (double) m.rxBuffers() / m.rxPackets(), m.refillFailures(), m.napiPolls(), m.napiBudgetExhausted());
    out.printf(Locale.ROOT, "GRO (observed / modelled): %d / %d skbs handed to the stack for %d received packets (netif_receive_skb in the trace)%n", o.guest().rxSkbs, m.rxSkbs(),
        m.rxPackets());
    if (o.qemu() != null) {
      var q = o.qemu();
      out.printf(Locale.ROOT, "Notifications (observed / modelled): transmit kicks %d / %d, receive kicks %d / %d, transmit interrupts %d / %d, receive interrupts %d / %d%n",
          q.txKicks, m.txKicks(), q.rxKicks, m.rxKicks(), q.txInterrupts, m.txInterrupts(), q.rxInterrupts, m.rxInterrupts());
    }
    out.println("Note: kicks and interrupts depend on batching (how fast guest and device are against the packets): compare a capture with a profile of "
        + "the machine it was made on — the bundled net lab ran under TCG, whose speeds qemu-tcg-x86 holds (-p qemu-tcg-x86); x86-kvm costs a KVM host.");
    if (output != null) {
      write(output.file(FILE), metrics, id, p);
      output.commit();
      out.println("Wrote the comparison to " + outDir.resolve(FILE));
    }
    out.flush();
    if (failed) {
      spec.commandLine().getErr().println("vqsim: at least one metric is off by more than its tolerance");
      spec.commandLine().getErr().flush();
      return ExitCodes.CHECK_FAILED;
    }
    return ExitCodes.OK;
  }

  private static Metric metric(String name, String source, double observed, SummaryRow m, EventKind kind) {
    double modelled = m.eventsPerRequest()[kind.ordinal()];
    Double err = observed == 0 ? (modelled == 0 ? null : Double.valueOf(100.0)) : Double.valueOf((modelled - observed) / observed * 100.0);
    return new Metric(name, source, observed, modelled, err);
  }

  private static String fmt(double v) {
    if (Math.abs(v) >= 1000) return String.format(Locale.ROOT, "%.0f", v);
    return String.format(Locale.ROOT, v == Math.rint(v) ? "%.0f" : "%.2f", v);
  }

  private boolean isNet;

  private void write(Path target, List<Metric> metrics, StrategyId id, CostProfile p) throws IOException {
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("vqsim.kind", "validation");
    meta.put("vqsim.version", Version.VERSION);
    meta.put("vqsim.command", "validate");
    meta.put("vqsim.options", "--strategy=" + id.id + " --profile=" + p.name() + (timing ? " --timing --arrival=captured --seed=" + model.seed : "")
        + (model.netFeatures == null ? "" : " --net-features=" + model.netFeatures) + " guest=" + guest.getFileName() + (qemu == null ? "" : " qemu=" + qemu.getFileName()));
    meta.put("vqsim.per", model.netFeatures != null || isNet ? "packet" : "request");
    var schema = org.vqsim.analysis.arrow.Columns.schema(List.of(
        org.vqsim.analysis.arrow.Columns.col("metric", org.vqsim.analysis.arrow.Columns.UTF8, "", "what is compared (per request)"),
        org.vqsim.analysis.arrow.Columns.col("source", org.vqsim.analysis.arrow.Columns.UTF8, "", "guest (ftrace) or qemu (trace log); for timing rows the request kind"),
        org.vqsim.analysis.arrow.Columns.col("strategy", org.vqsim.analysis.arrow.Columns.UTF8, "", "strategy the model replayed"),
        org.vqsim.analysis.arrow.Columns.col("observed_per_request", org.vqsim.analysis.arrow.Columns.FLOAT64, "count", "mean per request in the trace; for timing rows the run's figure (ns, or requests/s)"),
        org.vqsim.analysis.arrow.Columns.col("modelled_per_request", org.vqsim.analysis.arrow.Columns.FLOAT64, "count", "mean per request in the replay; for timing rows the replay's figure"),
        org.vqsim.analysis.arrow.Columns.nullable("error_pct", org.vqsim.analysis.arrow.Columns.FLOAT64, "percent",
            "(modelled - observed) / observed; null when both are 0, 100 when only the model has it")), meta);
    try (TableWriter w = new TableWriter(target, schema)) {
      for (Metric x : metrics) {
        w.setString(0, x.name());
        w.setString(1, x.source());
        w.setString(2, id.id);
        w.setDouble(3, x.observed());
        w.setDouble(4, x.modelled());
        if (x.errorPct() == null) w.setNull(5);
        else w.setDouble(5, x.errorPct());
        w.endRow();
      }
    }
  }
}
