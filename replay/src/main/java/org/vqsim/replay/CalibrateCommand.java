package org.vqsim.replay;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.vqsim.analysis.arrow.ArrowTables;
import org.vqsim.analysis.io.RunOutput;
import org.vqsim.engine.cost.CostProfile;
import org.vqsim.replay.timing.Calibration;
import org.vqsim.replay.timing.NetCalibration;
import org.vqsim.replay.timing.ViommuCalibration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "calibrate", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Fit a cost profile to captured runs of your own machine.", "",
        "Each run is a guest ftrace (block_rq_issue/complete, iommu:map/unmap, swiotlb_bounced), optionally with the QEMU trace log "
            + "of the same run (virtqueue_pop/fill, virtio_blk_handle_*, vtd_inv_desc_*), and the strategy it ran under (inferred from "
            + "the events when omitted). The figures the runs exercise are fitted by non-negative least squares over per-request times, "
            + "with the model's own per-request event counts as regressors; figures the runs cannot tell apart are fitted as their "
            + "combination and split by the base profile's ratios; the others keep the base value. Method: docs/CALIBRATION.md."},
    footer = {"", "Examples:",
        "  vqsim calibrate --base x86-kvm -o my-host.profile \\",
        "      --run direct.guest-ftrace.txt.gz,direct.qemu-trace.log.gz=direct \\",
        "      --run strict.guest-ftrace.txt.gz,strict.qemu-trace.log.gz=viommu-strict",
        "  scripts/calibrate-timing-lab.sh    # the shipped qemu-tcg-x86 profile from samples/qemu-lab-timing"})
