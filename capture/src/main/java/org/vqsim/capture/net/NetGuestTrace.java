package org.vqsim.capture.net;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import org.vqsim.capture.TraceException;
import org.vqsim.capture.Traces;
import org.vqsim.engine.device.net.NetPacket;
import org.vqsim.engine.device.net.PacketSource;

/**
 * A guest ftrace of a virtio-net run (Linux 6.1, {@code /sys/kernel/tracing/trace} text): its packets
 * and what the guest's DMA path did for them.
 *
 * <pre>
 *  netwl-179 [000] b..1.  8.063925: virtqueue_add_outbuf &lt;-start_xmit                    (function tracer)
 *  netwl-179 [000] b..1.  8.063931: map: IOMMU: iova=0x..ba000 - 0x..bb000 paddr=0x2927000 size=4096
 *  netwl-179 [000] b..1.  8.064063: net_dev_xmit: dev=eth0 skbaddr=ffff88f8be7d1ae8 len=130 rc=0
 *  &lt;idle&gt;-0  [000] ..s1.  8.063791: napi_gro_receive_entry: dev=eth0 ... len=116 data_len=0 ...
 *  &lt;idle&gt;-0  [000] d.h1.  8.063762: irq_handler_entry: irq=26 name=virtio0-input.0
 *  ip-126    [000] .....  3.620040: swiotlb_bounced: dev_name: 0000:00:02.0 ... size=1536 FORCE
 * </pre>
 *
 * <b>Packets.</b> A transmitted packet is a {@code net_dev_xmit} with {@code rc=0}; its {@code len} is
 * the frame (a TSO super-packet counts once). A received packet is a {@code napi_gro_receive_entry}
 * (one per packet the driver builds, before GRO merges anything); its {@code len} excludes the 14-byte
 * Ethernet header that {@code eth_type_trans} pulled. A trace without {@code napi_gro_receive_entry}
 * events counts {@code netif_receive_skb} instead. The packets are taken as IPv4 TCP (the events do
 * not name the protocol): frames of more than 66 bytes carry payload.
 *
 * <p><b>When a transmitted packet arrived</b> is the latest {@code net_dev_queue} before its
 * {@code net_dev_xmit} (when the trace has one): the packet entered the qdisc then. Without host TSO,
 * a GSO super-packet is queued once and its segments go to the driver in one
 * {@code dev_hard_start_xmit} loop, {@code xmit_more} on all but the last (so Linux 6.1's
 * {@code start_xmit} kicks once per super-packet); giving them one time lets the replay batch them
 * the same way, where their own {@code net_dev_xmit} times would replay them one by one.
 *
 * <p><b>When a received packet arrived.</b> The trace shows when the guest took a packet, not when
 * the device got it; what it does show is that the packet was there no later than the receive
 * interrupt that started the NAPI round it was taken in. A received packet's time is therefore the
 * last {@code virtio*-input.*} interrupt before it (its own time when there was none), so that the
 * packets the guest found together arrive together in a replay.
 *
 * <p><b>DMA events.</b> {@code iommu:map}/{@code unmap} events are maps and unmaps; each
 * {@code swiotlb_bounced} is a bounced mapping with its size; {@code swiotlb_tbl_unmap_single} calls
 * (function tracer) are bounce-slot releases. Kicks are {@code virtqueue_notify} calls,
 * interrupts {@code irq_handler_entry} of a {@code virtio*-input.*}/{@code -output.*} vector.
 *
 * <p><b>The workload window.</b> When the trace holds {@code tracing_mark_write: WL-BEGIN} (the lab's
 * and the capture script's marker), only what lies between it and {@code WL-END} counts: before it
 * come the driver's probe and the initial fill of the receive rings. Without the marker the whole
 * trace counts.
 */
public final class NetGuestTrace {
  /** Counters of the window. */
  public long txPackets, rxPackets, txBytes, rxBytes, maps, unmaps, bounces, bounceBytes, bounceReleases, kicks, interrupts, napiPolls, lines;
  /** {@code netif_receive_skb} events in the window: the skbs GRO handed to the stack. */
  public long rxSkbs;
  /** Whether the trace had the WL-BEGIN marker. */
  public boolean windowed;
  private long[] ts = new long[1024];
  private int[] len = new int[1024];
  private byte[] dir = new byte[1024];
  private int n;
  private final String name;

