package org.vqsim.replay;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.vqsim.analysis.arrow.ArrowTables;
import org.vqsim.analysis.arrow.Columns;
import org.vqsim.analysis.arrow.TableWriter;
import org.vqsim.analysis.io.RunOutput;
import org.vqsim.capture.net.NetGuestTrace;
import org.vqsim.engine.Version;
import org.vqsim.engine.cost.CostProfile;
import org.vqsim.engine.cost.CycleLedger;
import org.vqsim.engine.cost.EventKind;
import org.vqsim.engine.device.net.NetFeatures;
import org.vqsim.engine.device.net.NetPacket;
import org.vqsim.engine.device.net.NetResult;
import org.vqsim.engine.device.net.PacketSink;
import org.vqsim.engine.device.net.PacketSource;
import org.vqsim.engine.dma.DmaOptions;
import org.vqsim.engine.dma.StrategyId;
import org.vqsim.engine.ring.Ring;
import org.vqsim.engine.sim.NetReplay;
import org.vqsim.engine.sim.ReplayConfig;

/**
 * Replays a packet trace (a generated {@code net-trace} Arrow file, or a guest ftrace of a network
 * run) under each strategy: {@code requests.arrow} gets a row per packet per strategy,
 * {@code summary.arrow} a row per strategy with packets per second, Gb/s and per-packet means,
 * {@code latency.arrow} the packet latencies' histogram, and {@code locks.arrow} the locks the run
 * took (the virtqueues' spinlocks, and the DMA strategy's: swiotlb areas, the IOVA allocator, the
 * VT-d queue, virtio-iommu's request lock, QEMU's mutexes) in block's schema.
 */
final class NetReplayRunner {
  private NetReplayRunner() {}

  static final String REQUESTS = "requests.arrow", SUMMARY = "summary.arrow", LATENCY = "latency.arrow", LOCKS = "locks.arrow";
  private static final byte[] TX = "tx".getBytes(StandardCharsets.US_ASCII), RX = "rx".getBytes(StandardCharsets.US_ASCII);
  private static final EventKind[] KINDS = {EventKind.MAPS, EventKind.UNMAPS, EventKind.BOUNCES, EventKind.BOUNCE_BYTES, EventKind.INVALIDATIONS,
      EventKind.EXITS, EventKind.INTERRUPTS};

  /** Whether {@code trace} is a network trace this runner replays. */
  static boolean isNet(Path trace) throws IOException {
    return NetTraceFile.is(trace) || isPcap(trace) || (!trace.toString().equals("-") && java.nio.file.Files.isRegularFile(trace) && !startsWithArrow(trace)
        && NetGuestTrace.isNetwork(trace));
  }

  private static boolean startsWithArrow(Path p) {
    try (var in = java.nio.file.Files.newInputStream(p)) {
      return new String(in.readNBytes(6), StandardCharsets.US_ASCII).equals("ARROW1");
    } catch (IOException e) {
      return false;
    }
  }

