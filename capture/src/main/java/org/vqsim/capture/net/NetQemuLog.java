package org.vqsim.capture.net;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.vqsim.capture.TraceException;
import org.vqsim.capture.Traces;

/**
 * QEMU's {@code log} trace of a virtio-net run (QEMU 7.2 has no per-packet virtio-net events, so the
 * device side comes from the generic virtqueue events):
 *
 * <pre>
 *  8628@1796220821.833439:virtqueue_pop vq 0x7f4d24cd3140 elem 0x5630576f7770 in_num 1 out_num 0
 *  8628@1796220821.833500:virtqueue_flush vq 0x7f4d24cd3140 count 16
 *  8628@1796220821.078607:virtio_queue_notify vdev 0x563056b67ef0 n 2 vq 0x7f4d24cd3140
 *  8628@1796220821.833718:virtio_notify vdev 0x563056b67ef0 vq 0x7f4d24cd3140
 *  8635@1796220821.072126:vtd_inv_desc_iotlb_pages iotlb invalidate domain 0x4 addr 0xffffe000 mask 0x1
 *  virtio_iommu_map / virtio_iommu_unmap                                   (virtio-iommu requests)
 * </pre>
 *
 * <b>Queue roles</b> come from the pops: a queue whose chains have only device-writable buffers
 * ({@code out_num 0}) is a receive queue, one with only readable buffers ({@code in_num 0}) a transmit
 * queue; the control queue and virtio-iommu's request queue have both. A received packet is one
 * {@code virtqueue_flush} on a receive queue ({@code count} = the buffers it used), a transmitted
 * packet one pop on a transmit queue. Kicks are {@code virtio_queue_notify} and interrupts
 * {@code virtio_notify} (or {@code virtio_notify_irqfd}) on those queues; invalidations are VT-d
 * IOTLB invalidation descriptors ({@code vtd_inv_desc_iotlb_*}) or virtio-iommu MAP and UNMAP
 * requests.
 *
 * <p><b>The workload window.</b> The log runs from boot. The window is the burst of events between
 * idle gaps of at least {@code gapSeconds} (no line at all) that holds the most packet pops — the
 * guest sleeps a second before and after its workload.
 */
public final class NetQemuLog {
  public static final double DEFAULT_GAP_S = 0.5;
  /** Window counters. */
  public long txPackets, rxPackets, rxBuffers, txKicks, rxKicks, txInterrupts, rxInterrupts, vtdInvalidations, viommuMaps, viommuUnmaps, lines;
  public double windowSeconds;
  /**
   * The window's device passes, one row per {@code virtqueue_flush} of a transmit or receive queue:
   * {@code [ns from the first pop after the previous flush to this flush, packets, chains popped,
   * descriptors popped (in_num + out_num), 1 for a transmit queue]} — QEMU's time per packet
   * (docs/CALIBRATION.md, network figures).
   */
  public final List<long[]> devicePasses = new ArrayList<>();
  /** The window's kick-to-pop intervals (ns): a {@code virtio_queue_notify} to the next pop of that transmit or receive queue. */
  public final List<Long> kickToPopNs = new ArrayList<>();
  /** The window's flush-to-interrupt intervals (ns): a flush to the {@code virtio_notify} that follows it on that queue. */
  public final List<Long> flushToIrqNs = new ArrayList<>();
  /** The window's request service times on other queues (virtio-iommu's request queue): pop to flush (ns). */
  public final List<Long> requestNs = new ArrayList<>();

  private static final byte POP = 1, FLUSH = 2, NOTIFY = 3, IRQ = 4, VTD_INV = 5, VIOMMU_MAP = 6, VIOMMU_UNMAP = 7;
  private long[] t = new long[4096];
  private byte[] type = new byte[4096];
  private int[] vq = new int[4096];
  private int[] a = new int[4096], b = new int[4096];
  private int n;
  private final Map<String, Integer> vqIds = new HashMap<>();
  private final String name;

  private NetQemuLog(String name) {
    this.name = name;
  }

  public static NetQemuLog read(Path file) throws IOException {
    return read(file, DEFAULT_GAP_S);
  }

  public static NetQemuLog read(Path file, double gapSeconds) throws IOException {
    try (BufferedReader r = Traces.textReader(file)) {
      return read(r, file.toString(), gapSeconds);
    }
  }

  public static NetQemuLog read(BufferedReader r, String name, double gapSeconds) throws IOException {
    NetQemuLog q = new NetQemuLog(name);
    q.parseAll(r);
    q.window(gapSeconds);
    return q;
  }