  private static final int PHASES = 3;
  private final long[][] c = new long[PHASES][13];
  private static final int TXP = 0, RXP = 1, TXB = 2, RXB = 3, MAP = 4, UNMAP = 5, BOUNCE = 6, BOUNCE_B = 7, RELEASE = 8, KICK = 9, IRQ = 10, NAPI = 11, NIF = 12;
  private byte[] phase = new byte[1024];
  private int current;
  private boolean sawGro;
  private long rxIrqNs = -1;
  // back-to-back intervals for timing (docs/CALIBRATION.md, network figures): trace-order pairs of (ns, bytes, phase)
  private final Gaps txGaps = new Gaps(), rxGaps = new Gaps(), groGaps = new Gaps();
  private long lastXmitNs = -1, lastGroNs = -1, queuedNs = -1;
  /** The last napi_gro_receive_entry's time when it was an MTU frame with payload and no skb went up since, else -1. */
  private long lastMtuGroNs = -1;
  /**
   * Software GSO: the TCP payload of the last queued super-packet not yet seen in its segments'
   * net_dev_xmit, and how many of them were seen (a segment after the first is marked GSO_TAIL).
   */
  private long gsoPayloadLeft;
  private int gsoSegmentsSeen;
  /** A transmitted packet's flag in {@code dir}: a segment after the first of one software-GSO skb. */
  private static final byte GSO_TAIL = 0x20;
  /** The largest Ethernet frame at MTU 1500 without FCS. */
  private static final int MAX_WIRE_FRAME = 1514;

  private NetGuestTrace(String name) {
    this.name = name;
  }

  /** Reads a guest ftrace of a network run (gzip or plain). */
  public static NetGuestTrace read(Path file) throws IOException {
    NetGuestTrace t = new NetGuestTrace(file.toString());
    try (BufferedReader r = Traces.textReader(file)) {
      t.read(r);
    }
    return t;
  }

  /** Reads from {@code r}; {@code name} names the input in errors. */
  public static NetGuestTrace read(BufferedReader r, String name) throws IOException {
    NetGuestTrace t = new NetGuestTrace(name);
    t.read(r);
    return t;
  }

  /**
   * Whether {@code file} is a guest ftrace of a network run: it has virtio-net packet events and no
   * block request events (read until one of them shows).
   */
  public static boolean isNetwork(Path file) throws IOException {
    try (BufferedReader r = Traces.textReader(file)) {
      String l;
      int seen = 0;
      while ((l = r.readLine()) != null) {
        if (seen++ == 0 && !l.startsWith("#") && l.indexOf(": ") < 0) return false;
        if (l.contains(" block_rq_issue: ") || l.contains(" block_rq_complete: ")) return false;
        if (l.contains(" net_dev_xmit: ") || l.contains(" napi_gro_receive_entry: ") || l.contains(" netif_receive_skb: ")) return true;
      }
    } catch (TraceException e) {
      return false;
    }
    return false;
  }

  private void read(BufferedReader r) throws IOException {
    String l;
    long line = 0;
    while ((l = r.readLine()) != null) {
      line++;
      if (l.isEmpty() || l.charAt(0) == '#' || l.isBlank()) continue;
      parse(l, line);
    }
    lines = line;
    int w = windowed ? 1 : 0;
    long[] k = c[w];
    txPackets = k[TXP];
    rxPackets = sawGro ? k[RXP] : k[NIF];
    txBytes = k[TXB];
    rxBytes = k[RXB];
    maps = k[MAP];
    unmaps = k[UNMAP];
    bounces = k[BOUNCE];
    bounceBytes = k[BOUNCE_B];
    bounceReleases = k[RELEASE];
    kicks = k[KICK];
    interrupts = k[IRQ];
    napiPolls = k[NAPI];
    rxSkbs = k[NIF];
    // keep the window's packets only, in trace order
    int m = 0;
    for (int i = 0; i < n; i++) {
      if (phase[i] != w) continue;
      if ((dir[i] & 0x10) != 0) {
        if (sawGro) continue;
        dir[i] = NetPacket.RX;
      }
      ts[m] = ts[i];
      len[m] = len[i];
      dir[m] = dir[i];
      m++;
    }
    n = m;
    txGaps.keep(w);
    rxGaps.keep(w);
    groGaps.keep(w);
    if (n == 0) throw new TraceException(name + ": no virtio-net packets (net_dev_xmit, napi_gro_receive_entry or netif_receive_skb events)"
        + (windowed ? " between the WL-BEGIN and WL-END markers" : ""));
  }