  static boolean isPcap(Path trace) {
    if (trace.toString().equals("-") || !java.nio.file.Files.isRegularFile(trace)) return false;
    try (var in = org.vqsim.capture.Traces.openStream(trace)) {
      return org.vqsim.capture.net.PcapReader.isPcap(in.readNBytes(4));
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** Opens a packet trace; {@code guestMac} or {@code guestIp} tells a pcap's guest side (the other may be null). */
  static PacketSource open(Path trace, String guestMac, String guestIp) throws IOException {
    if (NetTraceFile.is(trace)) return NetTraceFile.open(trace);
    if (isPcap(trace)) {
      if (guestMac == null && guestIp == null) throw new IllegalArgumentException(trace + " is a pcap: give --guest-mac or --guest-ip to tell the guest's frames apart");
      return new org.vqsim.capture.net.PcapReader(org.vqsim.capture.Traces.openStream(trace), trace.toString(), guestMac, guestIp);
    }
    return NetGuestTrace.read(trace).packets(-1);
  }

  record Row(String strategy, NetResult r, double latencyMeanNs, long latencyP99Ns, double guestCyclesPerPacket, double hostCyclesPerPacket) {}

  static Schema requestsSchema(Map<String, String> meta) {
    List<Field> f = new ArrayList<>(List.of(
        Columns.col("strategy", Columns.UTF8, "", "DMA strategy"),
        Columns.col("packet", Columns.INT64, "", "the packet's row in the trace"),
        Columns.col("direction", Columns.UTF8, "", "tx or rx"),
        Columns.col("queue", Columns.INT32, "", "queue pair"),
        Columns.col("frame_len", Columns.INT32, "bytes", "frame length"),
        Columns.col("buffers", Columns.INT32, "", "rx: receive buffers the packet used; tx: descriptors"),
        Columns.col("start_ns", Columns.INT64, "ns", "tx: handed to the driver; rx: at the host's side of the link"),
        Columns.col("done_ns", Columns.INT64, "ns", "tx: reclaimed by the driver; rx: handed to the guest's stack"),
        Columns.col("latency_ns", Columns.INT64, "ns", "done - start"),
        Columns.col("cycles_guest", Columns.INT64, "cycles", "vCPU cycles charged to the packet (its buffers' maps, ring work, stack)"),
        Columns.col("cycles_host", Columns.INT64, "cycles", "host cycles charged to the packet (VMM, IOMMU emulation)")));
    for (EventKind k : KINDS) f.add(Columns.col(k.id, Columns.INT64, "count", k.description));
    return Columns.schema(f, meta);
  }

  static Schema summarySchema(Map<String, String> meta) {
    List<Field> f = new ArrayList<>(List.of(
        Columns.col("strategy", Columns.UTF8, "", "DMA strategy"),
        Columns.col("packets", Columns.INT64, "", "packets transmitted + received"),
        Columns.col("tx_packets", Columns.INT64, "", "packets transmitted"),
        Columns.col("rx_packets", Columns.INT64, "", "packets received"),
        Columns.col("pps", Columns.FLOAT64, "packets/s", "packets per simulated second"),
        Columns.col("gbit_per_s", Columns.FLOAT64, "Gb/s", "frame bits per simulated second"),
        Columns.col("sim_time_ns", Columns.INT64, "ns", "first packet to last completion"),
        Columns.col("latency_mean_ns", Columns.FLOAT64, "ns", "mean packet latency (done - start)"),
        Columns.col("latency_p99_ns", Columns.INT64, "ns", "99th percentile packet latency"),
        Columns.col("cycles_guest_per_packet", Columns.FLOAT64, "cycles", "vCPU cycles per packet"),
        Columns.col("cycles_host_per_packet", Columns.FLOAT64, "cycles", "host cycles per packet")));
    for (EventKind k : KINDS) f.add(Columns.col(k.id + "_per_packet", Columns.FLOAT64, "count", k.description + ", per packet"));
    f.addAll(List.of(
        Columns.col("kicks_per_packet", Columns.FLOAT64, "count", "driver notifications per packet (tx and rx queues)"),
        Columns.col("device_interrupts_per_packet", Columns.FLOAT64, "count", "interrupts the device raised per packet"),
        Columns.col("rx_buffers_per_packet", Columns.FLOAT64, "", "receive buffers per received packet"),
        Columns.col("refill_failures", Columns.INT64, "", "receive refills that failed for want of a mapping (bounce pool full)"),
        Columns.col("drops", Columns.INT64, "", "packets dropped (tx queue full, failed tx mapping, tap queue full, frame too large)"),
        Columns.col("napi_polls", Columns.INT64, "", "NAPI polls (rx and tx)"),
        Columns.col("vcpu_util_max", Columns.FLOAT64, "", "busiest vCPU's share of the simulated time"),
        Columns.col("vmm_util_max", Columns.FLOAT64, "", "busiest VMM thread's share of the simulated time"),
        Columns.col("features", Columns.UTF8, "", "negotiated virtio-net features"),
        Columns.col("rx_buffer_kind", Columns.UTF8, "", "mergeable, big or small")));
    return Columns.schema(f, meta);
  }

  /** Replays {@code trace} under each strategy into {@code out}; prints the table. Returns the files written. */
  static List<String> run(Path trace, List<StrategyId> ids, CostProfile p, ReplayConfig c, DmaOptions dma, String ring, NetFeatures features, boolean summaryOnly,
      RunOutput out, PrintWriter print, Map<String, String> options) throws IOException {
    return run(trace, ids, p, c, dma, ring, features, summaryOnly, out, "", print, options);
  }

  /** As above, into sub-folder {@code dir} ("" or ending in '/') of the output. */
  static List<String> run(Path trace, List<StrategyId> ids, CostProfile p, ReplayConfig c, DmaOptions dma, String ring, NetFeatures features, boolean summaryOnly,
      RunOutput out, String dir, PrintWriter print, Map<String, String> options) throws IOException {
    return run(trace, ids, p, c, dma, ring, features, summaryOnly, out, dir, print, options, new ArrayList<>());
  }

  /** As above, adding each strategy's summary row to {@code into}. */
  static List<String> run(Path trace, List<StrategyId> ids, CostProfile p, ReplayConfig c, DmaOptions dma, String ring, NetFeatures features, boolean summaryOnly,
      RunOutput out, String dir, PrintWriter print, Map<String, String> options, List<Row> into) throws IOException {
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("vqsim.kind", "net-replay");
    meta.put("vqsim.version", Version.VERSION);
    meta.put("vqsim.command", "replay");
    StringBuilder o = new StringBuilder();
    options.forEach((k, v) -> o.append(o.length() == 0 ? "" : " ").append("--").append(k).append('=').append(v));
    meta.put("vqsim.options", o.toString());
    meta.put("vqsim.profile", p.name());
    meta.put("vqsim.profile.platform", p.platform());
    meta.put("vqsim.trace", trace.getFileName() == null ? trace.toString() : trace.getFileName().toString());
    List<Row> rows = new ArrayList<>();
    List<long[]> hists = new ArrayList<>(); // per strategy: packets per power-of-two latency bucket
    long wall0 = System.nanoTime();
    TableWriter w = summaryOnly ? null : new TableWriter(out.file(dir + REQUESTS), requestsSchema(meta));
    try {
      for (StrategyId id : ids) {
        byte[] sid = id.id.getBytes(StandardCharsets.UTF_8);
        long[] hist = new long[64];
        double[] sum = new double[3]; // latency, guest cycles, host cycles
        long[] ev = new long[KINDS.length];
        PacketSink sink = new PacketSink() {
          @Override
          public void packet(long index, int direction, int frameLen, int buffers, int queue, long startNs, long doneNs, CycleLedger ledger, int[] slots, int n) {
            long g = 0, h = 0;
            for (int i = 0; i < n; i++) {
              g += ledger.slotGuestCycles(slots[i]);
              h += ledger.slotHostCycles(slots[i]);
            }
            long lat = Math.max(0, doneNs - startNs);
            sum[0] += lat;
            sum[1] += g;
            sum[2] += h;
            hist[lat <= 0 ? 0 : 64 - Long.numberOfLeadingZeros(lat)]++;
            if (w == null) return; // --summary-only: the row's event counts are not needed
            for (int k = 0; k < KINDS.length; k++) ev[k] = 0;
            for (int i = 0; i < n; i++) {
              for (int k = 0; k < KINDS.length; k++) ev[k] += ledger.slotEvents(slots[i], KINDS[k]);
            }
            try {
              w.setBytes(0, sid);
              w.setLong(1, index);
              w.setBytes(2, direction == NetPacket.TX ? TX : RX);
              w.setInt(3, queue);
              w.setInt(4, frameLen);
              w.setInt(5, buffers);
              w.setLong(6, startNs);
              w.setLong(7, doneNs);
              w.setLong(8, lat);
              w.setLong(9, g);
              w.setLong(10, h);
              for (int k = 0; k < KINDS.length; k++) w.setLong(11 + k, ev[k]);
              w.endRow();
            } catch (IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          }
        };
        NetResult r;
        try (PacketSource src = open(trace, options.get("guest-mac"), options.get("guest-ip"))) {
          r = new NetReplay(id, p, c, dma, Ring.of(ring), features).run(src, sink);
        }
        hists.add(hist);
        long done = r.txPackets() + r.rxPackets();
        long p99 = 0, acc = 0;
        for (int b = 0; b < hist.length; b++) {
          acc += hist[b];
          if (acc >= Math.ceil(done * 0.99)) {
            p99 = b == 0 ? 0 : 1L << b; // the bucket's upper bound (powers of two)
            break;
          }
        }
        rows.add(new Row(id.id, r, done == 0 ? 0 : sum[0] / done, p99, done == 0 ? 0 : sum[1] / done, done == 0 ? 0 : sum[2] / done));
      }
    } finally {
      if (w != null) w.close();
    }
    into.addAll(rows);
    writeSummary(out.file(dir + SUMMARY), rows, meta);
    Map<String, String> lmeta = new LinkedHashMap<>(meta);
    lmeta.put("vqsim.kind", "net-latency");
    lmeta.put("vqsim.latency.buckets", "powers of two: bucket b holds 2^(b-1) <= latency_ns < 2^b, bucket 0 latency 0");
    writeLatency(out.file(dir + LATENCY), rows, hists, lmeta);
    Map<String, String> kmeta = new LinkedHashMap<>(meta);
    kmeta.put("vqsim.kind", org.vqsim.analysis.arrow.ResultSchemas.KIND_LOCKS);
    org.vqsim.analysis.arrow.ResultFiles.writeLocks(out.file(dir + LOCKS), rows.stream().map(Row::strategy).toList(),
        rows.stream().map(x -> x.r().run().locks()).toList(), kmeta);
    double wall = (System.nanoTime() - wall0) / 1e9;
    print(print, trace, rows, p, c, features, wall);
    List<String> files = new ArrayList<>();
    if (!summaryOnly) files.add(dir + REQUESTS);
    files.add(dir + SUMMARY);
    files.add(dir + LATENCY);
    files.add(dir + LOCKS);
    return files;
  }

  /**
   * The per-packet latency histogram in latency.arrow's columns (as a block replay's): one row per
   * non-empty power-of-two bucket and strategy, with the cumulative count and fraction (the CDF).
   */
  static void writeLatency(Path file, List<Row> rows, List<long[]> hists, Map<String, String> meta) throws IOException {
    try (TableWriter w = new TableWriter(file, org.vqsim.analysis.arrow.ResultSchemas.latency(meta))) {
      for (int i = 0; i < rows.size(); i++) {
        long[] h = hists.get(i);
        long total = 0, cum = 0;
        for (long c : h) total += c;
        for (int b = 0; b < h.length; b++) {
          if (h[b] == 0) continue;
          cum += h[b];
          w.setString(0, rows.get(i).strategy());
          w.setLong(1, b == 0 ? 0 : 1L << (b - 1));
          w.setLong(2, b == 0 ? 0 : b == 63 ? Long.MAX_VALUE : (1L << b) - 1);
          w.setLong(3, h[b]);
          w.setLong(4, cum);
          w.setDouble(5, (double) cum / total);
          w.endRow();
        }
      }
    }
  }

  static void writeSummary(Path file, List<Row> rows, Map<String, String> meta) throws IOException {
    try (TableWriter w = new TableWriter(file, summarySchema(meta))) {
      for (Row x : rows) {
        NetResult r = x.r();
        int c = 0;
        w.setString(c++, x.strategy());
        w.setLong(c++, r.packets());
        w.setLong(c++, r.txPackets());
        w.setLong(c++, r.rxPackets());
        w.setDouble(c++, r.pps());
        w.setDouble(c++, r.gbitPerS());
        w.setLong(c++, r.run().simTimeNs());
        w.setDouble(c++, x.latencyMeanNs());
        w.setLong(c++, x.latencyP99Ns());
        w.setDouble(c++, x.guestCyclesPerPacket());
        w.setDouble(c++, x.hostCyclesPerPacket());
        for (EventKind k : KINDS) w.setDouble(c++, r.perPacket(k));
        w.setDouble(c++, r.perPacket(r.txKicks() + r.rxKicks()));
        w.setDouble(c++, r.perPacket(r.txInterrupts() + r.rxInterrupts()));
        w.setDouble(c++, r.rxPackets() == 0 ? 0 : (double) r.rxBuffers() / r.rxPackets());
        w.setLong(c++, r.refillFailures());
        w.setLong(c++, r.txDrops() + r.rxDrops());
        w.setLong(c++, r.napiPolls());
        w.setDouble(c++, r.run().vcpuUtilMax());
        w.setDouble(c++, r.run().vmmUtilMax());
        w.setString(c++, r.features());
        w.setString(c++, r.rxBufferKind());
        w.endRow();
      }
    }
  }

  private static void print(PrintWriter out, Path trace, List<Row> rows, CostProfile p, ReplayConfig c, NetFeatures f, double wall) {
    long packets = rows.isEmpty() ? 0 : rows.get(0).r().packets();
    out.printf(Locale.ROOT, "%s: network trace, %d packets per strategy, profile %s, %s backend, %d queue pair%s, queue size %d, %s receive buffers%n",
        trace.getFileName(), packets, p.name(), c.backend().id, c.queueCount(), c.queueCount() == 1 ? "" : "s", c.queueSize(), f.rxBuffers());
    List<String[]> t = new ArrayList<>();
    for (Row x : rows) {
      NetResult r = x.r();
      t.add(new String[] {x.strategy(), String.format(Locale.ROOT, "%.0f", r.pps()), String.format(Locale.ROOT, "%.2f", r.gbitPerS()),
          String.format(Locale.ROOT, "%.1f", x.latencyMeanNs() / 1000.0), String.format(Locale.ROOT, "%.0f", x.guestCyclesPerPacket()),
          String.format(Locale.ROOT, "%.0f", x.hostCyclesPerPacket()), String.format(Locale.ROOT, "%.2f", r.perPacket(EventKind.MAPS)),
          String.format(Locale.ROOT, "%.2f", r.perPacket(EventKind.BOUNCES)), String.format(Locale.ROOT, "%.2f", r.perPacket(EventKind.INVALIDATIONS)),
          String.format(Locale.ROOT, "%.2f", r.perPacket(r.txKicks() + r.rxKicks())), String.format(Locale.ROOT, "%.2f", r.perPacket(r.txInterrupts() + r.rxInterrupts())),
          Long.toString(r.refillFailures())});
    }
    ArrowTables.printAligned(out, List.of("strategy", "pps", "Gb/s", "lat_us", "guest_cyc/pkt", "host_cyc/pkt", "maps/pkt", "bounces/pkt", "inval/pkt",
        "kicks/pkt", "irqs/pkt", "refill_fail"), t);
    long total = packets * rows.size();
    out.printf(Locale.ROOT, "Replayed %d packets in %.2f s (%.0f packets/s)%n", total, wall, wall > 0 ? total / wall : 0);
    out.flush();
  }
}
