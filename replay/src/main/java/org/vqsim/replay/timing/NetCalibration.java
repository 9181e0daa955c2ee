package org.vqsim.replay.timing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.vqsim.capture.net.NetGuestTrace;
import org.vqsim.capture.net.NetQemuLog;
import org.vqsim.engine.cost.CostFigure;
import org.vqsim.engine.cost.CostProfile;

/**
 * The network figures of a profile measured from captured virtio-net runs' timestamps
 * (docs/CALIBRATION.md, "Network figures"). Kick and interrupt counts are not used: they stay the
 * independent check of {@code vqsim validate}.
 *
 * <ul>
 *   <li>{@code net_packet_cycles_qemu}: per QEMU device pass (first {@code virtqueue_pop} after the
 *       previous flush → {@code virtqueue_flush} of a transmit or receive queue), the time less the
 *       profile's modelled ring work for what it popped ({@code device_pop_cycles} per chain,
 *       {@code device_desc_cycles} per descriptor, {@code used_push_cycles} per chain), per packet;
 *       runs without translation on QEMU's side only ({@code direct}, {@code bounce},
 *       {@code virtio-iommu-bypass});
 *   <li>{@code net_tx_stack_cycles}: the guest's back-to-back transmit intervals
 *       ({@code net_dev_xmit} → the next {@code net_dev_queue} with no interrupt, poll or received
 *       packet between) less the profile's copy of the next packet's payload; runs without DMA work in
 *       the guest only ({@code direct}, {@code virtio-iommu-bypass});
 *   <li>{@code net_rx_stack_cycles}: the guest's back-to-back receive intervals (consecutive
 *       {@code napi_gro_receive_entry} of one poll) less {@code guest_used_cycles} and the profile's
 *       copy of the packet's payload; the same runs.
 *   <li>{@code net_rx_gro_cycles}: the guest's GRO intervals (consecutive {@code napi_gro_receive_entry}
 *       of one poll, both MTU frames with payload, no {@code netif_receive_skb} between: a frame GRO
 *       merged, {@link NetGuestTrace#groIntervals}) less {@code guest_used_cycles}, the profile's copy of
 *       the frame's payload and, under {@code bounce}, the profile's unmap of a small receive buffer
 *       ({@code bounce_copy_cycles_per_kib} for its 1530 bytes + {@code bounce_release_cycles}); runs
 *       without offloads under {@code direct}, {@code virtio-iommu-bypass} or {@code bounce} (the lab has
 *       {@code bounce} only). The software checksum of the frame is in it: the lab has no run with
 *       GUEST_CSUM on and GUEST_TSO off to tell it apart.
 * </ul>
 * Per run the median interval (the intervals are skewed by the TCG guest's occasional long stalls);
 * the figure is the mean of the runs' medians (runs with at least {@link #MIN_INTERVALS} intervals),
 * clamped at 0; ± is half the 95% percentile interval of that mean over 200 bootstrap resamples of
 * whole runs, relative to the value, as for the block figures.
 */
public final class NetCalibration {
  public static final int MIN_INTERVALS = 10;
  private static final long SEED = 20261203L;
  /** Ethernet + IPv4 + TCP with timestamps: what the stack does not copy from or to the application. */
  private static final int HEADERS = 66;
  /** add_recvbuf_small's mapping (Linux 6.1 virtio_net.c): vi->hdr_len 12 + GOOD_PACKET_LEN 1518, unmapped (bounced back whole) per frame. */
  private static final int SMALL_BUFFER = 12 + 1518;

  private NetCalibration() {}

  /** One captured network run: guest ftrace, QEMU log, the strategy it ran under. */
  public record Run(String name, String strategy, NetGuestTrace guest, NetQemuLog qemu) {}

  /** A measured figure. */
  public record Figure(CostFigure figure, double base, double value, double halfWidthPct, List<String> runs, long intervals, String source) {}

  /** The measured figures, the profile with them, notes for the reader. */
  public record Result(CostProfile profile, List<Figure> figures, List<String> notes) {}