  /** One direction's intervals: (ns, bytes, phase) in trace order. */
  private static final class Gaps {
    private long[] ns = new long[256];
    private int[] len = new int[256];
    private byte[] phase = new byte[256];
    private int count;

    void add(long gapNs, int length, int ph) {
      if (count == ns.length) {
        ns = Arrays.copyOf(ns, 2 * count);
        len = Arrays.copyOf(len, 2 * count);
        phase = Arrays.copyOf(phase, 2 * count);
      }
      ns[count] = gapNs;
      len[count] = length;
      phase[count++] = (byte) ph;
    }

    /** Keeps the intervals of phase {@code w} (the workload window). */
    void keep(int w) {
      int m = 0;
      for (int i = 0; i < count; i++) {
        if (phase[i] != w) continue;
        ns[m] = ns[i];
        len[m] = len[i];
        m++;
      }
      count = m;
    }

    long[][] pairs() {
      long[][] r = new long[count][];
      for (int i = 0; i < count; i++) r[i] = new long[] {ns[i], len[i]};
      return r;
    }
  }

  /**
   * The window's back-to-back transmit intervals: from one packet's {@code net_dev_xmit} to the next
   * one's {@code net_dev_queue}, when no interrupt, NAPI poll or received packet came between — the
   * guest's stack above the driver for the next packet ({@code bytes} its frame length). Pairs
   * {@code [ns, bytes]}.
   */
  public long[][] txStackIntervals() { return txGaps.pairs(); }

  /**
   * The window's back-to-back receive intervals: between two {@code napi_gro_receive_entry} of one NAPI
   * poll with nothing else of the trace's network events between — the driver's per-packet receive
   * work plus the stack's ({@code bytes}: the second packet's frame length). Pairs {@code [ns, bytes]}.
   */
  public long[][] rxStackIntervals() { return rxGaps.pairs(); }

  /**
   * The window's GRO intervals: between two {@code napi_gro_receive_entry} of one NAPI poll, both of
   * frames of at most 1514 bytes with TCP payload, with no {@code netif_receive_skb} (an skb handed to
   * the stack) nor other network events between — the driver's and GRO's work for a frame that GRO
   * merged into the skb it holds (or, now and then, started a new one with). Only runs without
   * GUEST_TSO have them. Pairs {@code [ns, bytes]} ({@code bytes}: the second frame's length).
   */
  public long[][] groIntervals() { return groGaps.pairs(); }

  private TraceException bad(long line, String what) {
    return TraceException.at(name, line, what);
  }

