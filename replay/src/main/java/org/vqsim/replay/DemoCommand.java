package org.vqsim.replay;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Locale;
import java.util.Map;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.vqsim.analysis.io.RunOutput;
import org.vqsim.analysis.report.ReportFiles;
import org.vqsim.capture.synthetic.WorkloadSpec;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Replay the bundled lab traces and a generated workload.", "",
        "Network: a virtio-net lab run (tcp-rr under the emulated vIOMMU) and a generated tcp-stream receive, each under every x86 strategy.", "",
        "The x86 and POWER lab traces (samples/) and a generated 4 KiB random-read workload are replayed under every strategy of their platform; "
            + "the summaries are printed, with a report of all runs. The demo folder is replaced on every run."},
    footer = {"", "Examples:", "  vqsim demo", "  vqsim demo -o /tmp/vqsim-demo --count 1000000"})
final class DemoCommand implements Callable<Integer> {
  static final String MARKER = ".vqsim-demo";
  static final List<String> LAB_WORKLOADS = List.of("randread4k", "seqread64k", "seqwrite128k");

  @Spec CommandLine.Model.CommandSpec spec;
  @Mixin DebugOption debug;

  @Option(names = {"-o", "--output"}, defaultValue = "vqsim-demo", description = "Folder to (re)create (default: ${DEFAULT-VALUE}).")
  Path outDir;

  @Option(names = "--count", defaultValue = "200000", description = "Requests in the generated workload (default: ${DEFAULT-VALUE}).")
  long count;

  @Option(names = "--samples", description = "Folder of the bundled lab traces (default: samples/ of the vqsim installation).")
  Path samples;

  @Override
  public Integer call() throws IOException {
    Path samplesDir = samples != null ? samples : Installation.samples();
    Path x86 = samplesDir.resolve("qemu-lab");
    if (!Files.isDirectory(x86)) throw new CliException(ExitCodes.NO_INPUT, x86 + ": bundled lab traces not found (use --samples DIR)");
    if (count < 1) throw new IllegalArgumentException("--count must be at least 1, not " + count);
    checkReplaceable(outDir);
    PrintWriter out = spec.commandLine().getOut();
    List<String> folders = new ArrayList<>();
    List<String> written = new ArrayList<>();
    // everything is staged and replaces the old demo folder at the end, in one commit
    try (RunOutput o = Outputs.folder(spec, outDir)) {
      RunOutput.writeString(o.file(MARKER), "made by vqsim demo; replaced on every run\n");

      // 1. A generated workload: 4 KiB random reads, 32 in flight, under every x86 strategy.
      WorkloadSpec gen = GenerateCommand.spec("randread", 50, "4k", 32, count, null, "10g", "uniform", null, 1, 1);
      String genDir = "generated-randread4k-qd32/";
      out.printf(Locale.ROOT, "== Generated workload: %,d random 4 KiB reads, iodepth 32, every x86-kvm strategy%n", count);
      written.addAll(run(out, o, defaults(), "x86-kvm", TraceRef.generated(gen), genDir));
      folders.add(genDir);

      // 2. The real lab traces (Linux 6.1 guests, QEMU 7.2), replayed at their recorded depth (dd: one at a time)
      //    under every strategy of their platform: x86 with x86-kvm, POWER pseries (64 KiB pages) with power9-kvm.
      String[][] labs = {{"qemu-lab", "x86-kvm", "lab-x86-"}, {"qemu-lab-ppc", "power9-kvm", "lab-ppc-"}};
      for (String[] lab : labs) {
        for (String w : LAB_WORKLOADS) {
          Path trace = samplesDir.resolve(lab[0]).resolve(w + ".direct.guest-ftrace.txt.gz");
          if (!Files.exists(trace)) throw new CliException(ExitCodes.NO_INPUT, trace + ": bundled lab trace missing");
          String dir = lab[2] + w + "/";
          out.println();
          out.println("== Lab trace " + samplesDir.relativize(trace) + " with " + lab[1] + " (samples/" + lab[0] + "/README.md says what it shows)");
          written.addAll(run(out, o, defaults(), lab[1], TraceRef.file(trace, null, "254,0"), dir));
          folders.add(dir);
        }
      }
      // 3. Network: a real virtio-net lab run (tcp-rr under the emulated vIOMMU) and a generated tcp-stream receive,
      //    each under every x86 strategy (samples/qemu-lab-net/README.md says what the lab shows)
      org.vqsim.engine.cost.CostProfile x86p = org.vqsim.engine.cost.CostProfile.builtIn("x86-kvm");
      List<org.vqsim.engine.dma.StrategyId> all = StrategyOptions.resolve(List.of("all"), x86p);
      ReplayOptions nm = defaults();
      org.vqsim.engine.device.net.NetFeatures nf = org.vqsim.engine.device.net.NetFeatures.qemuDefault();
      Path netLab = samplesDir.resolve("qemu-lab-net").resolve("tcp-rr.viommu-strict.guest-ftrace.txt.gz");
      if (!Files.exists(netLab)) throw new CliException(ExitCodes.NO_INPUT, netLab + ": bundled net lab trace missing");
      out.println();
      out.println("== Network lab trace " + samplesDir.relativize(netLab) + " with x86-kvm (2000 TCP request/response transactions of 64 bytes)");
      Map<String, String> netOpts = new java.util.LinkedHashMap<>();
      netOpts.put("trace", samplesDir.relativize(netLab).toString());
      netOpts.put("profile", "x86-kvm");
      written.addAll(NetReplayRunner.run(netLab, all, x86p, nm.baseConfig(), nm.dmaOptions(), nm.ring, nf, false, o, "net-lab-tcp-rr/", out, netOpts));
      folders.add("net-lab-tcp-rr/");
      String streamDir = "net-generated-tcp-stream-rx/";
      Path streamTrace = o.file(streamDir + "tcp-stream-rx.arrow");
      var ns = new org.vqsim.capture.net.NetWorkload.Spec(org.vqsim.capture.net.NetWorkload.Kind.TCP_STREAM, "rx", 65536, 2000, 1448, 1, 0,
          x86p.get(org.vqsim.engine.cost.CostFigure.LINK_GBPS), x86p.get(org.vqsim.engine.cost.CostFigure.LINK_LATENCY_NS), nf.hostTso(), nf.guestTso());
      Map<String, String> tmeta = new java.util.LinkedHashMap<>();
      tmeta.put("vqsim.kind", NetTraceFile.KIND);
      tmeta.put("vqsim.version", org.vqsim.engine.Version.VERSION);
      tmeta.put("vqsim.command", "demo");
      NetTraceFile.write(streamTrace, tmeta, new org.vqsim.capture.net.NetWorkload(ns), null);
      written.add(streamDir + "tcp-stream-rx.arrow");
      out.println();
      out.println("== Generated network workload: tcp-stream receive, 2000 writes of 64 KiB by the host, every x86-kvm strategy");
      Map<String, String> genOpts = new java.util.LinkedHashMap<>();
      genOpts.put("trace", streamDir + "tcp-stream-rx.arrow");
      genOpts.put("profile", "x86-kvm");
      written.addAll(NetReplayRunner.run(streamTrace, all, x86p, nm.baseConfig(), nm.dmaOptions(), nm.ring, nf, false, o, streamDir, out, genOpts));
      folders.add(streamDir);

      // one report over every folder of the demo (the generated workload and the lab traces)
      ReportCommand.writeWithRun(o, outDir);
      o.commitReplacingFolder();
    }
    out.println();
    out.println("Demo results are in " + outDir.toAbsolutePath() + ":");
    for (String f : folders) out.println("  " + f + (f.startsWith("net-") ? "  summary.arrow, latency.arrow, locks.arrow, requests.arrow (per packet)"
        : "  summary.arrow, latency.arrow, locks.arrow, requests.arrow"));
    out.println("Wrote the report of all " + folders.size() + " runs to " + outDir.resolve(ReportFiles.REPORT));
    out.println("Look at one with:  " + Installation.launcher() + " show " + outDir.resolve(folders.get(0)).resolve("summary.arrow"));
    out.flush();
    return ExitCodes.OK;
  }

