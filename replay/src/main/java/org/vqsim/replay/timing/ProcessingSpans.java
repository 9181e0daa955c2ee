package org.vqsim.replay.timing;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.vqsim.capture.Traces;
import org.vqsim.engine.cost.CostFigure;
import org.vqsim.engine.cost.CostProfile;

/**
 * Times of single IOMMU steps that a QEMU trace log shows on their own, measured per event and set
 * beside what the profile models for that step (docs/CALIBRATION.md, "Measured steps"). They are
 * reported by {@code calibrate}, not fitted: the per-request fit sees these steps only inside the
 * latency and service time, where (at one request in flight, under a caching-mode vIOMMU) they move
 * together with the map, unmap and exit figures and are split by the base profile's ratios; the spans
 * check that split against a direct measurement.
 *
 * <ul>
 *   <li><b>VT-d invalidation processing</b>: {@code vtd_inv_desc_iotlb_pages} (QEMU starts on a
 *       page-selective IOTLB invalidation descriptor) to the next {@code vtd_inv_desc_wait_sw} of the
 *       same thread (it reaches the wait descriptor submitted with it): the IOTLB scan under the IOMMU
 *       lock, modelled by {@code viommu_inv_scan_cycles} (hw/i386/intel_iommu.c 7.2,
 *       vtd_iotlb_page_invalidate). Needs both events in the log.
 *   <li><b>virtio-iommu request</b>: {@code virtqueue_pop} of an element whose request is a
 *       {@code virtio_iommu_map} or {@code virtio_iommu_unmap} to the {@code virtqueue_fill} of that
 *       element: QEMU's handling of one MAP or UNMAP request, modelled by
 *       {@code virtio_iommu_req_qemu_cycles} (hw/virtio/virtio-iommu.c 7.2,
 *       virtio_iommu_handle_command).
 * </ul>
 *
 * The figure per step is the mean span over every event of the runs given (the log backend stamps
 * whole microseconds, so a single span is ±1 µs and a median would be a whole microsecond; the mean of
 * many is not); its uncertainty the 95% percentile interval of the mean over 200 bootstrap resamples of
 * the events (fixed seed); its residual (mean − modelled) / mean.
 */
public final class ProcessingSpans {
  /** One measured step: its name, the figure that models it, and its spans (ns) over all runs. */
  public enum Step {
    VTD_INVALIDATION("VT-d invalidation processing", "vtd_inv_desc_iotlb_pages -> vtd_inv_desc_wait_sw", CostFigure.VIOMMU_INV_SCAN_CYCLES),
    VIRTIO_IOMMU_REQUEST("virtio-iommu request", "virtqueue_pop -> virtqueue_fill of a virtio_iommu_map/unmap", CostFigure.VIRTIO_IOMMU_REQ_QEMU_CYCLES);

    public final String title, events;
    public final CostFigure figure;

    Step(String title, String events, CostFigure figure) {
      this.title = title;
      this.events = events;
      this.figure = figure;
    }
  }

  /** What one step measured over the runs: mean span and its interval (ns), and the model's time for it with the profile given. */
  public record Result(Step step, int runs, int events, double meanNs, double lowNs, double highNs, double modelledNs) {
    public double halfWidthPct() { return (highNs - lowNs) / 2 / meanNs * 100; }
    public double residualPct() { return (meanNs - modelledNs) / meanNs * 100; }
  }

  private static final int BOOTSTRAP = 200;
  private static final long SEED = 20261203L;

  private ProcessingSpans() {}

  /** The spans (ns) of each step in one QEMU log, in log order. */
  public static long[][] read(Path qemu) throws IOException {
    List<Long> vtd = new ArrayList<>(), viommu = new ArrayList<>();
    HashMap<String, Long> pendingInv = new HashMap<>(); // thread -> time of its open page invalidation
    HashMap<String, Long> popped = new HashMap<>(); // element -> pop time
    String lastPopElem = null;
    HashMap<String, Long> iommuReq = new HashMap<>(); // element -> pop time, once its request showed as a map/unmap
    try (BufferedReader in = Traces.textReader(qemu)) {
      String line;
      while ((line = in.readLine()) != null) {
        int at = line.indexOf('@');
        int colon = at < 0 ? -1 : line.indexOf(':', at);
        if (at <= 0 || colon < 0) continue;
        long ts;
        try {
          ts = secondsNs(line, at + 1, colon);
        } catch (NumberFormatException e) {
          continue; // TimedRunReader has read this log already and named a malformed line
        }
        String thread = line.substring(0, at);
        int sp = line.indexOf(' ', colon);
        String ev = sp < 0 ? line.substring(colon + 1) : line.substring(colon + 1, sp);
        switch (ev) {
          case "vtd_inv_desc_iotlb_pages" -> pendingInv.put(thread, ts);
          case "vtd_inv_desc_wait_sw" -> {
            Long t = pendingInv.remove(thread);
            if (t != null) vtd.add(ts - t);
          }
          case "virtqueue_pop" -> {
            lastPopElem = arg(line, " elem ");
            popped.put(lastPopElem, ts);
          }
          case "virtio_iommu_map", "virtio_iommu_unmap" -> {
            if (lastPopElem != null && popped.containsKey(lastPopElem)) iommuReq.put(lastPopElem, popped.get(lastPopElem));
          }
          case "virtqueue_fill" -> {
            String e = arg(line, " elem ");
            popped.remove(e);
            Long t = iommuReq.remove(e);
            if (t != null) viommu.add(ts - t);
          }
          default -> {
            if (ev.startsWith("vtd_inv_desc_")) pendingInv.remove(thread); // another descriptor came first: not a page invalidation's own wait
          }
        }
      }
    }
    return new long[][] {vtd.stream().mapToLong(Long::longValue).toArray(), viommu.stream().mapToLong(Long::longValue).toArray()};
  }