  private void parse(String l, long line) {
    // TASK-PID [CPU] FLAGS TIMESTAMP: EVENT...
    int rb = l.indexOf("] ");
    int lb = rb < 0 ? -1 : l.lastIndexOf('[', rb);
    if (lb < 0) throw bad(line, "not an ftrace line (no [CPU] field): '" + clip(l) + "'");
    int colon = l.indexOf(": ", rb);
    if (colon < 0) throw bad(line, "not an ftrace line (no 'TIMESTAMP: ' after the CPU): '" + clip(l) + "'");
    int tsStart = l.lastIndexOf(' ', colon - 1) + 1;
    long tsNs = parseTime(l, tsStart, colon, line);
    int ev = colon + 2;
    long[] k = c[current];
    if (l.startsWith("net_dev_xmit: ", ev)) {
      if (!l.contains(" rc=0")) return; // a failed transmit (NETDEV_TX_BUSY) is retried later
      int length = intField(l, " len=", ev, line);
      k[TXP]++;
      k[TXB] += length;
      // the packet entered the qdisc at the latest net_dev_queue before it: the segments of one GSO skb
      // (software segmentation without HOST_TSO) go to the driver together, xmit_more on all but the last;
      // those after the first did not pass through the stack above the qdisc (NetPacket.gsoTail)
      boolean tail = false;
      if (gsoPayloadLeft > 0) {
        tail = gsoSegmentsSeen++ > 0;
        gsoPayloadLeft -= Math.max(0, length - NetPacket.TCP_HEADERS);
      }
      add(queuedNs >= 0 ? queuedNs : tsNs, tail ? (byte) (NetPacket.TX | GSO_TAIL) : NetPacket.TX, length, line);
      lastXmitNs = tsNs;
      lastGroNs = -1;
    } else if (l.startsWith("net_dev_queue: ", ev)) {
      queuedNs = tsNs;
      int queued = intField(l, " len=", ev, line);
      // a super-packet above the wire's largest frame: the driver gets it in segments (unless the device segments it)
      gsoPayloadLeft = queued > MAX_WIRE_FRAME ? queued - NetPacket.TCP_HEADERS : 0;
      gsoSegmentsSeen = 0;
      if (lastXmitNs >= 0 && tsNs >= lastXmitNs) txGaps.add(tsNs - lastXmitNs, queued, current);
      lastXmitNs = -1;
      lastGroNs = -1;
    } else if (l.startsWith("napi_gro_receive_entry: ", ev)) {
      int length = intField(l, " len=", ev, line);
      if (lastGroNs >= 0 && tsNs >= lastGroNs) rxGaps.add(tsNs - lastGroNs, length + 14, current);
      boolean mtuData = length + 14 > NetPacket.TCP_HEADERS && length + 14 <= MAX_WIRE_FRAME;
      if (mtuData && lastMtuGroNs >= 0 && lastGroNs == lastMtuGroNs && tsNs >= lastMtuGroNs) groGaps.add(tsNs - lastMtuGroNs, length + 14, current);
      lastMtuGroNs = mtuData ? tsNs : -1;
      lastGroNs = tsNs;
      lastXmitNs = -1;
      sawGro = true;
      k[RXP]++;
      k[RXB] += length + 14;
      add(rxIrqNs >= 0 ? rxIrqNs : tsNs, NetPacket.RX, length + 14, line);
    } else if (l.startsWith("netif_receive_skb: ", ev)) {
      k[NIF]++;
      lastMtuGroNs = -1;
      if (!sawGro) {
        int length = intField(l, " len=", ev, line);
        add(rxIrqNs >= 0 ? rxIrqNs : tsNs, (byte) (NetPacket.RX | 0x10), length + 14, line); // kept only if the trace has no napi_gro_receive_entry
      }
    } else if (l.startsWith("map: IOMMU:", ev)) {
      k[MAP]++;
    } else if (l.startsWith("unmap: IOMMU:", ev)) {
      k[UNMAP]++;
    } else if (l.startsWith("swiotlb_bounced: ", ev)) {
      k[BOUNCE]++;
      k[BOUNCE_B] += intField(l, " size=", ev, line);
    } else if (l.startsWith("swiotlb_tbl_unmap_single ", ev)) {
      k[RELEASE]++;
    } else if (l.startsWith("virtqueue_notify ", ev)) {
      if (!l.contains("<-viommu")) k[KICK]++;
    } else if (l.startsWith("irq_handler_entry: ", ev)) {
      lastXmitNs = -1;
      lastGroNs = -1;
      int nm = l.indexOf(" name=", ev);
      if (nm > 0 && l.startsWith("virtio", nm + 6) && (l.indexOf("-input.", nm) > 0 || l.indexOf("-output.", nm) > 0)) {
        k[IRQ]++;
        if (l.indexOf("-input.", nm) > 0) rxIrqNs = tsNs;
      }
    } else if (l.startsWith("napi_poll: ", ev)) {
      k[NAPI]++;
      lastXmitNs = -1;
      lastGroNs = -1;
    } else if (l.startsWith("tracing_mark_write: WL-BEGIN", ev)) {
      if (current == 0) {
        current = 1;
        windowed = true;
      }
    } else if (l.startsWith("tracing_mark_write: WL-END", ev)) {
      if (current == 1) current = 2;
    }
  }

