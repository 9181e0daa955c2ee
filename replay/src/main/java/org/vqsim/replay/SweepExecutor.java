package org.vqsim.replay;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.vqsim.analysis.arrow.StrategyRecorder;
import org.vqsim.analysis.arrow.SummaryRow;
import org.vqsim.capture.Traces;
import org.vqsim.capture.synthetic.WorkloadSpec;
import org.vqsim.engine.cost.CostProfile;
import org.vqsim.engine.dma.StrategyId;
import org.vqsim.engine.sim.ReplayConfig;
import org.vqsim.engine.sim.ReplayEngine;
import org.vqsim.engine.sim.RunResult;
import picocli.CommandLine;

/**
 * Runs one sweep unit: a pure function of the plan and the unit (no shared state), single-threaded
 * and deterministic, so units run in any order, on any thread or machine, give the same row.
 */
public final class SweepExecutor {
  private SweepExecutor() {}

  /** The replay options of a unit, parsed as the CLI would parse them. */
  static ReplayOptions replayOptions(SweepPlan plan, SweepPlan.Unit unit) {
    List<String> args = new ArrayList<>(SweepPlan.split(plan.replayOptions() == null ? "" : plan.replayOptions().replace(' ', ','), ","));
    args.add("--ring");
    args.add(unit.ring());
    for (Map.Entry<String, String> e : unit.params().entrySet()) {
      String opt = SweepPlan.REPLAY_PARAMS.get(e.getKey());
      if (opt != null) {
        args.add(opt);
        args.add(e.getValue());
      }
    }
    ReplayOptions m = new ReplayOptions();
    try {
      new CommandLine(new DemoCommand.Holder(m)).parseArgs(args.toArray(new String[0]));
    } catch (CommandLine.ParameterException e) {
      throw new IllegalArgumentException("--replay \"" + plan.replayOptions() + "\": " + e.getMessage()
          + " (it takes the model options of `vqsim replay --help`; cost figures are swept with --param cost.NAME=V1,V2)");
    }
    m.checkGuestSide();
    return m;
  }

  /** Whether --generate asks for a network workload (--net), which a sweep does not replay. */
  static boolean workloadIsNet(SweepPlan plan) {
    GenerateCommand g = new GenerateCommand();
    List<String> args = new ArrayList<>(SweepPlan.split(plan.generate().replace(' ', ','), ","));
    args.add("-o");
    args.add("unused.arrow");
    try {
      new CommandLine(g).parseArgs(args.toArray(new String[0]));
    } catch (CommandLine.ParameterException e) {
      return false; // the unit check reports the bad option
    }
    return g.net != null;
  }

  /** The generated workload of a unit: --generate's options with the unit's generate parameters on top. */
  static WorkloadSpec workload(SweepPlan plan, SweepPlan.Unit unit) {
    List<String> args = generateArgs(plan, unit);
    if (unit.params().containsKey("iodepth")) {
      args.add("--iodepth");
      args.add(unit.params().get("iodepth"));
    }
    // sweeping vCPUs scales the workload as fio would: one job per vCPU (each with --generate's depth and
    // count), unless the jobs are swept or given
    if (unit.params().containsKey("vcpus") && !unit.params().containsKey("numjobs") && !args.contains("--numjobs")
        && args.stream().noneMatch(a -> a.startsWith("--numjobs="))) {
      args.add("--numjobs");
      args.add(unit.params().get("vcpus"));
    }
    GenerateCommand g = parseGenerate(plan, args);
    if (g.net != null) throw new IllegalArgumentException("--generate \"" + plan.generate() + "\": a network workload (--net) has no block workload");
    return g.spec();
  }

  /** --generate's options with the unit's generate parameters (GENERATE_PARAMS) after them. */
  private static List<String> generateArgs(SweepPlan plan, SweepPlan.Unit unit) {
    List<String> args = new ArrayList<>(SweepPlan.split(plan.generate().replace(' ', ','), ","));
    for (Map.Entry<String, String> e : unit.params().entrySet()) {
      String opt = SweepPlan.GENERATE_PARAMS.get(e.getKey());
      if (opt != null) {
        args.add(opt);
        args.add(e.getValue());
      }
    }
    return args;
  }

  /** --generate's options (with a unit's parameters added) parsed as the generate command would. */
  private static GenerateCommand parseGenerate(SweepPlan plan, List<String> args) {
    args.add("-o");
    args.add("unused.arrow");
    GenerateCommand g = new GenerateCommand();
    try {
      new CommandLine(g).parseArgs(args.toArray(new String[0]));
    } catch (CommandLine.ParameterException e) {
      throw new IllegalArgumentException("--generate \"" + plan.generate() + "\": " + e.getMessage());
    }
    return g;
  }

  static CostProfile profile(SweepPlan plan, SweepPlan.Unit unit) {
    CostProfile p = CostProfile.load(plan.profile());
    for (Map.Entry<String, String> e : unit.params().entrySet()) {
      if (!e.getKey().startsWith("cost.")) continue;
      double v;
      try {
        v = Double.parseDouble(e.getValue());
      } catch (NumberFormatException ex) {
        throw new IllegalArgumentException("--param " + e.getKey() + "=" + e.getValue() + ": not a number");
      }
      p = p.withOverride(e.getKey().substring(5), v);
    }
    return p;
  }

  static TraceRef traceRef(SweepPlan plan, SweepPlan.Unit unit) {
    return unit.trace().equals("generated") ? TraceRef.generated(workload(plan, unit)) : TraceRef.file(localPath(unit.trace()), null, null);
  }