final class CalibrateCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;
  @Mixin DebugOption debug;

  @Option(names = "--run", required = true, paramLabel = "GUEST[,QEMU][=STRATEGY]", description = "A captured run: its guest ftrace, its QEMU trace log, the strategy it ran under. Repeat for every run.")
  List<String> runs;

  @Option(names = "--net-run", paramLabel = "GUEST,QEMU=STRATEGY",
      description = "A captured virtio-net run (guest ftrace with net_dev_queue/net_dev_xmit/napi_gro_receive_entry/netif_receive_skb, QEMU log with virtqueue_pop/flush) and its strategy: "
          + "the network figures are measured from its timestamps, on top of the --run fit. Repeat for every run.")
  List<String> netRuns = new ArrayList<>();

  @Option(names = "--viommu-run", paramLabel = "GUEST,QEMU",
      description = "A captured virtio-blk run under virtio-iommu, strict (guest ftrace with iommu:map/unmap, QEMU log with virtio_queue_notify/virtqueue_pop/flush and virtio_iommu_map/unmap): "
          + "the virtio-iommu request's pieces are measured from its timestamps (virtio_iommu_notify_cycles, virtio_iommu_req_qemu_cycles, virtio_iommu_req_cycles), "
          + "and with virtio_iommu_translate/_translate_out in the log the device-side translation (virtio_iommu_translate_cycles). Repeat for every run.")
  List<String> viommuRuns = new ArrayList<>();

  @Option(names = "--base", defaultValue = "x86-kvm", paramLabel = "PROFILE", description = "Profile whose figures the runs do not exercise are kept, and whose ratios split combinations (default: ${DEFAULT-VALUE}).")
  String base;

  @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE.profile", description = "The calibrated profile to write.")
  Path output;

  @Option(names = "--name", paramLabel = "NAME", description = "The profile's name (default: the output file name without .profile).")
  String name;

  @Option(names = "--description", paramLabel = "TEXT", description = "The profile's one-line description.")
  String description;

  @Option(names = "--force", description = "Overwrite an existing profile file.")
  boolean force;

  @Override
  public Integer call() throws IOException {
    CostProfile b = CostProfile.load(base);
    String n = name != null ? name : output.getFileName().toString().replaceFirst("\\.profile$", "");
    if (n.isBlank() || n.contains("=") || n.contains("#")) throw new IllegalArgumentException("--name must be a plain name, not '" + n + "'");
    PrintWriter out = spec.commandLine().getOut();
    long t0 = System.nanoTime();
    List<Calibration.Run> rs = new ArrayList<>();
    // the runs are read on every core; a bad one fails as it would alone, the first in the order given
    Calibration.Run[] loaded = new Calibration.Run[runs.size()];
    Exception[] failed = new Exception[runs.size()];
    java.util.stream.IntStream.range(0, runs.size()).parallel().forEach(i -> {
      try {
        loaded[i] = load(runs.get(i), b);
      } catch (Exception e) {
        failed[i] = e;
      }
    });
    for (int i = 0; i < loaded.length; i++) {
      if (failed[i] instanceof IOException e) throw e;
      if (failed[i] instanceof RuntimeException e) throw e;
      if (failed[i] != null) throw new IllegalStateException(failed[i]);
      rs.add(loaded[i]);
    }
    for (Calibration.Run r : rs) {
      out.printf(Locale.ROOT, "%s: %d requests, max %d in flight, %s (%s)%s%n", r.name(), r.observed().requests(), r.observed().maxInFlight(), r.strategy().id,
          r.strategyNote(), r.observed().hasQemu() ? "" : ", no QEMU log: latency only");
    }
    String desc = description != null ? description
        : "calibrated by vqsim calibrate from " + rs.size() + " captured runs on base profile " + b.name();
    Calibration.Result res = Calibration.fit(rs, b, n, desc);
    CostProfile made = res.profile();
    ViommuCalibration.Result viommu = null;
    if (!viommuRuns.isEmpty()) {
      List<ViommuCalibration.Run> vr = new ArrayList<>();
      for (String r : viommuRuns) vr.add(loadViommu(r));
      for (ViommuCalibration.Run r : vr) {
        out.printf(Locale.ROOT, "%s: virtio-iommu run, %d requests timed by QEMU, %d map→map and %d unmap→unmap guest intervals, %d translations timed%n", r.name(), r.popToFlush().length,
            r.guestMap().length, r.guestUnmap().length, r.translations().spans().length);
      }
      viommu = ViommuCalibration.measure(vr, made, n, desc);
      made = viommu.profile();
    }
    NetCalibration.Result net = null;
    if (!netRuns.isEmpty()) {
      List<NetCalibration.Run> nr = new ArrayList<>();
      for (String r : netRuns) nr.add(loadNet(r));
      for (NetCalibration.Run r : nr) {
        out.printf(Locale.ROOT, "%s: network run, %d packets, %s; %d transmit and %d receive back-to-back intervals, %d QEMU device passes%n", r.name(),
            r.guest().packets(), r.strategy(), r.guest().txStackIntervals().length, r.guest().rxStackIntervals().length, r.qemu().devicePasses.size());
      }
      net = NetCalibration.measure(nr, made, n, desc);
      made = net.profile();
      if (viommu != null) {
        // the network runs under virtio-iommu time the same requests: set beside the measured figures
        for (int i = 0; i < nr.size(); i++) {
          if (!nr.get(i).strategy().equals("virtio-iommu")) continue;
          viommu.notes().add(ViommuCalibration.qemuCheck(nr.get(i).name(), Path.of(netRun(netRuns.get(i))[1]), made));
        }
      }
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    List<String[]> table = new ArrayList<>();
    for (Calibration.Figure f : res.figures()) {
      table.add(new String[] {f.figure().key, switch (f.status()) {
        case CALIBRATED -> "calibrated";
        case COMBINATION -> "combination";
        case NOT_SEPARABLE -> "base (not separable)";
        case NOT_EXERCISED -> "base (not exercised)";
      }, CostProfile.format(f.base()), Double.isNaN(f.value()) ? "same as " + f.figure().fallback().key : CostProfile.format(f.value()),
          Double.isNaN(f.halfWidthPct()) ? "-" : Double.isFinite(f.halfWidthPct()) ? String.format(Locale.ROOT, "±%.1f%%", f.halfWidthPct()) : "unbounded",
          Double.isNaN(f.residualPct()) ? "-" : String.format(Locale.ROOT, "%+.1f%%", f.residualPct()), f.group()});
    }
    ArrowTables.printAligned(out, List.of("figure", "fit", "base", "value", "uncertainty", "residual", "fitted together with"), table);
    out.println("service distribution: " + abbreviate(res.profile().serviceDistribution().spec()));
    out.println("  source: " + res.profile().serviceDistributionSource());
    out.println("guest jitter (ns): " + (res.profile().hasGuestJitter() ? abbreviate(res.profile().guestJitter().spec()) : "none"));
    if (res.profile().hasGuestJitter()) out.println("  source: " + res.profile().guestJitterSource());
    for (String id : res.profile().guestJitterStrategies()) {
      var d = res.profile().guestJitterFor(id);
      if (d == null) continue;
      out.printf(Locale.ROOT, "guest jitter under %s (ns): p50 %.0f, p90 %.0f, p99 %.0f, p99.9 %.0f%n", id, d.quantile(0.5), d.quantile(0.9), d.quantile(0.99), d.quantile(0.999));
    }
    if (res.profile().guestJitterExposureNs() > 0) {
      out.println("guest jitter exposure (ns): " + CostProfile.format(res.profile().guestJitterExposureNs())
          + " (the jitters are for a request this long from issue to pop; each draw scales by sqrt(its own / this))");
    }
    for (String line : measuredSteps(rs, res.profile())) out.println(line);
    if (viommu != null) {
      List<String[]> vt = new ArrayList<>();
      for (NetCalibration.Figure f : viommu.figures()) {
        vt.add(new String[] {f.figure().key, "measured", Double.isNaN(f.base()) ? "not given" : CostProfile.format(f.base()), CostProfile.format(f.value()),
            Double.isNaN(f.halfWidthPct()) ? "-" : String.format(Locale.ROOT, "±%.1f%%", f.halfWidthPct()), f.runs().size() + " runs, " + f.intervals() + " intervals"});
      }
      ArrowTables.printAligned(out, List.of("virtio-iommu figure", "fit", "before", "value", "uncertainty", "from"), vt);
    }
    if (net != null) {
      List<String[]> nt = new ArrayList<>();
      for (NetCalibration.Figure f : net.figures()) {
        nt.add(new String[] {f.figure().key, f.runs().isEmpty() ? "base (no run measures it)" : "measured", CostProfile.format(f.base()), CostProfile.format(f.value()),
            Double.isNaN(f.halfWidthPct()) ? "-" : String.format(Locale.ROOT, "±%.1f%%", f.halfWidthPct()), f.runs().size() + " runs, " + f.intervals() + " intervals"});
      }
      ArrowTables.printAligned(out, List.of("network figure", "fit", "before", "value", "uncertainty", "from"), nt);
    }
    for (String note : res.notes()) out.println("Note: " + note);
    if (viommu != null) for (String note : viommu.notes()) out.println("Note: " + note);
    if (net != null) for (String note : net.notes()) out.println("Note: " + note);
    out.printf(Locale.ROOT, "Fitted %d rows from %d runs in %.1f s%n", res.rows(), rs.size(), secs);
    try (RunOutput o = Outputs.file(spec, output)) {
      o.requireAbsent(List.of(), force);
      RunOutput.writeString(o.file(), made.toFileText("vqsim calibrate"));
      o.commit();
    }
    out.println("Wrote the profile to " + output + " (load it with --profile " + output + ")");
    out.flush();
    return ExitCodes.OK;
  }

  private static Calibration.Run load(String spec, CostProfile b) throws IOException {
    String files = spec, strategy = null;
    int eq = spec.lastIndexOf('=');
    if (eq >= 0) {
      files = spec.substring(0, eq);
      strategy = spec.substring(eq + 1);
      if (strategy.isEmpty()) throw new IllegalArgumentException("--run " + spec + ": empty strategy after '='");
    }
    String[] f = files.split(",", -1);
    if (f.length > 2 || f[0].isEmpty() || (f.length == 2 && f[1].isEmpty())) {
      throw new IllegalArgumentException("--run must be GUEST[,QEMU][=STRATEGY], not '" + spec + "'");
    }
    return Calibration.load(Path.of(f[0]), f.length == 2 ? Path.of(f[1]) : null, strategy, b);
  }

  /** The IOMMU steps the runs' QEMU logs time on their own, beside the calibrated profile's figure for each. */
  private static List<String> measuredSteps(List<Calibration.Run> rs, CostProfile p) throws IOException {
    List<Calibration.Run> withQemu = rs.stream().filter(r -> r.qemu() != null).toList();
    long[][][] spans = new long[withQemu.size()][][];
    java.util.stream.IntStream.range(0, withQemu.size()).parallel().forEach(i -> {
      try {
        spans[i] = org.vqsim.replay.timing.ProcessingSpans.read(withQemu.get(i).qemu());
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    return org.vqsim.replay.timing.ProcessingSpans.describe(org.vqsim.replay.timing.ProcessingSpans.measure(List.of(spans), p), p);
  }

  private static NetCalibration.Run loadNet(String spec) throws IOException {
    String[] f = netRun(spec);
    return NetCalibration.load(Path.of(f[0]), Path.of(f[1]), f[2]);
  }

  /** A --net-run's {guest trace, QEMU log, strategy}. */
  private static String[] netRun(String spec) {
    int eq = spec.lastIndexOf('=');
    String[] f = (eq < 0 ? spec : spec.substring(0, eq)).split(",", -1);
    if (eq < 0 || eq == spec.length() - 1 || f.length != 2 || f[0].isEmpty() || f[1].isEmpty()) {
      throw new IllegalArgumentException("--net-run must be GUEST,QEMU=STRATEGY, not '" + spec + "'");
    }
    return new String[] {f[0], f[1], spec.substring(eq + 1)};
  }

  private static ViommuCalibration.Run loadViommu(String spec) throws IOException {
    String[] f = spec.split(",", -1);
    if (f.length != 2 || f[0].isEmpty() || f[1].isEmpty() || spec.contains("=")) {
      throw new IllegalArgumentException("--viommu-run must be GUEST,QEMU (the guest ftrace and the QEMU log of one virtio-iommu strict run), not '" + spec + "'");
    }
    return ViommuCalibration.load(Path.of(f[0]), Path.of(f[1]));
  }

  private static String abbreviate(String s) {
    return s.length() > 100 ? s.substring(0, 97) + "..." : s;
  }
}