  public long invalidations() { return vtdInvalidations + viommuMaps + viommuUnmaps; }

  public long kicks() { return txKicks + rxKicks; }

  public long interrupts() { return txInterrupts + rxInterrupts; }

  public long packets() { return txPackets + rxPackets; }

  private void parseAll(BufferedReader r) throws IOException {
    String l;
    long line = 0;
    while ((l = r.readLine()) != null) {
      line++;
      if (l.isBlank()) continue;
      int at = l.indexOf('@');
      int colon = at < 0 ? -1 : l.indexOf(':', at);
      if (at <= 0 || colon < 0) throw TraceException.at(name, line, "not a QEMU log-backend trace line (PID@SECONDS.MICROS:event ...): '" + clip(l) + "'");
      for (int i = 0; i < at; i++) if (!Character.isDigit(l.charAt(i))) throw TraceException.at(name, line, "bad PID '" + l.substring(0, at) + "'");
      long ns = time(l, at + 1, colon, line);
      int sp = l.indexOf(' ', colon);
      String ev = sp < 0 ? l.substring(colon + 1) : l.substring(colon + 1, sp);
      switch (ev) {
        case "virtqueue_pop" -> add(ns, POP, id(l, " vq ", line), intField(l, " in_num ", line), intField(l, " out_num ", line));
        case "virtqueue_flush" -> add(ns, FLUSH, id(l, " vq ", line), intField(l, " count ", line), 0);
        case "virtio_queue_notify" -> add(ns, NOTIFY, id(l, " vq ", line), 0, 0);
        case "virtio_notify", "virtio_notify_irqfd" -> add(ns, IRQ, id(l, " vq ", line), 0, 0);
        case "vtd_inv_desc_iotlb_pages", "vtd_inv_desc_iotlb_domain", "vtd_inv_desc_iotlb_global" -> add(ns, VTD_INV, -1, 0, 0);
        case "virtio_iommu_map" -> add(ns, VIOMMU_MAP, -1, 0, 0);
        case "virtio_iommu_unmap" -> add(ns, VIOMMU_UNMAP, -1, 0, 0);
        default -> add(ns, (byte) 0, -1, 0, 0); // other events count for the idle gaps only
      }
    }
    lines = line;
    if (n == 0) throw new TraceException(name + ": empty QEMU log");
  }

  private void window(double gapSeconds) {
    // queue roles over the whole log
    int queues = vqIds.size();
    boolean[] rxOnly = new boolean[queues], txOnly = new boolean[queues], mixed = new boolean[queues];
    for (int i = 0; i < n; i++) {
      if (type[i] != POP) continue;
      int q = vq[i];
      if (b[i] == 0 && a[i] > 0) rxOnly[q] = true;
      else if (a[i] == 0 && b[i] > 0) txOnly[q] = true;
      else mixed[q] = true;
    }
    boolean[] rx = new boolean[queues], tx = new boolean[queues];
    for (int q = 0; q < queues; q++) {
      rx[q] = rxOnly[q] && !txOnly[q] && !mixed[q];
      tx[q] = txOnly[q] && !rxOnly[q] && !mixed[q];
    }
    // events are in file order; QEMU's threads may interleave slightly out of time order
    Integer[] idx = new Integer[n];
    for (int i = 0; i < n; i++) idx[i] = i;
    Arrays.sort(idx, (x, y) -> Long.compare(t[x], t[y]));
    long gap = Math.round(gapSeconds * 1e9);
    int bestFrom = 0, bestTo = n, bestPops = -1;
    int from = 0, pops = 0;
    for (int k = 0; k <= n; k++) {
      boolean split = k == n || (k > 0 && gap > 0 && t[idx[k]] - t[idx[k - 1]] >= gap);
      if (split) {
        if (pops > bestPops) {
          bestPops = pops;
          bestFrom = from;
          bestTo = k;
        }
        from = k;
        pops = 0;
      }
      if (k < n) {
        int i = idx[k];
        if (type[i] == POP && (rx[vq[i]] || tx[vq[i]])) pops++;
      }
    }
    if (bestPops <= 0) throw new TraceException(name + ": no virtio-net packets (virtqueue_pop on a receive or transmit queue)");
    windowSeconds = (t[idx[bestTo - 1]] - t[idx[bestFrom]]) / 1e9;
    long[] firstPop = new long[queues], kickAt = new long[queues], flushAt = new long[queues];
    int[] popped = new int[queues], descs = new int[queues];
    Arrays.fill(firstPop, -1);
    Arrays.fill(kickAt, -1);
    Arrays.fill(flushAt, -1);
    for (int k = bestFrom; k < bestTo; k++) {
      int i = idx[k];
      int q = vq[i];
      switch (type[i]) {
        case POP -> {
          if (tx[q]) txPackets++;
          if (firstPop[q] < 0) firstPop[q] = t[i];
          popped[q]++;
          descs[q] += a[i] + b[i];
          if (kickAt[q] >= 0 && (rx[q] || tx[q])) kickToPopNs.add(t[i] - kickAt[q]);
          kickAt[q] = -1;
        }
        case FLUSH -> {
          if (rx[q] && a[i] > 0) {
            rxPackets++;
            rxBuffers += a[i];
          }
          if (firstPop[q] >= 0 && a[i] > 0) {
            if (rx[q] || tx[q]) devicePasses.add(new long[] {t[i] - firstPop[q], tx[q] ? popped[q] : 1, popped[q], descs[q], tx[q] ? 1 : 0});
            else requestNs.add(t[i] - firstPop[q]);
          }
          firstPop[q] = -1;
          popped[q] = 0;
          descs[q] = 0;
          flushAt[q] = t[i];
        }
        case NOTIFY -> {
          if (rx[q]) rxKicks++;
          else if (tx[q]) txKicks++;
          kickAt[q] = t[i];
        }
        case IRQ -> {
          if (rx[q]) rxInterrupts++;
          else if (tx[q]) txInterrupts++;
          if (flushAt[q] >= 0 && (rx[q] || tx[q])) flushToIrqNs.add(t[i] - flushAt[q]);
          flushAt[q] = -1;
        }
        case VTD_INV -> vtdInvalidations++;
        case VIOMMU_MAP -> viommuMaps++;
        case VIOMMU_UNMAP -> viommuUnmaps++;
        default -> {}
      }
    }
  }