  /** A trace of a sweep as a local path: a plain path, or a {@code file:} URI. Other URIs (hdfs:, s3a:) are the Spark engine's to fetch. */
  public static Path localPath(String trace) {
    if (trace.startsWith("file:")) return Path.of(java.net.URI.create(trace));
    if (hasScheme(trace)) throw new IllegalArgumentException(trace + ": a " + trace.substring(0, trace.indexOf(':')) + ": URI needs --engine spark (its Hadoop file systems read it)");
    return Path.of(trace);
  }

  /** Whether a trace is given as a URI with a scheme (file:, hdfs:, s3a:, …) rather than a path. */
  public static boolean hasScheme(String trace) {
    return trace.matches("[A-Za-z][A-Za-z0-9+.-]+:.*");
  }

  /** Whether a unit replays a network workload: --generate "--net ..." or a network trace (generated, a net capture). */
  static boolean unitIsNet(SweepPlan plan, SweepPlan.Unit unit) throws IOException {
    return unit.trace().equals("generated") ? workloadIsNet(plan) : NetReplayRunner.isNet(localPath(unit.trace()));
  }

  /** The generated packet workload of a network unit: --generate's options with the unit's generate parameters on top. */
  static org.vqsim.capture.net.NetWorkload.Spec netWorkload(SweepPlan plan, SweepPlan.Unit unit) {
    List<String> args = generateArgs(plan, unit);
    GenerateCommand g = parseGenerate(plan, args);
    return g.netSpec();
  }

  /**
   * A network unit: the packets replayed as `vqsim replay` replays them (the replay options' model, its
   * --net-features), summarised in summary.arrow's block columns with a packet as the request:
   * requests = packets, iops = packets per simulated second, mib_per_s = frame bytes, latencies per
   * packet, events per packet without the initial fill of the receive rings; and sweep.arrow's
   * network columns, pps and gbit_per_s, as the replay's summary.arrow has them.
   */
  static SummaryRow runNet(SweepPlan plan, SweepPlan.Unit unit, CostProfile p, StrategyId id, ReplayOptions model) throws IOException {
    ReplayConfig c = model.baseConfig();
    org.vqsim.engine.device.net.NetFeatures f = org.vqsim.engine.device.net.NetFeatures.parse(model.netFeatures);
    String label;
    org.vqsim.engine.device.net.PacketSource src;
    if (unit.trace().equals("generated")) {
      var spec = netWorkload(plan, unit);
      Map<String, String> d = spec.describe();
      label = "generated:net," + d.get("net") + "," + d.get("direction") + "," + d.get("msg-size");
      src = new org.vqsim.capture.net.NetWorkload(spec);
    } else {
      Path t = localPath(unit.trace());
      label = t.getFileName() == null ? t.toString() : t.getFileName().toString();
      src = NetReplayRunner.open(t, model.guestMac, model.guestIp);
    }
    StrategyRecorder rec = new StrategyRecorder(id.id, null);
    org.vqsim.engine.device.net.NetResult r;
    try (src) {
      r = new org.vqsim.engine.sim.NetReplay(id, p, c, model.dmaOptions(), org.vqsim.engine.ring.Ring.of(unit.ring()), f)
          .run(src, (index, direction, frameLen, buffers, queue, startNs, doneNs, ledger, slots, n) ->
              rec.completed(index, 0, 0, frameLen, startNs, Math.max(startNs, doneNs), ledger, slots[0], 0, queue));
    }
    double[] events = new double[org.vqsim.engine.cost.EventKind.COUNT];
    for (org.vqsim.engine.cost.EventKind k : org.vqsim.engine.cost.EventKind.values()) events[k.ordinal()] = r.perPacket(k);
    return SummaryRow.of(id.id, new SummaryRow.Context(p.name(), label, unit.ring(), c.backend().id, c.iodepth()), r.run(), rec).asNet(events, r.pps(), r.gbitPerS());
  }

  /** Runs one unit and returns its summary row (slowdown_vs_direct is filled in later, across units). */
  public static SummaryRow run(SweepPlan plan, SweepPlan.Unit unit) throws IOException {
    CostProfile p = profile(plan, unit);
    StrategyId id = StrategyOptions.resolve(List.of(unit.strategy()), p).get(0);
    ReplayOptions model = replayOptions(plan, unit);
    if (unitIsNet(plan, unit)) return runNet(plan, unit, p, id, model);
    TraceRef ref = traceRef(plan, unit);
    Map<String, String> meta;
    try (Traces.Opened t = ref.open()) {
      meta = t.metadata();
    }
    ReplayConfig c = ReplayRunner.applyTraceDefaults(model.baseConfig(), meta, model.iodepth, model.arrival, model.vcpus);
    return summarize(ref, id, p, c, model.dmaOptions(), unit.ring());
  }

  /** Replays a trace under one strategy without writing anything; returns its summary row. */
  static SummaryRow summarize(TraceRef ref, StrategyId id, CostProfile p, ReplayConfig c, org.vqsim.engine.dma.DmaOptions dma, String ring)
      throws IOException {
    StrategyRecorder rec = new StrategyRecorder(id.id, null);
    RunResult r;
    try (Traces.Opened t = ref.open()) {
      r = new ReplayEngine(id, p, c, dma, org.vqsim.engine.ring.Ring.of(ring)).run(t.source(), rec);
    }
    return SummaryRow.of(id.id, new SummaryRow.Context(p.name(), ref.label(), ring, c.backend().id, c.iodepth()), r, rec);
  }
}