  public static Run load(Path guest, Path qemu, String strategy) throws IOException {
    if (strategy == null || strategy.isEmpty()) throw new IllegalArgumentException("--net-run " + guest + ": give the strategy the run ran under (=STRATEGY)");
    String n = guest.getFileName().toString().replaceFirst("\\.guest-ftrace\\.txt(\\.gz)?$", "").replaceFirst("\\.(txt|gz)$", "");
    return new Run(n, strategy, NetGuestTrace.read(guest), NetQemuLog.read(qemu));
  }

  /** Measures the network figures on {@code profile} (its other figures as they are) and returns the profile with them. */
  public static Result measure(List<Run> runs, CostProfile profile, String name, String description) {
    if (runs.isEmpty()) throw new IllegalArgumentException("no network runs");
    double ghz = profile.get(CostFigure.CPU_GHZ);
    long pop = profile.cycles(CostFigure.DEVICE_POP_CYCLES), desc = profile.cycles(CostFigure.DEVICE_DESC_CYCLES), push = profile.cycles(CostFigure.USED_PUSH_CYCLES);
    long used = profile.cycles(CostFigure.GUEST_USED_CYCLES);
    double copyPerByte = profile.get(CostFigure.NET_COPY_CYCLES_PER_KIB) / 1024.0;
    List<String> notes = new ArrayList<>();
    List<String> qNames = new ArrayList<>(), gNames = new ArrayList<>();
    List<double[]> qemu = new ArrayList<>(), tx = new ArrayList<>(), rx = new ArrayList<>(), gro = new ArrayList<>();
    List<String> txNames = new ArrayList<>(), rxNames = new ArrayList<>(), groNames = new ArrayList<>();
    long bounceUnmap = Math.round(profile.get(CostFigure.BOUNCE_COPY_CYCLES_PER_KIB) * SMALL_BUFFER / 1024.0) + profile.cycles(CostFigure.BOUNCE_RELEASE_CYCLES);
    double[] rawQemu = new double[runs.size()], ringQemu = new double[runs.size()];
    int rq = 0;
    for (Run r : runs) {
      boolean hostClean = r.strategy.equals("direct") || r.strategy.equals("bounce") || r.strategy.equals("virtio-iommu-bypass");
      boolean guestClean = r.strategy.equals("direct") || r.strategy.equals("virtio-iommu-bypass");
      if (hostClean) {
        List<long[]> passes = r.qemu.devicePasses;
        double[] v = new double[passes.size()], raw = new double[passes.size()], ring = new double[passes.size()];
        for (int i = 0; i < v.length; i++) {
          long[] p = passes.get(i);
          raw[i] = p[0] * ghz / p[1];
          ring[i] = (double) (pop * p[2] + desc * p[3] + push * p[2]) / p[1];
          v[i] = (p[0] * ghz - pop * p[2] - desc * p[3] - push * p[2]) / p[1];
        }
        if (v.length >= MIN_INTERVALS) {
          qemu.add(v);
          qNames.add(r.name);
          ringQemu[rq] = median(ring);
          rawQemu[rq++] = median(raw);
        }
      }
      if (guestClean) {
        long[][] t = r.guest.txStackIntervals();
        double[] v = new double[t.length];
        for (int i = 0; i < v.length; i++) v[i] = t[i][0] * ghz - copyPerByte * Math.max(0, t[i][1] - HEADERS);
        if (v.length >= MIN_INTERVALS) {
          tx.add(v);
          txNames.add(r.name);
        }
        long[][] x = r.guest.rxStackIntervals();
        double[] w = new double[x.length];
        for (int i = 0; i < w.length; i++) w[i] = x[i][0] * ghz - used - copyPerByte * Math.max(0, x[i][1] - HEADERS);
        if (w.length >= MIN_INTERVALS) {
          rx.add(w);
          rxNames.add(r.name);
        }
      }
      if (guestClean || r.strategy.equals("bounce")) {
        long[][] x = r.guest.groIntervals();
        long dma = guestClean ? 0 : bounceUnmap;
        double[] w = new double[x.length];
        for (int i = 0; i < w.length; i++) w[i] = x[i][0] * ghz - used - dma - copyPerByte * Math.max(0, x[i][1] - HEADERS);
        if (w.length >= MIN_INTERVALS) {
          gro.add(w);
          groNames.add(r.name);
        }
      }
      if (!hostClean && !guestClean) gNames.add(r.name);
    }
    double[] values = new double[CostFigure.COUNT];
    String[] sources = new String[CostFigure.COUNT];
    List<Figure> figures = new ArrayList<>();
    figures.add(figure(CostFigure.NET_PACKET_CYCLES_QEMU, profile, qemu, qNames, values, sources,
        "QEMU's virtqueue_pop→virtqueue_flush per packet on the transmit and receive queues, less the profile's device_pop/device_desc/used_push for what was popped"));
    figures.add(figure(CostFigure.NET_TX_STACK_CYCLES, profile, tx, txNames, values, sources,
        "the guest's net_dev_xmit→next net_dev_queue back to back, less the profile's net_copy_cycles_per_kib for the packet's payload"));
    figures.add(figure(CostFigure.NET_RX_STACK_CYCLES, profile, rx, rxNames, values, sources,
        "the guest's consecutive napi_gro_receive_entry of one poll, less the profile's guest_used_cycles and net_copy_cycles_per_kib for the packet's payload"));
    if (!gro.isEmpty()) {
      figures.add(figure(CostFigure.NET_RX_GRO_CYCLES, profile, gro, groNames, values, sources,
          "the guest's consecutive napi_gro_receive_entry of one poll of MTU frames with payload and no netif_receive_skb between (GRO merging them), less the profile's guest_used_cycles, "
              + "net_copy_cycles_per_kib for the frame's payload and, under bounce, bounce_copy_cycles_per_kib for the 1530-byte small receive buffer + bounce_release_cycles; the software checksum is included"));
    }
    if (rq > 0) {
      double m = mean(Arrays.copyOf(rawQemu, rq));
      double ring = mean(Arrays.copyOf(ringQemu, rq));
      notes.add(String.format(Locale.ROOT, "QEMU's whole pop→flush per packet is %.0f cycles, the profile's ring work for the same chains %.0f (means of the runs' medians)%s",
          m, ring, ring > m ? ": the ring figures (where a block calibration fitted them as one combination, split by the base profile's ratios) already exceed it" : ""));
    }
    addNote(notes, "kick→pop", runs, r -> r.qemu.kickToPopNs, ghz, profile.cycles(CostFigure.KICK_HANDLER_CYCLES_QEMU), "kick_handler_cycles_qemu");
    addNote(notes, "flush→interrupt", runs, r -> r.qemu.flushToIrqNs, ghz, profile.cycles(CostFigure.IRQ_INJECT_CYCLES), "irq_inject_cycles");
    if (profile.isGiven(CostFigure.VIRTIO_IOMMU_NOTIFY_CYCLES)) {
      // measured from virtio-iommu runs: a request's pop→flush is virtio_iommu_req_qemu_cycles alone (VirtioIommuStrategy)
      addNote(notes, "virtio-iommu request pop→flush", runs, r -> r.qemu.requestNs, ghz, profile.cycles(CostFigure.VIRTIO_IOMMU_REQ_QEMU_CYCLES), "virtio_iommu_req_qemu_cycles");
    } else {
      addNote(notes, "virtio-iommu request pop→flush", runs, r -> r.qemu.requestNs, ghz,
          pop + 2 * desc + push + profile.cycles(CostFigure.VIRTIO_IOMMU_REQ_QEMU_CYCLES), "device_pop + 2 device_desc + used_push + virtio_iommu_req_qemu_cycles");
    }
    if (!gNames.isEmpty()) notes.add("used for the notes only (translation work on both sides): " + String.join(", ", gNames));
    // the per-byte copy stays as it was: back-to-back intervals regressed on the packet's bytes give
    // slopes of both signs on the lab's runs (docs/CALIBRATION.md), so the runs do not identify it
    String copySource = profile.source(CostFigure.NET_COPY_CYCLES_PER_KIB);
    if (copySource.contains("(not exercised by these runs)")) {
      values[CostFigure.NET_COPY_CYCLES_PER_KIB.ordinal()] = profile.get(CostFigure.NET_COPY_CYCLES_PER_KIB);
      sources[CostFigure.NET_COPY_CYCLES_PER_KIB.ordinal()] = copySource.replace("(not exercised by these runs)",
          "(not identifiable from the network runs' timestamps: docs/CALIBRATION.md, network figures)");
    }
    CostProfile out = profile.derive(name, description, values, sources, null, null);
    return new Result(out, figures, notes);
  }

