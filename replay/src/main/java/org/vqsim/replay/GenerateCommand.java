package org.vqsim.replay;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.List;
import java.util.Locale;
import org.vqsim.analysis.arrow.ResultSchemas;
import org.vqsim.analysis.io.RunOutput;
import org.vqsim.engine.sim.RequestSource;
import org.vqsim.capture.Sizes;
import org.vqsim.capture.canonical.CanonicalTrace;
import org.vqsim.capture.canonical.CanonicalTraceWriter;
import org.vqsim.capture.synthetic.SyntheticSource;
import org.vqsim.capture.synthetic.WorkloadSpec;
import org.vqsim.engine.Version;
import org.vqsim.engine.sim.IoRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Write a synthetic trace from a fio-like description.", "",
        "The trace is a canonical Arrow trace; the options are kept in its metadata, and --iodepth there is the default depth of its replays.",
        "",
        "With --numjobs N (as fio's numjobs) there are N jobs, each with its own --iodepth, --count (or --size), --rate and random stream, "
            + "and job k submits from CPU k: the trace has N times the requests, interleaved round-robin, with a cpu column.",
        "",
        "With --net tcp-stream|tcp-rr|udp-stream it writes a packet trace instead (netperf-like): --count messages of --msg-size per stream, "
            + "TSO super-packets where the features allow them, ACKs for every second data packet on the reverse path, tcp-rr as a closed loop; "
            + "--rate paces the application (messages/s per stream), else bulk data is paced at the link rate."},
    footer = {"", "Examples:",
        "  vqsim generate --rw randread --bs 4k --iodepth 32 --count 1000000 \\",
        "      -o randread.arrow",
        "  vqsim generate --rw randrw --rwmixread 70 --bs 4k:70,64k:30 --size 1g \\",
        "      --random-distribution zipf:1.2 -o mix.arrow",
        "  vqsim generate --rw write --bs 128k --count 10000 --rate 2000 -o paced.arrow",
        "      (open loop: timestamps for 2000 requests/s)",
        "  vqsim generate --rw randread --numjobs 4 --iodepth 8 --count 250000 \\",
        "      -o four-jobs.arrow",
        "      (4 jobs on CPUs 0-3, 8 in flight each: 1,000,000 requests)",
        "  vqsim generate --net tcp-stream --direction rx --msg-size 64k --count 10000 \\",
        "      -o stream-rx.arrow",
        "  vqsim generate --net tcp-rr --msg-size 64 --count 100000 -o rr.arrow"})
