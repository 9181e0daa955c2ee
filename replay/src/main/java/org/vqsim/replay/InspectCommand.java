package org.vqsim.replay;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.vqsim.capture.ReadOptions;
import org.vqsim.capture.TraceFormat;
import org.vqsim.capture.Traces;
import org.vqsim.capture.observed.ObservedEvents.Counter;
import org.vqsim.capture.observed.ReaderCounters;
import org.vqsim.capture.observed.TraceInspector;
import org.vqsim.engine.sim.IoOp;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "inspect", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Print what a trace holds and the DMA events it observed.", "",
        "Format, requests, read/write mix, size histogram, observed queue depth and duration, the submitting CPUs, "
            + "and the DMA and notification events observed per request when the trace has them."},
    footer = {"", "Examples:",
        "  vqsim inspect samples/qemu-lab/randread4k.viommu-strict.guest-ftrace.txt.gz",
        "  vqsim inspect samples/qemu-lab/randread4k.viommu-strict.qemu-trace.log.gz",
        "  vqsim inspect samples/formats/blkparse.txt --device 7,0",
        "  vqsim inspect samples/formats/msr.csv --disk 0",
        "  vqsim inspect out/net-run"})
final class InspectCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;
  @Mixin DebugOption debug;
  @Mixin TraceReadOptions read;

  @Parameters(index = "0", paramLabel = "FILE", description = "Trace file in any supported format (.gz is fine), or a result folder of replay or fleet "
      + "(its summary.arrow per strategy, network runs with their packet columns); - reads standard input.")
  Path file;

  @Override
  public Integer call() throws IOException {
    ReadOptions opts = read.options();
    PrintWriter out = spec.commandLine().getOut();
    file = Stdin.resolve(file);
    if (java.nio.file.Files.isDirectory(file)) {
      inspectRuns(out, file);
      out.flush();
      return ExitCodes.OK;
    }
    if (opts.format() == null && NetReplayRunner.isNet(file)) {
      inspectNet(out, file);
      out.flush();
      return ExitCodes.OK;
    }
    try (Traces.Opened t = Traces.open(file, opts)) {
      TraceInspector s = new TraceInspector().read(t.source());
      print(out, Stdin.is(file) ? Stdin.NAME : file.toString(), t.format(), s, t.counters());
    }
    out.flush();
    return ExitCodes.OK;
  }

  /** Columns shown per strategy for a network replay's summary.arrow, and for a block replay's. */
  static final List<String> NET_COLUMNS = List.of("strategy", "packets", "pps", "gbit_per_s", "latency_mean_ns", "latency_p99_ns", "cycles_guest_per_packet",
      "cycles_host_per_packet", "maps_per_packet", "bounces_per_packet", "invalidations_per_packet", "kicks_per_packet", "device_interrupts_per_packet",
      "rx_buffers_per_packet", "refill_failures", "drops");
  static final List<String> BLOCK_COLUMNS = List.of("strategy", "requests", "iops", "mib_per_s", "lat_mean_ns", "lat_p99_ns", "cycles_per_request",
      "slowdown_vs_direct");

  /**
   * A result folder of replay (or of fleet: one sub-folder per profile): each summary.arrow's rows,
   * a network replay's with its packet columns (pps, Gb/s, per-packet means), a block replay's with
   * its request columns.
   */
  private void inspectRuns(PrintWriter out, Path dir) throws IOException {
    List<Path> summaries = new ArrayList<>();
    if (java.nio.file.Files.isRegularFile(dir.resolve(NetReplayRunner.SUMMARY))) summaries.add(dir.resolve(NetReplayRunner.SUMMARY));
    try (var sub = java.nio.file.Files.list(dir)) {
      sub.filter(java.nio.file.Files::isDirectory).sorted().map(d -> d.resolve(NetReplayRunner.SUMMARY)).filter(java.nio.file.Files::isRegularFile)
          .forEach(summaries::add);
    }
    Path sweep = dir.resolve(org.vqsim.analysis.arrow.ResultFiles.SWEEP);
    boolean hasSweep = java.nio.file.Files.isRegularFile(sweep);
    if (summaries.isEmpty() && !hasSweep) {
      throw new CliException(ExitCodes.NO_INPUT, dir + ": a folder without summary.arrow or sweep.arrow (inspect reads a trace, or a replay's or a sweep's result folder)");
    }
    if (hasSweep) inspectSweep(out, sweep);
    for (Path f : summaries) {
      Map<String, String> meta = org.vqsim.analysis.arrow.ArrowTables.metadata(f);
      boolean net = "net-replay".equals(meta.get("vqsim.kind"));
      out.println(f);
      row(out, "run", (net ? "network replay" : "block replay") + " of " + meta.getOrDefault("vqsim.trace", "?") + ", profile "
          + meta.getOrDefault("vqsim.profile", "?") + " (" + meta.getOrDefault("vqsim.profile.platform", "?") + ")");
      List<String> cols = new ArrayList<>();
      org.apache.arrow.vector.types.pojo.Schema schema = org.vqsim.analysis.arrow.ArrowTables.schema(f);
      for (String c : net ? NET_COLUMNS : BLOCK_COLUMNS) if (schema.getFields().stream().anyMatch(x -> x.getName().equals(c))) cols.add(c);
      List<String[]> rows = new ArrayList<>();
      org.vqsim.analysis.arrow.ArrowTables.scan(f, root -> {
        for (int r = 0; r < root.getRowCount(); r++) {
          String[] v = new String[cols.size()];
          for (int i = 0; i < cols.size(); i++) {
            org.apache.arrow.vector.FieldVector x = root.getVector(cols.get(i));
            Object o = x.getObject(r);
            v[i] = o == null ? "" : o instanceof Double d ? (Math.abs(d) >= 100 || d == Math.rint(d) ? String.format(Locale.ROOT, "%.0f", d)
                : String.format(Locale.ROOT, "%.3f", d)) : o.toString();
          }
          rows.add(v);
        }
        return true;
      });
      org.vqsim.analysis.arrow.ArrowTables.printAligned(out, cols, rows);
      if (net && !rows.isEmpty()) {
        out.println("  features: " + firstString(f, "features") + "; receive buffers: " + firstString(f, "rx_buffer_kind"));
      }
      Path locks = f.resolveSibling(org.vqsim.analysis.arrow.ResultFiles.LOCKS);
      if (java.nio.file.Files.isRegularFile(locks)) printLocks(out, locks, net ? "packet" : "request", perRun(f, net ? "packets" : "requests"));
    }
  }

  /** Per strategy, the rows of a summary's count column (packets or requests). */
  private static Map<String, Long> perRun(Path summary, String col) throws IOException {
    Map<String, Long> m = new java.util.HashMap<>();
    org.vqsim.analysis.arrow.ArrowTables.scan(summary, root -> {
      for (int r = 0; r < root.getRowCount(); r++) m.put(String.valueOf(root.getVector("strategy").getObject(r)), ((Number) root.getVector(col).getObject(r)).longValue());
      return true;
    });
    return m;
  }

  /** locks.arrow beside a summary: per strategy, the locks that were waited for, with the wait per request or packet. */
  private static void printLocks(PrintWriter out, Path locks, String unit, Map<String, Long> count) throws IOException {
    List<String[]> rows = new ArrayList<>();
    long[] taken = {0};
    org.vqsim.analysis.arrow.ArrowTables.scan(locks, root -> {
      for (int r = 0; r < root.getRowCount(); r++) {
        long acq = ((Number) root.getVector("acquisitions").getObject(r)).longValue();
        taken[0] += acq;
        long wait = ((Number) root.getVector("wait_ns_total").getObject(r)).longValue();
        if (wait == 0) continue;
        String strategy = String.valueOf(root.getVector("strategy").getObject(r));
        long n = count.getOrDefault(strategy, 0L);
        rows.add(new String[] {strategy, String.valueOf(root.getVector("lock").getObject(r)), String.valueOf(root.getVector("kind").getObject(r)),
            Long.toString(acq), String.valueOf(root.getVector("contended").getObject(r)), String.format(Locale.ROOT, "%.1f", n == 0 ? 0.0 : wait / (double) n)});
      }
      return true;
    });
    if (rows.isEmpty()) {
      out.printf(Locale.ROOT, "  locks: %d holds taken (locks.arrow), none waited for%n", taken[0]);
      return;
    }
    out.println("  locks waited for (locks.arrow):");
    org.vqsim.analysis.arrow.ArrowTables.printAligned(out, List.of("  strategy", "lock", "kind", "acquisitions", "contended", "wait_ns/" + unit),
        rows.stream().map(r -> { r[0] = "  " + r[0]; return r; }).toList());
  }

  /**
   * A sweep's sweep.arrow: a row per unit with its swept parameters, the trace, the strategy, its rate
   * (IOPS for block units, packets/s with Gb/s for network units: the rows whose pps is set), p99
   * latency, cycles per request (or packet) and the slowdown against direct.
   */
  private static void inspectSweep(PrintWriter out, Path f) throws IOException {
    Map<String, String> meta = org.vqsim.analysis.arrow.ArrowTables.metadata(f);
    org.apache.arrow.vector.types.pojo.Schema schema = org.vqsim.analysis.arrow.ArrowTables.schema(f);
    List<String> names = schema.getFields().stream().map(org.apache.arrow.vector.types.pojo.Field::getName).toList();
    // the swept parameters' columns come before the summary's first column, strategy
    List<String> params = names.subList(0, Math.max(0, names.indexOf("strategy")));
    boolean hasPps = names.contains("pps");
    List<String[]> rows = new ArrayList<>();
    int[] kinds = new int[2]; // block, network
    org.vqsim.analysis.arrow.ArrowTables.scan(f, root -> {
      for (int r = 0; r < root.getRowCount(); r++) {
        boolean net = hasPps && !root.getVector("pps").isNull(r);
        kinds[net ? 1 : 0]++;
        List<String> v = new ArrayList<>();
        for (String p : params) v.add(String.valueOf(root.getVector(p).getObject(r)));
        v.add(String.valueOf(root.getVector("trace").getObject(r)));
        v.add(String.valueOf(root.getVector("ring").getObject(r)));
        v.add(String.valueOf(root.getVector("strategy").getObject(r)));
        v.add(net ? "network" : "block");
        v.add(String.format(Locale.ROOT, "%.0f %s", ((Number) root.getVector("iops").getObject(r)).doubleValue(), net ? "packets/s" : "IOPS"));
        v.add(net ? String.format(Locale.ROOT, "%.2f", ((Number) root.getVector("gbit_per_s").getObject(r)).doubleValue()) : "-");
        v.add(String.format(Locale.ROOT, "%.1f", ((Number) root.getVector("lat_p99_ns").getObject(r)).longValue() / 1e3));
        v.add(String.format(Locale.ROOT, "%.0f", ((Number) root.getVector("cycles_per_request").getObject(r)).doubleValue()));
        Object slow = root.getVector("slowdown_vs_direct").getObject(r);
        v.add(slow == null ? "-" : String.format(Locale.ROOT, "%.2fx", ((Number) slow).doubleValue()));
        rows.add(v.toArray(new String[0]));
      }
      return true;
    });
    out.println(f);
    row(out, "run", "sweep of " + rows.size() + " combinations: " + kinds[0] + " block unit" + (kinds[0] == 1 ? "" : "s") + ", " + kinds[1] + " network unit"
        + (kinds[1] == 1 ? "" : "s") + " (a network unit counts a packet as a request), profile platform " + meta.getOrDefault("vqsim.profile.platform", "?"));
    List<String> header = new ArrayList<>(params);
    header.addAll(List.of("trace", "ring", "strategy", "unit", "rate", "Gb/s", "p99 us", "cycles/req|pkt", "slowdown"));
    org.vqsim.analysis.arrow.ArrowTables.printAligned(out, header, rows);
  }

  private static String firstString(Path f, String col) throws IOException {
    String[] v = {""};
    org.vqsim.analysis.arrow.ArrowTables.scan(f, root -> {
      if (root.getRowCount() > 0) v[0] = String.valueOf(root.getVector(col).getObject(0));
      return false;
    });
    return v[0];
  }

  /** A network trace: packets per direction, sizes, and for a guest ftrace the DMA and notification events per packet of its window. */
  private void inspectNet(PrintWriter out, Path f) throws IOException {
    out.println(f);
    if (NetReplayRunner.isPcap(f)) {
      row(out, "format", "pcap/pcapng (replay it with --guest-mac or --guest-ip)");
      return;
    }
    org.vqsim.capture.net.NetGuestTrace g = null;
    org.vqsim.engine.device.net.PacketSource src;
    if (NetTraceFile.is(f)) {
      row(out, "format", "net-trace (a generated packet trace, Arrow)");
      src = NetTraceFile.open(f);
    } else {
      g = org.vqsim.capture.net.NetGuestTrace.read(f);
      row(out, "format", "ftrace of a virtio-net run (net_dev_xmit / napi_gro_receive_entry)" + (g.windowed ? ", the window between WL-BEGIN and WL-END" : ""));
      src = g.packets(-1);
    }
    long[] n = new long[2], bytes = new long[2];
    java.util.TreeMap<Integer, long[]> sizes = new java.util.TreeMap<>();
    long first = -1, last = 0;
    org.vqsim.engine.device.net.NetPacket p = new org.vqsim.engine.device.net.NetPacket();
    try (src) {
      while (src.next(p)) {
        n[p.direction]++;
        bytes[p.direction] += p.frameLen;
        int bucket = p.frameLen <= 128 ? 128 : p.frameLen <= 1514 ? 1514 : p.frameLen <= 9018 ? 9018 : 65549;
        sizes.computeIfAbsent(bucket, k -> new long[2])[p.direction]++;
        if (first < 0) first = p.tsNs;
        last = Math.max(last, p.tsNs);
      }
    }
    long total = n[0] + n[1];
    row(out, "packets", String.format(Locale.ROOT, "%d: %d transmitted, %d received", total, n[0], n[1]));
    row(out, "bytes", String.format(Locale.ROOT, "%d transmitted, %d received (frames; a GSO super-packet counts once)", bytes[0], bytes[1]));
    if (last > first && first >= 0) row(out, "duration", String.format(Locale.ROOT, "%.6f s (%.0f packets/s)", (last - first) / 1e9, total / ((last - first) / 1e9)));
    out.println("  frame sizes:        tx          rx");
    for (var e : sizes.entrySet()) {
      String label = e.getKey() == 128 ? "≤ 128" : e.getKey() == 1514 ? "129-1514" : e.getKey() == 9018 ? "1515-9018" : "GSO > 9018";
      out.printf(Locale.ROOT, "    %-12s %10d  %10d%n", label, e.getValue()[0], e.getValue()[1]);
    }
    if (g != null && total > 0) {
      row(out, "per packet", String.format(Locale.ROOT, "maps %.3f, unmaps %.3f, bounces %.3f (%.0f bytes), kicks %.3f, interrupts %.3f, NAPI polls %.3f",
          g.maps / (double) total, g.unmaps / (double) total, g.bounces / (double) total, g.bounceBytes / (double) total, g.kicks / (double) total,
          g.interrupts / (double) total, g.napiPolls / (double) total));
    }
  }

  static void print(PrintWriter out, String name, TraceFormat format, TraceInspector s, ReaderCounters c) {
    out.println(name);
    row(out, "format", format.id + " (" + format.description + ")");
    row(out, "requests", String.format(Locale.ROOT, "%d: %d read, %d write, %d flush, %d discard", s.requests, s.byOp[IoOp.READ], s.byOp[IoOp.WRITE],
        s.byOp[IoOp.FLUSH], s.byOp[IoOp.DISCARD]));
    if (s.requests > 0) {
      row(out, "mix", String.format(Locale.ROOT, "%.1f%% read, %.1f%% write, %.1f%% flush, %.1f%% discard", pct(s.byOp[0], s.requests),
          pct(s.byOp[1], s.requests), pct(s.byOp[2], s.requests), pct(s.byOp[3], s.requests)));
      row(out, "bytes", String.format(Locale.ROOT, "%d (%.2f MiB), mean %.0f per request", s.bytes, s.bytes / 1048576.0, s.bytes / (double) s.requests));
      row(out, "duration", String.format(Locale.ROOT, "%.6f s (first submission to last %s)", s.durationNs() / 1e9,
          s.completed > 0 ? "completion" : "submission"));
      if (s.durationNs() > 0) row(out, "rate", String.format(Locale.ROOT, "%.0f requests/s", s.requests / (s.durationNs() / 1e9)));
      if (s.completed > 0) {
        row(out, "queue depth", String.format(Locale.ROOT, "max %d, mean %.2f in flight (from issue/completion pairs; %d of %d requests completed)",
            s.maxInFlight, s.meanInFlight(), s.completed, s.requests));
        row(out, "latency", String.format(Locale.ROOT, "mean %.1f us (observed, completion − issue)", s.latencySumNs / 1e3 / s.completed));
      } else {
        row(out, "queue depth", "not observed (the trace has no completions)");
      }
      out.println("  sizes:");
      for (Map.Entry<Integer, Long> e : histogram(s.sizes).entrySet()) {
        out.printf(Locale.ROOT, "    %-10s %10d  %5.1f%%%n", sizeLabel(e.getKey()), e.getValue(), pct(e.getValue(), s.requests));
      }
      printCpus(out, s);
    }
    if (s.observedEvents && s.requests > 0) {
      out.println("  observed per request (mean [min..max], total):");
      for (Counter k : Counter.values()) {
        long total = s.totalOf(k);
        if (total == 0) continue;
        out.printf(Locale.ROOT, "    %-18s %9.2f  [%d..%d]  %d  %s%n", k.id, s.perRequest(k), s.min[k.ordinal()], s.max[k.ordinal()], total, k.description);
      }
      if (!s.segmentCounts.isEmpty()) {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<Integer, Long> e : s.segmentCounts.entrySet()) b.append(b.length() == 0 ? "" : ", ").append(e.getKey()).append(" segments: ").append(e.getValue());
        out.println("    scatter-gather shape  " + b);
      }
    }
    if (c != null) {
      out.printf(Locale.ROOT, "  reading: %d lines, %d malformed lines skipped, %d unknown events, %d issues without completion, %d completions without issue%s%s%n",
          c.lines, c.skippedLines, c.unknownEvents, c.issuesWithoutCompletion, c.completionsWithoutIssue,
          c.filtered > 0 ? ", " + c.filtered + " requests of other devices/disks" : "", c.otherOps > 0 ? ", " + c.otherOps + " requests of other ops" : "");
      for (Map.Entry<String, String> e : c.notes.entrySet()) out.println("    " + e.getKey() + ": " + e.getValue());
      if (c.firstSkipped != null) out.println("    first skipped: " + c.firstSkipped);
    }
  }

  /** CPUs listed by {@link #printCpus} before the rest are summed up in one line. */
  static final int TOP_CPUS = 8;

  /** The submitting CPUs: how many, and the requests of the busiest few; or that the trace does not say. */
  static void printCpus(PrintWriter out, TraceInspector s) {
    if (!s.knowsCpus()) {
      out.println("  submitting CPUs: not in the trace (a replay spreads its requests round-robin over the vCPUs)");
      return;
    }
    out.printf(Locale.ROOT, "  submitting CPUs: %d (%s), requests per CPU, busiest first:%n", s.cpus.size(), cpuList(s.cpus.keySet()));
    List<Map.Entry<Integer, Long>> busiest = new ArrayList<>(s.cpus.entrySet());
    busiest.sort(Map.Entry.<Integer, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
    long rest = 0;
    for (int i = 0; i < busiest.size(); i++) {
      Map.Entry<Integer, Long> e = busiest.get(i);
      if (i < TOP_CPUS) out.printf(Locale.ROOT, "    %-10s %10d  %5.1f%%%n", "cpu " + e.getKey(), e.getValue(), pct(e.getValue(), s.requests));
      else rest += e.getValue();
    }
    if (rest > 0) out.printf(Locale.ROOT, "    %-10s %10d  %5.1f%%  (%d more CPUs)%n", "others", rest, pct(rest, s.requests), busiest.size() - TOP_CPUS);
    if (s.withoutCpu > 0) out.printf(Locale.ROOT, "    %-10s %10d  %5.1f%%%n", "no cpu", s.withoutCpu, pct(s.withoutCpu, s.requests));
  }

  /** CPU numbers in ascending order with runs shortened: "0-3, 8, 10-11". */
  static String cpuList(Collection<Integer> cpus) {
    StringBuilder b = new StringBuilder();
    int[] c = cpus.stream().mapToInt(Integer::intValue).sorted().toArray();
    for (int i = 0; i < c.length; ) {
      int j = i;
      while (j + 1 < c.length && c[j + 1] == c[j] + 1) j++;
      b.append(b.length() == 0 ? "" : ", ").append(c[i]);
      if (j > i) b.append('-').append(c[j]);
      i = j + 1;
    }
    return b.toString();
  }

  private static void row(PrintWriter out, String k, String v) {
    out.printf(Locale.ROOT, "  %-12s %s%n", k, v);
  }

  static double pct(long n, long of) {
    return of == 0 ? 0 : 100.0 * n / of;
  }

  /** Exact sizes when there are few; power-of-two buckets (labelled by their upper bound) otherwise. */
  static TreeMap<Integer, Long> histogram(TreeMap<Integer, Long> sizes) {
    if (sizes.size() <= 16) return sizes;
    TreeMap<Integer, Long> b = new TreeMap<>();
    for (Map.Entry<Integer, Long> e : sizes.entrySet()) {
      int v = e.getKey();
      int bucket = v <= 512 ? 512 : Integer.highestOneBit(v - 1) << 1;
      b.merge(bucket > 0 ? bucket : Integer.MAX_VALUE, e.getValue(), Long::sum);
    }
    return b;
  }

  static String sizeLabel(int bytes) {
    if (bytes == 0) return "0";
    return org.vqsim.capture.Sizes.format(bytes);
  }
}