  private interface Series {
    List<Long> of(Run r);
  }

  private static void addNote(List<String> notes, String what, List<Run> runs, Series s, double ghz, long modelled, String figure) {
    List<Double> med = new ArrayList<>();
    for (Run r : runs) {
      List<Long> v = s.of(r);
      if (v.size() < MIN_INTERVALS) continue;
      double[] a = new double[v.size()];
      for (int i = 0; i < a.length; i++) a[i] = v.get(i) * ghz;
      med.add(median(a));
    }
    if (med.isEmpty()) return;
    double[] m = new double[med.size()];
    for (int i = 0; i < m.length; i++) m[i] = med.get(i);
    Arrays.sort(m);
    notes.add(String.format(Locale.ROOT, "QEMU's %s: median %.0f cycles (runs' medians %.0f..%.0f over %d runs); the profile models %d (%s)", what, median(m), m[0], m[m.length - 1],
        m.length, modelled, figure));
  }

  /**
   * Half the 95% interval of the mean of the runs' values, as a percentage of {@code v} (their mean,
   * clamped at 0): a {@link Calibration#BOOTSTRAP}-fold bootstrap over the runs, seeded, each resampled
   * mean clamped at 0 too. NaN for one run (nothing to resample over) or a figure clamped at 0.
   */
  static double bootstrapHalfPct(double[] perRun, double v) {
    int n = perRun.length;
    if (n < 2 || v <= 0) return Double.NaN;
    SplittableRandom rnd = new SplittableRandom(SEED);
    double[] boot = new double[Calibration.BOOTSTRAP];
    for (int b = 0; b < boot.length; b++) {
      double s = 0;
      for (int i = 0; i < n; i++) s += perRun[rnd.nextInt(n)];
      boot[b] = Math.max(0, s / n);
    }
    Arrays.sort(boot);
    double lo = boot[(int) Math.floor(0.025 * (boot.length - 1))], hi = boot[(int) Math.ceil(0.975 * (boot.length - 1))];
    return (hi - lo) / 2 / v * 100;
  }