  private void add(long ns, byte ty, int q, int x, int y) {
    if (n == t.length) {
      int m = n * 2;
      t = Arrays.copyOf(t, m);
      type = Arrays.copyOf(type, m);
      vq = Arrays.copyOf(vq, m);
      a = Arrays.copyOf(a, m);
      b = Arrays.copyOf(b, m);
    }
    t[n] = ns;
    type[n] = ty;
    vq[n] = q;
    a[n] = x;
    b[n] = y;
    n++;
  }

  private int id(String l, String key, long line) {
    int i = l.indexOf(key);
    if (i < 0) throw TraceException.at(name, line, "no" + key + "field");
    i += key.length();
    int e = l.indexOf(' ', i);
    String v = e < 0 ? l.substring(i) : l.substring(i, e);
    if (!v.startsWith("0x") && !v.startsWith("(nil)")) throw TraceException.at(name, line, "bad" + key + "pointer '" + v + "'");
    return vqIds.computeIfAbsent(v, k -> vqIds.size());
  }

  private int intField(String l, String key, long line) {
    int i = l.indexOf(key);
    if (i < 0) throw TraceException.at(name, line, "no" + key + "field");
    i += key.length();
    long v = 0;
    int s = i;
    while (i < l.length() && Character.isDigit(l.charAt(i))) {
      v = v * 10 + (l.charAt(i) - '0');
      if (v > Integer.MAX_VALUE) throw TraceException.at(name, line, key.trim() + " value is too large");
      i++;
    }
    if (i == s) throw TraceException.at(name, line, "bad" + key + "value (a decimal number)");
    return (int) v;
  }

  private long time(String l, int from, int to, long line) {
    int dot = l.indexOf('.', from);
    if (dot < 0 || dot >= to || dot == from || dot == to - 1) throw TraceException.at(name, line, "bad timestamp '" + l.substring(from, to) + "' (SECONDS.MICROS)");
    long s = 0, f = 0;
    int digits = 0;
    for (int i = from; i < to; i++) {
      char ch = l.charAt(i);
      if (i == dot) continue;
      if (ch < '0' || ch > '9') throw TraceException.at(name, line, "bad timestamp '" + l.substring(from, to) + "' (SECONDS.MICROS)");
      if (i < dot) {
        if (s > 1_000_000_000_000L) throw TraceException.at(name, line, "timestamp out of range");
        s = s * 10 + (ch - '0');
      } else if (digits < 9) {
        f = f * 10 + (ch - '0');
        digits++;
      }
    }
    while (digits++ < 9) f *= 10;
    return s * 1_000_000_000L + f;
  }

  private static String clip(String s) {
    return s.length() > 80 ? s.substring(0, 80) + "..." : s;
  }
}