  private void add(long tsNs, byte d, int length, long line) {
    if (length <= 0 || length > NetPacket.MAX_FRAME) throw bad(line, "packet length " + length + " is outside 1.." + NetPacket.MAX_FRAME);
    if (n == ts.length) {
      int m = n * 2;
      ts = Arrays.copyOf(ts, m);
      len = Arrays.copyOf(len, m);
      dir = Arrays.copyOf(dir, m);
      phase = Arrays.copyOf(phase, m);
    }
    ts[n] = tsNs;
    len[n] = length;
    dir[n] = d;
    phase[n] = (byte) current;
    n++;
  }

  private long parseTime(String l, int from, int to, long line) {
    int dot = l.indexOf('.', from);
    if (dot < 0 || dot >= to || dot == from) throw bad(line, "bad timestamp '" + l.substring(from, to) + "' (SECONDS.MICROS)");
    long s = 0, frac = 0;
    for (int i = from; i < dot; i++) {
      char ch = l.charAt(i);
      if (ch < '0' || ch > '9' || s > 1_000_000_000_000L) throw bad(line, "bad timestamp '" + l.substring(from, to) + "' (SECONDS.MICROS)");
      s = s * 10 + (ch - '0');
    }
    int digits = 0;
    for (int i = dot + 1; i < to; i++) {
      char ch = l.charAt(i);
      if (ch < '0' || ch > '9') throw bad(line, "bad timestamp '" + l.substring(from, to) + "' (SECONDS.MICROS)");
      if (digits < 9) {
        frac = frac * 10 + (ch - '0');
        digits++;
      }
    }
    if (digits == 0) throw bad(line, "bad timestamp '" + l.substring(from, to) + "' (SECONDS.MICROS)");
    while (digits++ < 9) frac *= 10;
    return s * 1_000_000_000L + frac;
  }

  private int intField(String l, String key, int from, long line) {
    int i = l.indexOf(key, from);
    if (i < 0) throw bad(line, "no" + key + " field in '" + clip(l.substring(from)) + "'");
    i += key.length();
    long v = 0;
    int start = i;
    while (i < l.length() && Character.isDigit(l.charAt(i))) {
      v = v * 10 + (l.charAt(i) - '0');
      if (v > Integer.MAX_VALUE) throw bad(line, key.trim() + " value is too large");
      i++;
    }
    if (i == start) throw bad(line, "bad" + key + " value in '" + clip(l.substring(from)) + "' (a decimal number)");
    return (int) v;
  }

  private static String clip(String s) {
    return s.length() > 80 ? s.substring(0, 80) + "..." : s;
  }

  /** Packets in the window. */
  public int packets() { return n; }

  /** Packets in the window per direction. */
  public long packetsPerDirection(byte d) {
    long k = 0;
    for (int i = 0; i < n; i++) if ((dir[i] & 1) == d) k++;
    return k;
  }

  /** The window's packets, time from the first one, as a packet source (IPv4 TCP, see the class comment). */
  public PacketSource packets(int cpu) {
    long t0 = n == 0 ? 0 : ts[0];
    return new PacketSource() {
      int i;

      @Override
      public boolean timesAtDevice() { return true; }

      @Override
      public boolean next(NetPacket p) {
        if (i >= n) return false;
        p.set(Math.max(0, ts[i] - t0), (byte) (dir[i] & 1), NetPacket.TCP, len[i]);
        p.gsoTail = (dir[i] & GSO_TAIL) != 0;
        p.cpu = cpu;
        i++;
        return true;
      }
    };
  }
}