final class GenerateCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;
  @Mixin DebugOption debug;

  @Option(names = "--rw", defaultValue = "randread", description = "read, write, randread, randwrite, randrw, rw (default: ${DEFAULT-VALUE}).")
  String rw;

  @Option(names = "--rwmixread", defaultValue = "50", description = "Percent reads in randrw/rw (default: ${DEFAULT-VALUE}).")
  int rwmixread;

  @Option(names = "--bs", defaultValue = "4k", description = "Block size, or a weighted mix like 4k:70,64k:30 (default: ${DEFAULT-VALUE}).")
  String bs;

  @Option(names = "--iodepth", defaultValue = "1", description = "Closed-loop depth stored with the trace; replay --iodepth overrides it (default: ${DEFAULT-VALUE}).")
  int iodepth;

  @Option(names = "--count", description = "Number of requests (of each job).")
  Long count;

  @Option(names = "--size", description = "Total bytes of I/O instead of --count (e.g. 10g; of each job).")
  String size;

  @Option(names = "--numjobs", defaultValue = "1", paramLabel = "N",
      description = "Jobs, 1 to " + WorkloadSpec.MAX_JOBS + ", each on its own CPU (job k on CPU k) with its own --iodepth, --count or --size, "
          + "--rate and random stream; sequential jobs each take 1/N of --offset-range (default: ${DEFAULT-VALUE}).")
  int numjobs;

  @Option(names = "--offset-range", defaultValue = "10g", description = "Region offsets fall in: END or START:END (default: ${DEFAULT-VALUE}).")
  String offsetRange;

  @Option(names = "--random-distribution", defaultValue = "uniform", description = "uniform or zipf:THETA for random offsets (default: ${DEFAULT-VALUE}).")
  String distribution;

  @Option(names = "--rate", description = "Open loop: timestamps at this many requests per second (of each job).")
  Double rate;

  @Option(names = "--seed", defaultValue = "1", description = "Random seed; job k > 0 draws from a seed derived from it and k (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = {"-o", "--output"}, required = true, description = "Trace file to write (.arrow).")
  Path output;

  @Option(names = "--force", description = "Overwrite an existing file.")
  boolean force;

  @Option(names = "--net", paramLabel = "tcp-stream|tcp-rr|udp-stream", description = "Write a network packet trace instead (netperf-like; see the description).")
  String net;

  @Option(names = "--direction", defaultValue = "tx", paramLabel = "tx|rx|both", description = "--net: the guest sends, receives, or both (default: ${DEFAULT-VALUE}).")
  String direction;

  @Option(names = "--msg-size", paramLabel = "B", description = "--net: bytes per application write, request or datagram (default: 65536; tcp-rr: 1, as netperf's TCP_RR; udp-stream: 65507, the largest datagram).")
  String msgSize;

  @Option(names = "--mss", defaultValue = "1448", paramLabel = "B", description = "--net: TCP payload per segment (default: ${DEFAULT-VALUE}, MTU 1500 with timestamps).")
  int mss;

  @Option(names = "--streams", defaultValue = "1", paramLabel = "N", description = "--net: parallel connections, stream k on queue pair k mod pairs (default: ${DEFAULT-VALUE}).")
  int streams;

  @Option(names = "--link-gbps", paramLabel = "G", description = "--net: the link that paces bulk streams (default: the x86-kvm profile's link_gbps).")
  Double linkGbps;

  @Option(names = "--net-features", paramLabel = "LIST", description = "--net: virtio-net features off (-NAME) from QEMU's default set; decides TSO super-packets.")
  String netFeatures;

  /** The workload these options describe, validated. */
  static WorkloadSpec spec(String rw, int rwmixread, String bs, int iodepth, Long count, String size, String offsetRange, String distribution, Double rate,
      long seed, int numjobs) {
    if (count != null && size != null) throw new IllegalArgumentException("give either --count or --size, not both");
    if (count == null && size == null) throw new IllegalArgumentException("give --count N or --size BYTES");
    if (count != null && count <= 0) throw new IllegalArgumentException("--count must be at least 1, not " + count);
    int[][] sizes = WorkloadSpec.parseBlockSizes(bs);
    long[] range = WorkloadSpec.parseOffsetRange(offsetRange);
    long total = size == null ? 0 : Sizes.parse(size);
    if (size != null && total <= 0) throw new IllegalArgumentException("--size must be positive");
    if (rate != null && !(rate > 0)) throw new IllegalArgumentException("--rate must be a positive number of requests per second");
    return new WorkloadSpec(rw, rwmixread, sizes[0], sizes[1], iodepth, count == null ? 0 : count, total, range[0], range[1],
        WorkloadSpec.parseDistribution(distribution), rate == null ? 0 : rate, seed, numjobs);
  }

  /** The packet workload --net and its options describe (the options parsed, --net given). */
  org.vqsim.capture.net.NetWorkload.Spec netSpec() {
    if (count == null) throw new IllegalArgumentException("--net needs --count N (messages written by the application, per stream)");
    if (size != null) throw new IllegalArgumentException("--net takes --count, not --size");
    org.vqsim.engine.device.net.NetFeatures f = org.vqsim.engine.device.net.NetFeatures.parse(netFeatures);
    org.vqsim.engine.cost.CostProfile x86 = org.vqsim.engine.cost.CostProfile.load("x86-kvm");
    double gbps = linkGbps != null ? linkGbps : x86.get(org.vqsim.engine.cost.CostFigure.LINK_GBPS);
    var kind = org.vqsim.capture.net.NetWorkload.Spec.kind(net);
    long msg = msgSize == null ? org.vqsim.capture.net.NetWorkload.defaultMsgSize(kind) : Sizes.parse(msgSize);
    if (msg < 1 || msg > Integer.MAX_VALUE) throw new IllegalArgumentException("--msg-size must be 1 byte to 2 GiB, not " + msgSize);
    return new org.vqsim.capture.net.NetWorkload.Spec(kind, direction, (int) msg, count, mss, streams,
        rate == null ? 0 : rate, gbps, x86.get(org.vqsim.engine.cost.CostFigure.LINK_LATENCY_NS), f.hostTso(), f.guestTso());
  }

  private int callNet() throws IOException {
    var ns = netSpec();
    org.vqsim.engine.device.net.NetFeatures f = org.vqsim.engine.device.net.NetFeatures.parse(netFeatures);
    var src = new org.vqsim.capture.net.NetWorkload(ns);
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("vqsim.kind", NetTraceFile.KIND);
    meta.put("vqsim.version", Version.VERSION);
    meta.put("vqsim.command", "generate");
    StringBuilder opts = new StringBuilder();
    ns.describe().forEach((k, v) -> opts.append(opts.length() == 0 ? "" : " ").append("--").append(k).append('=').append(v));
    meta.put("vqsim.options", opts.toString());
    meta.put("vqsim.net-features", f.toString());
    long n;
    try (RunOutput out = Outputs.file(spec, output)) {
      out.requireAbsent(List.of(), force);
      long rows = src.expectedPackets();
      out.reserve(Math.min(Long.MAX_VALUE / 2, rows * 40), String.format(Locale.ROOT, "a trace of %,d packets", rows),
          "generate fewer packets (--count) or write to a larger file system");
      try (Progress progress = Progress.start(spec.commandLine().getErr(), "generate " + output.getFileName(), "packets", rows)) {
        n = NetTraceFile.write(out.file(), meta, src, progress);
      }
      out.commit();
    }
    PrintWriter o = spec.commandLine().getOut();
    o.printf(Locale.ROOT, "Wrote %d packets (%s %s, %d stream%s, %d B messages) to %s%n", n, net, direction, streams, streams == 1 ? "" : "s", ns.msgSize(), output);
    o.flush();
    return ExitCodes.OK;
  }

  /** The workload these parsed options describe. */
  WorkloadSpec spec() {
    return spec(rw, rwmixread, bs, iodepth, count, size, offsetRange, distribution, rate, seed, numjobs);
  }

  /**
   * What a generated trace says about its jobs and CPUs ({@code vqsim.numjobs}, {@code vqsim.cpus}):
   * nothing for one job, whose trace does not name CPUs.
   */
  static Map<String, String> cpuMetadata(WorkloadSpec w) {
    if (!w.knowsCpus()) return Map.of();
    Map<String, String> m = new LinkedHashMap<>();
    m.put(CanonicalTrace.META_NUMJOBS, Integer.toString(w.numjobs()));
    m.put(CanonicalTrace.META_CPUS, Integer.toString(w.numjobs()));
    return m;
  }

  @Override
  public Integer call() throws IOException {
    if (net != null) return callNet();
    WorkloadSpec w = spec();
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put(CanonicalTrace.META_KIND, CanonicalTrace.KIND);
    meta.put("vqsim.version", Version.VERSION);
    meta.put("vqsim.command", "generate");
    StringBuilder opts = new StringBuilder();
    w.describe().forEach((k, v) -> opts.append(opts.length() == 0 ? "" : " ").append("--").append(k.replace('_', '-')).append('=').append(v));
    meta.put("vqsim.options", opts.toString());
    meta.put("vqsim.seed", Long.toString(seed));
    meta.put(CanonicalTrace.META_IODEPTH, Integer.toString(iodepth));
    meta.put(CanonicalTrace.META_ARRIVAL, w.rateIops() > 0 ? "open" : "closed");
    meta.putAll(cpuMetadata(w));
    w.describe().forEach((k, v) -> meta.put("vqsim.generator." + k, v));
    long n;
    try (RunOutput out = Outputs.file(spec, output)) {
      out.requireAbsent(List.of(), force);
      long rows = w.expectedRequests();
      out.reserve((long) Math.min(Long.MAX_VALUE / 2, rows * ResultSchemas.estimatedRowBytes(CanonicalTrace.schema(Map.of(), w.knowsCpus()), col -> 1)),
          String.format(Locale.ROOT, "a trace of %,d requests", rows), "generate fewer requests (--count, --size) or write to a larger file system");
      IoRequest r = new IoRequest();
      SyntheticSource src = new SyntheticSource(w);
      try (CanonicalTraceWriter writer = new CanonicalTraceWriter(RunOutput.openChannel(out.file()), meta, w.knowsCpus());
          Progress progress = Progress.start(spec.commandLine().getErr(), "generate " + output.getFileName(), "requests", rows)) {
        RequestSource counted = progress.wrap(src);
        while (counted.next(r)) writer.write(r);
        n = writer.written();
      }
      out.commit();
    }
    PrintWriter o = spec.commandLine().getOut();
    o.printf("Wrote %d requests (%s%s) to %s%n", n, w.describe().get("rw") + " " + w.describe().get("bs"),
        w.knowsCpus() ? ", " + w.numjobs() + " jobs on CPUs 0-" + (w.numjobs() - 1) : "", output);
    o.flush();
    return ExitCodes.OK;
  }
}
