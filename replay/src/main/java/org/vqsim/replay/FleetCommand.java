package org.vqsim.replay;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.vqsim.analysis.arrow.ArrowTables;
import org.vqsim.analysis.arrow.FleetRow;
import org.vqsim.analysis.arrow.ResultFiles;
import org.vqsim.analysis.arrow.ResultSchemas;
import org.vqsim.analysis.arrow.SummaryRow;
import org.vqsim.analysis.io.RunOutput;
import org.vqsim.analysis.report.ReportFiles;
import org.vqsim.capture.TraceFormat;
import org.vqsim.engine.Version;
import org.vqsim.engine.cost.CostProfile;
import org.vqsim.engine.dma.StrategyId;
import org.vqsim.engine.negotiation.GuestKind;
import org.vqsim.engine.negotiation.Negotiation;
import org.vqsim.engine.negotiation.Platform;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "fleet", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Negotiated strategy and cost of every guest kind on every host.", "",
        "For each host configuration (platform × ACCESS_PLATFORM offered or not) and each guest kind: what feature negotiation gives "
            + "(the strategy, FAILED or BROKEN) and what that guest's I/O costs, replayed on this trace, with its slowdown against direct on the same platform."},
    footer = {"", "Examples:",
        "  vqsim fleet trace.arrow -o fleet/",
        "  vqsim fleet trace.arrow --platform x86-intel-iommu,x86-virtio-iommu-bypass \\",
        "      --guest legacy,modern,secure -o fleet/",
        "",
        "Writes OUTDIR/fleet.arrow and, per cost profile, the summary and latency files of the strategies it ran (OUTDIR/x86-kvm/, OUTDIR/power9-kvm/).",
        "Platforms: x86-intel-iommu, x86-virtio-iommu, x86-virtio-iommu-bypass, pseries-tce, pseries-ddw, pseries-tce-bypass.",
        "Guest kinds: legacy, modern, modern-virtio-iommu, secure, secure-old."})