  /** "SECONDS.MICROS" between {@code from} and {@code to}, as ns (the log backend's time stamp). */
  static long secondsNs(String s, int from, int to) {
    int dot = s.indexOf('.', from);
    if (dot < 0 || dot > to || to - dot - 1 < 1 || to - dot - 1 > 9) throw new NumberFormatException();
    long f = Long.parseLong(s, dot + 1, to, 10);
    for (int k = to - dot - 1; k < 9; k++) f *= 10;
    return Long.parseLong(s, from, dot, 10) * 1_000_000_000L + f;
  }

  private static String arg(String line, String key) {
    int i = line.indexOf(key);
    if (i < 0) return "";
    int s = i + key.length(), e = line.indexOf(' ', s);
    return e < 0 ? line.substring(s) : line.substring(s, e);
  }

  /** Per step with any events in the logs: the mean span, its bootstrap interval, and the modelled time with {@code profile}. */
  public static List<Result> measure(List<long[][]> perRun, CostProfile profile) {
    List<Result> out = new ArrayList<>();
    for (Step s : Step.values()) {
      int runs = 0, n = 0;
      for (long[][] r : perRun) if (r[s.ordinal()].length > 0) { runs++; n += r[s.ordinal()].length; }
      if (n == 0) continue;
      long[] all = new long[n];
      int k = 0;
      for (long[][] r : perRun) for (long v : r[s.ordinal()]) all[k++] = v;
      double med = mean(all);
      SplittableRandom rnd = new SplittableRandom(SEED + s.ordinal());
      double[] meds = new double[BOOTSTRAP];
      long[] pick = new long[n];
      for (int b = 0; b < BOOTSTRAP; b++) {
        for (int i = 0; i < n; i++) pick[i] = all[rnd.nextInt(n)];
        meds[b] = mean(pick);
      }
      Arrays.sort(meds);
      double lo = meds[(int) Math.floor(0.025 * (BOOTSTRAP - 1))], hi = meds[(int) Math.ceil(0.975 * (BOOTSTRAP - 1))];
      double modelled = profile.get(s.figure) / profile.get(CostFigure.CPU_GHZ);
      out.add(new Result(s, runs, n, med, lo, hi, modelled));
    }
    return out;
  }

  private static double mean(long[] v) {
    double s = 0;
    for (long x : v) s += x;
    return s / v.length;
  }

  /** The report lines calibrate prints. */
  public static List<String> describe(List<Result> results, CostProfile profile) {
    List<String> l = new ArrayList<>();
    if (results.isEmpty()) {
      l.add("Measured steps: none in these QEMU logs (VT-d needs vtd_inv_desc_iotlb_pages and vtd_inv_desc_wait_sw; virtio-iommu needs virtio_iommu_map/unmap with virtqueue_pop/fill)");
      return l;
    }
    l.add("Measured steps (QEMU spans per event; reported, not fitted; docs/CALIBRATION.md):");
    for (Result r : results) {
      l.add(String.format(Locale.ROOT, "  %s (%s): %d events in %d runs, mean %.2f us [95%% %.2f-%.2f, ±%.1f%%]; modelled %s = %s cycles = %.2f us; residual %+.1f%%",
          r.step().title, r.step().events, r.events(), r.runs(), r.meanNs() / 1000, r.lowNs() / 1000, r.highNs() / 1000, r.halfWidthPct(), r.step().figure.key,
          CostProfile.format(profile.get(r.step().figure)), r.modelledNs() / 1000, r.residualPct()));
    }
    return l;
  }
}