  private List<String> run(PrintWriter out, RunOutput o, ReplayOptions model, String profile, TraceRef ref, String dir) throws IOException {
    org.vqsim.engine.cost.CostProfile p = org.vqsim.engine.cost.CostProfile.builtIn(profile);
    ReplayRunner.Plan plan = ReplayCommand.plan(model, p, StrategyOptions.resolve(List.of("all"), p), ref, false);
    ReplayRunner.Outcome r = ReplayRunner.run(plan, o, dir, spec.commandLine().getErr(), "use a smaller --count, or an -o folder on a larger file system");
    ReplayCommand.report(out, plan, r);
    return r.written();
  }

  /** The replay options at their defaults, as the CLI would parse them. */
  static ReplayOptions defaults() {
    ReplayOptions m = new ReplayOptions();
    new CommandLine(new Holder(m)).parseArgs();
    return m;
  }

  @Command(name = "holder")
  static final class Holder {
    @Mixin final ReplayOptions options;

    Holder(ReplayOptions o) {
      this.options = o;
    }
  }

  /** The demo replaces only a folder it made (it carries a marker file), an empty one, or none. */
  private static void checkReplaceable(Path dir) throws IOException {
    if (!Files.exists(dir) || Files.exists(dir.resolve(MARKER))) return;
    if (!Files.isDirectory(dir)) throw new CliException(ExitCodes.CANT_CREATE, dir + " exists and is not a folder; give another -o");
    boolean empty;
    try (Stream<Path> s = Files.list(dir)) {
      empty = s.allMatch(p -> p.getFileName().toString().startsWith(".vqsim"));
    }
    if (!empty) throw new CliException(ExitCodes.CANT_CREATE, dir + " exists and is not a vqsim demo folder; give another -o");
  }
}