  private static Figure figure(CostFigure f, CostProfile p, List<double[]> perRun, List<String> names, double[] values, String[] sources, String method) {
    double base = p.get(f);
    if (perRun.isEmpty()) return new Figure(f, base, base, Double.NaN, List.of(), 0, p.source(f));
    int n = perRun.size();
    double[] med = new double[n];
    long count = 0;
    for (int i = 0; i < n; i++) {
      med[i] = median(perRun.get(i));
      count += perRun.get(i).length;
    }
    double v = Math.max(0, mean(med));
    double half = bootstrapHalfPct(med, v);
    long rounded = Math.round(v);
    String pm = n < 2 ? "one run, so no interval over runs" : v > 0 ? String.format(Locale.ROOT, "±%.1f%% (95%% interval of a %d-fold bootstrap over the runs)", half, Calibration.BOOTSTRAP)
        : "clamped at 0 (the measured time is below the profile's other figures for the same work)";
    String src = String.format(Locale.ROOT, "calibrated from %d %s (%s), %s; the median of each run's intervals (%d in all) of %s; docs/CALIBRATION.md (network figures)", n, n == 1 ? "run" : "runs",
        String.join(", ", names), pm, count, method);
    values[f.ordinal()] = rounded;
    sources[f.ordinal()] = src;
    return new Figure(f, base, rounded, half, List.copyOf(names), count, src);
  }

  static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }

  private static double mean(double[] v) {
    double s = 0;
    for (double x : v) s += x;
    return s / v.length;
  }
}