final class FleetCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;
  @Mixin DebugOption debug;
  @Mixin ReplayOptions model;

  @Parameters(index = "0", paramLabel = "TRACE", description = "Trace file in any supported format; - reads standard input.")
  Path trace;

  @Option(names = "--platform", split = ",", defaultValue = "all", paramLabel = "ID[,ID...]", description = "Platforms (default: all).")
  List<String> platforms;

  @Option(names = "--guest", split = ",", defaultValue = "all", paramLabel = "KIND[,KIND...]", description = "Guest kinds (default: all).")
  List<String> guests;

  @Option(names = "--x86-profile", defaultValue = "x86-kvm", paramLabel = "NAME|FILE", description = "Cost profile of the x86 platforms (default: ${DEFAULT-VALUE}).")
  String x86Profile;

  @Option(names = "--power-profile", defaultValue = "power9-kvm", paramLabel = "NAME|FILE", description = "Cost profile of the POWER platforms (default: ${DEFAULT-VALUE}).")
  String powerProfile;

  @Option(names = "--cost", paramLabel = "NAME=VALUE", description = "Override one cost figure in both profiles (repeatable).")
  Map<String, String> costs = new LinkedHashMap<>();

  @Option(names = "--format", paramLabel = "FORMAT", description = "Force the trace format instead of detecting it.")
  String format;

  @Option(names = "--device", paramLabel = "MAJ,MIN", description = "Only this block device from a text trace.")
  String device;

  @Option(names = "--requests", description = "Also write requests.arrow for each profile (large for big traces).")
  boolean requests;

  @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUTDIR", description = "Folder for fleet.arrow and the replay files.")
  Path outDir;

  @Option(names = "--force", description = "Overwrite existing results.")
  boolean force;

  @Option(names = "--report", description = "Also write OUTDIR/report.html, the HTML report of the results, at the end.")
  boolean writeReport;

  @Override
  public Integer call() throws IOException {
    List<Platform> plats = new ArrayList<>();
    for (String p : platforms) {
      if (p.strip().equals("all")) plats.addAll(List.of(Platform.values()));
      else plats.add(Platform.of(p.strip()));
    }
    List<GuestKind> kinds = new ArrayList<>();
    for (String g : guests) {
      if (g.strip().equals("all")) kinds.addAll(List.of(GuestKind.values()));
      else kinds.add(GuestKind.of(g.strip()));
    }
    net = format == null && NetReplayRunner.isNet(Stdin.resolve(trace));
    if (net && device != null) throw new IllegalArgumentException("--device is for block traces; " + trace + " is a network trace");
    TraceRef ref = TraceRef.file(Stdin.resolve(trace), format == null ? null : TraceFormat.of(format), device);
    CostProfile x86 = StrategyOptions.withCosts(CostProfile.load(x86Profile), costs);
    CostProfile power = StrategyOptions.withCosts(CostProfile.load(powerProfile), costs);
    if (!x86.platform().equals("x86")) throw new IllegalArgumentException("--x86-profile " + x86Profile + " is a " + x86.platform() + " profile");
    if (!power.platform().equals("power")) throw new IllegalArgumentException("--power-profile " + powerProfile + " is a " + power.platform() + " profile");
    try (RunOutput o = Outputs.folder(spec, outDir)) {
      List<String> names = new ArrayList<>(List.of(ResultFiles.FLEET));
      if (writeReport) names.add(ReportFiles.REPORT);
      o.requireAbsent(names, force);
      run(o, plats, kinds, ref, x86, power);
    }
    return ExitCodes.OK;
  }

  /** Whether the trace is a network trace (a generated packet trace or a net capture): replayed as `vqsim replay` replays it, rates in packets/s. */
  private boolean net;

  private void run(RunOutput output, List<Platform> plats, List<GuestKind> kinds, TraceRef ref, CostProfile x86, CostProfile power) throws IOException {

    // 1. negotiate every combination; collect the strategies each profile must replay
    record Cell(Platform platform, boolean ap, GuestKind guest, Negotiation.Outcome outcome) {}
    List<Cell> cells = new ArrayList<>();
    Map<CostProfile, LinkedHashSet<StrategyId>> needed = new LinkedHashMap<>();
    for (Platform p : plats) {
      for (boolean ap : new boolean[] {false, true}) {
        for (GuestKind g : kinds) {
          Negotiation.Outcome o = Negotiation.negotiate(p, ap, g);
          cells.add(new Cell(p, ap, g, o));
          if (o.status() == Negotiation.Status.OK) {
            LinkedHashSet<StrategyId> s = needed.computeIfAbsent(p.power() ? power : x86, k -> new LinkedHashSet<>(List.of(StrategyId.DIRECT)));
            s.add(o.strategy());
          }
        }
      }
    }
    // 2. replay each profile's strategies once
    PrintWriter out = spec.commandLine().getOut();
    List<String> written = new ArrayList<>();
    Map<CostProfile, ReplayRunner.Plan> plans = new LinkedHashMap<>();
    // per profile/strategy: the rate (IOPS, or packets/s for a network trace) and the slowdown against direct
    Map<String, Double[]> rates = new LinkedHashMap<>();
    if (net) {
      org.vqsim.engine.device.net.NetFeatures f = org.vqsim.engine.device.net.NetFeatures.parse(model.netFeatures);
      org.vqsim.engine.sim.ReplayConfig c = model.baseConfig();
      for (Map.Entry<CostProfile, LinkedHashSet<StrategyId>> e : needed.entrySet()) {
        List<String> files = new ArrayList<>(List.of(NetReplayRunner.SUMMARY, NetReplayRunner.LATENCY, NetReplayRunner.LOCKS));
        if (requests) files.add(NetReplayRunner.REQUESTS);
        output.requireAbsent(files.stream().map(x -> e.getKey().name() + "/" + x).toList(), force);
      }
      for (Map.Entry<CostProfile, LinkedHashSet<StrategyId>> e : needed.entrySet()) {
        CostProfile prof = e.getKey();
        List<StrategyId> ids = new ArrayList<>(e.getValue());
        Map<String, String> opts = new LinkedHashMap<>();
        opts.put("trace", trace.toString());
        opts.putAll(StrategyOptions.describe(prof, ids));
        opts.putAll(model.describe(c));
        opts.put("net-features", f.toString());
        model.putGuestSide(opts);
        out.println("== " + prof.name() + " (" + prof.platform() + ")");
        List<NetReplayRunner.Row> netRows = new ArrayList<>();
        written.addAll(NetReplayRunner.run(Stdin.resolve(trace), ids, prof, c, model.dmaOptions(), model.ring, f, !requests, output, prof.name() + "/", out, opts,
            netRows));
        double direct = netRows.stream().filter(x -> x.strategy().equals(StrategyId.DIRECT.id)).mapToDouble(x -> x.r().pps()).findFirst().orElse(0);
        for (NetReplayRunner.Row x : netRows) {
          double pps = x.r().pps();
          rates.put(prof.name() + "/" + x.strategy(), new Double[] {pps, direct == 0 || pps == 0 ? null : direct / pps});
        }
      }
    }
    for (Map.Entry<CostProfile, LinkedHashSet<StrategyId>> e : net ? Map.<CostProfile, LinkedHashSet<StrategyId>>of().entrySet() : needed.entrySet()) {
      ReplayRunner.Plan plan = ReplayCommand.plan(model, e.getKey(), new ArrayList<>(e.getValue()), ref, !requests);
      output.requireAbsent(plan.files().stream().map(f -> e.getKey().name() + "/" + f).toList(), force);
      plans.put(e.getKey(), plan);
    }
    for (Map.Entry<CostProfile, ReplayRunner.Plan> e : plans.entrySet()) {
      CostProfile prof = e.getKey();
      ReplayRunner.Plan plan = e.getValue();
      ReplayRunner.Outcome o = ReplayRunner.run(plan, output, prof.name() + "/", spec.commandLine().getErr());
      out.println("== " + prof.name() + " (" + prof.platform() + ")");
      ReplayCommand.report(out, plan, o);
      written.addAll(o.written());
      for (SummaryRow r : o.rows()) rates.put(prof.name() + "/" + r.strategy(), new Double[] {r.iops(), r.slowdownVsDirect()});
    }
    // 3. the fleet table
    List<FleetRow> rows = new ArrayList<>();
    for (Cell c : cells) {
      CostProfile prof = c.platform().power() ? power : x86;
      Double[] r = c.outcome().strategy() == null ? null : rates.get(prof.name() + "/" + c.outcome().strategy().id);
      rows.add(new FleetRow(c.platform().id, c.ap(), c.guest().id, c.outcome().status().name(),
          c.outcome().strategy() == null ? null : c.outcome().strategy().id, c.outcome().reason(), prof.name(),
          r == null ? null : r[0], r == null ? null : r[1]));
    }
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("vqsim.kind", ResultSchemas.KIND_FLEET);
    meta.put("vqsim.version", Version.VERSION);
    meta.put("vqsim.command", "fleet");
    meta.put("vqsim.options", "--trace=" + ref.label() + " --platform=" + String.join(",", platforms) + " --guest=" + String.join(",", guests)
        + " --x86-profile=" + x86.name() + " --power-profile=" + power.name());
    meta.put("vqsim.seed", Long.toString(model.seed));
    if (net) meta.put("vqsim.fleet.rate", "packets/s: a network trace (the iops column holds packets per simulated second)");
    ResultFiles.writeFleet(output.file(ResultFiles.FLEET), rows, meta);
    if (writeReport) ReportCommand.writeWithRun(output, outDir);
    output.commit();
    out.println();
    String rate = net ? "packets/s" : "IOPS";
    out.println("== Fleet: what each guest gets on each host (slowdown = direct's " + rate + " / this " + rate + " on the same platform)");
    List<String[]> table = new ArrayList<>();
    for (FleetRow r : rows) {
      table.add(new String[] {r.platform(), r.accessPlatform() ? "offered" : "-", r.guest(), r.outcome(), r.strategy() == null ? "" : r.strategy(),
          r.iops() == null ? "" : String.format(java.util.Locale.ROOT, "%.0f", r.iops()),
          r.slowdownVsDirect() == null ? "" : String.format(java.util.Locale.ROOT, "%.2fx", r.slowdownVsDirect())});
    }
    ArrowTables.printAligned(out, List.of("platform", "ACCESS_PLATFORM", "guest", "outcome", "strategy", net ? "pps" : "IOPS", "slowdown"), table);
    ReplayCommand.wrote(out, outDir, written);
    out.println("Wrote the fleet table to " + outDir.resolve(ResultFiles.FLEET));
    if (writeReport) out.println("Wrote the report to " + outDir.resolve(ReportFiles.REPORT));
    out.flush();
  }
}
