package org.vqsim.replay.timing;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.vqsim.capture.TraceException;
import org.vqsim.capture.Traces;
import org.vqsim.engine.cost.CostFigure;
import org.vqsim.engine.cost.CostProfile;

/**
 * The pieces of one synchronous virtio-iommu request measured from captured strict runs' timestamps
 * (docs/CALIBRATION.md, "virtio-iommu requests"): a guest ftrace with {@code iommu:map}/{@code unmap}
 * and the QEMU log of the same run with {@code virtio_queue_notify}, {@code virtqueue_pop}, {@code
 * virtio_iommu_map}/{@code unmap} and {@code virtqueue_flush}.
 *
 * <p>QEMU's request queue is the queue whose pops are followed, on the same thread, by a {@code
 * virtio_iommu_map} or {@code virtio_iommu_unmap}. On it, per request:
 *
 * <ul>
 *   <li>{@code virtio_iommu_notify_cycles}: {@code virtio_queue_notify} → the next {@code
 *       virtqueue_pop} (QEMU's dispatch of the synchronous notification to the handler and the pop);
 *   <li>{@code virtio_iommu_req_qemu_cycles}: {@code virtqueue_pop} → the next {@code
 *       virtqueue_flush} (the request's handling, the fill and the flush);
 *   <li>{@code virtio_iommu_req_cycles}: the guest's side, per run the (interpolated) median interval
 *       between consecutive {@code map:} events (less the profile's {@code ring_desc_cycles}, the block
 *       descriptor {@code virtqueue_add_split} writes between two maps, which the model charges on the
 *       block queue) and between consecutive {@code unmap:} events of one burst (two events of the same
 *       kind next to each other in the trace, on one CPU), averaged weighted by their numbers, less the
 *       run's two QEMU medians above. A map→map interval holds exactly one request's round trip (Linux
 *       6.1 traces {@code map} after {@code viommu_map_pages}'s synchronous request, and {@code unmap}
 *       before {@code iotlb_sync}'s), so what is left is the guest's work per request, the vCPU's MMIO
 *       exit before {@code virtio_queue_notify} and its return after the flush included.
 * </ul>
 *
 * And the device-side translation, {@code virtio_iommu_translate_cycles}: per run the median of the
 * {@code virtio_iommu_translate} → {@code virtio_iommu_translate_out} spans of one thread (QEMU 7.2
 * logs {@code _out} after a successful lookup only, so an access to the MSI doorbell, which returns
 * early, has no pair and no lookup), times QEMU's translations per device chain over the model's for
 * the same chains. The two counts differ in one way: QEMU reads an indirect table through the IOMMU
 * one 16-byte descriptor at a time, each a translation, where the model translates the table once per
 * page; Linux puts every chain of more than one buffer in an indirect table ({@code INDIRECT_DESC}),
 * so the model's count is QEMU's less, per popped chain of d descriptors, d − 1. Everything else —
 * ring accesses, one translation per page of each buffer — the model charges one for one.
 *
 * Both logs stamp whole microseconds, so a plain median of the spans is a whole microsecond (3,000
 * cycles at 3 GHz); each median here is the median of grouped data, each value spread evenly over the
 * microsecond around it (L + (n/2 − F) / f · 1 µs). Per run the median; the figure is the mean over
 * runs; ± is half the 95% percentile interval of that mean over 200 bootstrap resamples of whole runs,
 * relative to the value, as for the network figures. The QEMU log's own flush → next notify of one
 * burst (the guest's side seen from QEMU) is printed beside the guest-side figure as a check.
 */
public final class ViommuCalibration {
  public static final int MIN_INTERVALS = 10;

  private ViommuCalibration() {}

  /**
   * One strict run: per request the QEMU spans (ns), the QEMU log's flush → next notify within a burst
   * (ns), the guest's map→map and unmap→unmap intervals (ns).
   */
  public record Run(String name, long[] notifyToPop, long[] popToFlush, long[] flushToNotify, long[] guestMap, long[] guestUnmap, Translations translations) {}

  /**
   * QEMU's translations in one run's log: the paired {@code virtio_iommu_translate} → {@code
   * virtio_iommu_translate_out} spans of one thread (ns), the translations logged without an {@code
   * _out} (an access to the MSI doorbell, or before the endpoint is attached: no lookup), the device's
   * chains (pops of every other queue), the descriptors of those chains beyond the first of each chain
   * that has more than one (read from an indirect table, one translation each), and the request
   * queue's {@code virtqueue_fill} → {@code virtqueue_flush} spans (two adjacent trace lines with only
   * the used-ring write between them: the trace's own cost per line, as a check).
   */
  public record Translations(long[] spans, long unpaired, long chains, long indirectExtra, long[] fillToFlush) {
    /** Paired translations per device chain in QEMU. */
    public double perChain() { return chains == 0 ? Double.NaN : (double) spans.length / chains; }

    /** Translations per device chain the model charges for the same chains (an indirect table: one per page, not one per descriptor). */
    public double modelPerChain() { return chains == 0 ? Double.NaN : (double) (spans.length - indirectExtra) / chains; }
  }

  /** A measured figure (the network figures' shape). */
  public record Result(CostProfile profile, List<NetCalibration.Figure> figures, List<String> notes) {}

  public static Run load(Path guest, Path qemu) throws IOException {
    String n = guest.getFileName().toString().replaceFirst("\\.guest-ftrace\\.txt(\\.gz)?$", "").replaceFirst("\\.(txt|gz)$", "");
    long[][] q = readQemu(qemu);
    long[][] g = readGuest(guest);
    if (g[0].length + g[1].length == 0) {
      throw new TraceException(guest + ": no two consecutive iommu map: or unmap: events; --viommu-run needs the guest ftrace of a virtio-iommu strict run with the iommu:map and iommu:unmap events");
    }
    return new Run(n, q[0], q[1], q[2], g[0], g[1], new Translations(q[3], q[5][0], q[5][1], q[5][2], q[4]));
  }

  private static final byte NOTIFY = 1, POP = 2, FLUSH = 3, MAP = 4, UNMAP = 5, TRANSLATE = 6, TRANSLATE_OUT = 7, FILL = 8;

  /**
   * {notify→pop, pop→flush, flush→next notify of one burst} spans of the request queue, ns; {translate
   * → translate_out} spans; the request queue's {fill → flush} spans; {unpaired translations, device
   * chains, indirect descriptors beyond the first of each chain}.
   */
  static long[][] readQemu(Path file) throws IOException {
    String name = file.toString();
    List<long[]> ev = new ArrayList<>(); // {ns, kind, vq, tid, descriptors of a pop}
    Map<String, Integer> vqs = new HashMap<>();
    try (BufferedReader in = Traces.textReader(file)) {
      String l;
      long line = 0;
      while ((l = in.readLine()) != null) {
        line++;
        if (l.isBlank()) continue;
        int at = l.indexOf('@');
        int colon = at < 0 ? -1 : l.indexOf(':', at);
        if (at <= 0 || colon < 0) throw TraceException.at(name, line, "not a QEMU log-backend trace line (PID@SECONDS.MICROS:event ...): '" + clip(l) + "'");
        long tid = digits(l, 0, at, name, line, "thread id");
        int sp = l.indexOf(' ', colon);
        String e = sp < 0 ? l.substring(colon + 1) : l.substring(colon + 1, sp);
        byte kind = switch (e) {
          case "virtio_queue_notify" -> NOTIFY;
          case "virtqueue_pop" -> POP;
          case "virtqueue_flush" -> FLUSH;
          case "virtio_iommu_map" -> MAP;
          case "virtio_iommu_unmap" -> UNMAP;
          case "virtio_iommu_translate" -> TRANSLATE;
          case "virtio_iommu_translate_out" -> TRANSLATE_OUT;
          case "virtqueue_fill" -> FILL;
          default -> 0;
        };
        if (kind == 0) continue;
        long ns = stamp(l, at + 1, colon, name, line);
        int vq = -1;
        long descs = 0;
        if (kind <= FLUSH || kind == FILL) {
          int v = l.indexOf(" vq ", colon);
          if (v < 0) throw TraceException.at(name, line, e + " without a 'vq' field");
          int end = l.indexOf(' ', v + 4);
          String id = end < 0 ? l.substring(v + 4) : l.substring(v + 4, end);
          vq = vqs.computeIfAbsent(id, k -> vqs.size());
        }
        if (kind == POP) descs = field(l, " in_num ", name, line, e) + field(l, " out_num ", name, line, e);
        ev.add(new long[] {ns, kind, vq, tid, descs});
      }
    }
    // the request queue: the queue of the pop that a map or unmap follows on the same thread
    int rq = -1;
    Map<Long, long[]> lastPop = new HashMap<>();
    for (long[] x : ev) {
      if (x[1] == TRANSLATE || x[1] == TRANSLATE_OUT) continue;
      if (x[1] == POP) lastPop.put(x[3], x);
      else if (x[1] == MAP || x[1] == UNMAP) {
        long[] p = lastPop.get(x[3]);
        if (p == null) continue;
        if (rq >= 0 && rq != p[2]) throw new TraceException(name + ": virtio_iommu_map/unmap follow pops of two queues; expected one virtio-iommu request queue");
        rq = (int) p[2];
      } else if (x[3] >= 0) lastPop.remove(x[3]);
    }
    if (rq < 0) throw new TraceException(name + ": no virtqueue_pop followed by virtio_iommu_map or virtio_iommu_unmap; --viommu-run needs the QEMU log of a virtio-iommu strict run (virtio and virtio_iommu_* trace events)");
    List<Long> a = new ArrayList<>(), b = new ArrayList<>(), c = new ArrayList<>(), tr = new ArrayList<>(), ff = new ArrayList<>();
    long notifyAt = -1, popAt = -1, prevFlush = -1, fillAt = -1;
    long unpaired = 0, chains = 0, extra = 0;
    Map<Long, Long> open = new HashMap<>(); // thread → its translate's stamp
    int kind = 0, prevKind = 0;
    for (long[] x : ev) {
      if (x[1] == TRANSLATE) {
        if (open.put(x[3], x[0]) != null) unpaired++; // the previous one on this thread had no _out
        continue;
      }
      if (x[1] == TRANSLATE_OUT) {
        Long at = open.remove(x[3]);
        if (at != null) tr.add(x[0] - at);
        continue;
      }
      if (x[1] == MAP || x[1] == UNMAP) {
        kind = (int) x[1];
        continue;
      }
      if (x[2] != rq) {
        if (x[1] == POP) {
          chains++;
          if (x[4] > 1) extra += x[4] - 1; // Linux puts a chain of more than one buffer in an indirect table (INDIRECT_DESC)
        }
        continue;
      }
      if (x[1] == FILL) {
        fillAt = x[0];
        continue;
      }
      if (x[1] == NOTIFY) {
        notifyAt = x[0];
      } else if (x[1] == POP) {
        if (notifyAt >= 0) a.add(x[0] - notifyAt);
        popAt = x[0];
      } else if (x[1] == FLUSH) {
        if (popAt >= 0) b.add(x[0] - popAt);
        if (fillAt >= 0 && fillAt >= popAt) ff.add(x[0] - fillAt);
        fillAt = -1;
        // the previous flush → this request's notify, when both requests are of one kind (one burst of maps or of unmaps)
        if (prevFlush >= 0 && kind != 0 && kind == prevKind && notifyAt > prevFlush) c.add(notifyAt - prevFlush);
        prevFlush = x[0];
        prevKind = kind;
        kind = 0;
        notifyAt = -1;
        popAt = -1;
      }
    }
    if (a.isEmpty() || b.isEmpty()) throw new TraceException(name + ": the virtio-iommu request queue has no notify→pop→flush; the log needs virtio_queue_notify, virtqueue_pop and virtqueue_flush");
    unpaired += open.size();
    return new long[][] {toArray(a), toArray(b), toArray(c), toArray(tr), toArray(ff), {unpaired, chains, extra}};
  }

  /** The number after {@code key} (e.g. " in_num ") in a trace line. */
  private static long field(String l, String key, String name, long line, String event) {
    int k = l.indexOf(key);
    if (k < 0) throw TraceException.at(name, line, event + " without a '" + key.strip() + "' field");
    int from = k + key.length(), to = from;
    while (to < l.length() && Character.isDigit(l.charAt(to))) to++;
    return digits(l, from, to, name, line, key.strip());
  }

  /** {map→map, unmap→unmap} intervals of consecutive events of one kind on one CPU, ns. */
  static long[][] readGuest(Path file) throws IOException {
    String name = file.toString();
    List<Long> maps = new ArrayList<>(), unmaps = new ArrayList<>();
    try (BufferedReader in = Traces.textReader(file)) {
      String l;
      long line = 0, prevNs = -1;
      int prevKind = 0, prevCpu = -1;
      while ((l = in.readLine()) != null) {
        line++;
        if (l.isBlank() || l.startsWith("#")) continue;
        if (l.startsWith("CPU:") && l.contains("[LOST")) {
          prevKind = 0; // events were dropped here: no interval spans it
          continue;
        }
        int lb = l.indexOf('['), rb = lb < 0 ? -1 : l.indexOf(']', lb);
        if (lb < 0 || rb < 0) throw TraceException.at(name, line, "not an ftrace event line (TASK-PID [CPU] FLAGS SECONDS: event: ...): '" + clip(l) + "'");
        String cpuText = l.substring(lb + 1, rb).strip();
        int cpu = (int) digits(cpuText, 0, cpuText.length(), name, line, "CPU number");
        // after the flags, the timestamp "SECONDS.FRACTION:" and the event "name:"
        int i = rb + 1;
        String[] rest = l.substring(i).strip().split("\\s+", 4);
        int t = -1;
        for (int k = 0; k < Math.min(rest.length, 3); k++) {
          if (rest[k].endsWith(":") && rest[k].indexOf('.') > 0 && rest[k].chars().allMatch(ch -> ch == '.' || ch == ':' || Character.isDigit(ch))) {
            t = k;
            break;
          }
        }
        if (t < 0 || t + 1 >= rest.length) throw TraceException.at(name, line, "no 'SECONDS.FRACTION: event:' after the CPU: '" + clip(l) + "'");
        String ts = rest[t].substring(0, rest[t].length() - 1);
        long ns = stamp(ts, 0, ts.length(), name, line);
        String ev = rest[t + 1];
        int kind = ev.equals("map:") ? MAP : ev.equals("unmap:") ? UNMAP : 0;
        if (kind != 0 && kind == prevKind && cpu == prevCpu && ns >= prevNs) (kind == MAP ? maps : unmaps).add(ns - prevNs);
        prevKind = kind;
        prevCpu = cpu;
        prevNs = ns;
      }
    }
    return new long[][] {toArray(maps), toArray(unmaps)};
  }

  /**
   * Measures the three figures on {@code profile} (its other figures as they are) and returns the
   * profile with them; {@code virtio_iommu_notify_cycles} given switches the model to charging a
   * request with them (VirtioIommuStrategy). With {@link #MIN_INTERVALS} or more translation pairs in a
   * run's log, also {@code virtio_iommu_translate_cycles}, which VirtioIommuStrategy then charges per
   * translation instead of {@code iotlb_hit_cycles}.
   */
  public static Result measure(List<Run> runs, CostProfile profile, String name, String description) {
    if (runs.isEmpty()) throw new IllegalArgumentException("no virtio-iommu runs");
    double ghz = profile.get(CostFigure.CPU_GHZ);
    double ringDescNs = profile.get(CostFigure.RING_DESC_CYCLES) / ghz;
    int n = 0;
    List<String> names = new ArrayList<>();
    double[] notify = new double[runs.size()], qemu = new double[runs.size()], guest = new double[runs.size()], check = new double[runs.size()];
    double[] mapMed = new double[runs.size()], unmapMed = new double[runs.size()];
    long notifyN = 0, qemuN = 0, guestN = 0;
    List<String> notes = new ArrayList<>();
    for (Run r : runs) {
      if (r.notifyToPop.length < MIN_INTERVALS || r.popToFlush.length < MIN_INTERVALS || r.guestMap.length + r.guestUnmap.length < MIN_INTERVALS) {
        notes.add(r.name + ": fewer than " + MIN_INTERVALS + " requests or guest intervals, not used");
        continue;
      }
      double a = groupedMedianNs(r.notifyToPop), b = groupedMedianNs(r.popToFlush);
      double gm = r.guestMap.length > 0 ? groupedMedianNs(r.guestMap) : 0, gu = r.guestUnmap.length > 0 ? groupedMedianNs(r.guestUnmap) : 0;
      double g = ((gm - ringDescNs) * r.guestMap.length + gu * r.guestUnmap.length) / (r.guestMap.length + r.guestUnmap.length);
      notify[n] = a * ghz;
      qemu[n] = b * ghz;
      guest[n] = (g - a - b) * ghz;
      check[n] = r.flushToNotify.length > 0 ? groupedMedianNs(r.flushToNotify) * ghz : Double.NaN;
      mapMed[n] = gm;
      unmapMed[n] = gu;
      notifyN += r.notifyToPop.length;
      qemuN += r.popToFlush.length;
      guestN += r.guestMap.length + r.guestUnmap.length;
      names.add(r.name);
      notes.add(String.format(Locale.ROOT,
          "%s: notify→pop %.2f µs, pop→flush %.2f µs (%d requests); guest map→map %.2f µs (%d), unmap→unmap %.2f µs (%d); guest side %.2f µs; QEMU's flush→next notify of a burst %.2f µs (%d)",
          r.name, a / 1e3, b / 1e3, r.popToFlush.length, gm / 1e3, r.guestMap.length, gu / 1e3, r.guestUnmap.length, (g - a - b) / 1e3,
          check[n] / ghz / 1e3, r.flushToNotify.length));
      n++;
    }
    if (n == 0) throw new IllegalArgumentException("no --viommu-run has " + MIN_INTERVALS + " or more requests and guest intervals");
    double[] values = new double[CostFigure.COUNT];
    String[] sources = new String[CostFigure.COUNT];
    List<NetCalibration.Figure> figures = new ArrayList<>();
    figures.add(figure(CostFigure.VIRTIO_IOMMU_NOTIFY_CYCLES, profile, Arrays.copyOf(notify, n), names, notifyN, values, sources,
        "QEMU's virtio_queue_notify → virtqueue_pop on the virtio-iommu request queue (the synchronous notification's dispatch to the handler and the pop, in the vCPU thread); "
            + "when given, a request is charged this, virtio_iommu_req_cycles and virtio_iommu_req_qemu_cycles in place of kick_exit_cycles, kick_handler_cycles_qemu and the ring figures"));
    figures.add(figure(CostFigure.VIRTIO_IOMMU_REQ_QEMU_CYCLES, profile, Arrays.copyOf(qemu, n), names, qemuN, values, sources,
        "QEMU's virtqueue_pop → virtqueue_flush on the virtio-iommu request queue (virtio_iommu_handle_command's handling of the MAP or UNMAP, the fill and the flush)"));
    figures.add(figure(CostFigure.VIRTIO_IOMMU_REQ_CYCLES, profile, Arrays.copyOf(guest, n), names, guestN, values, sources,
        "the guest's interval between consecutive iommu map: events (less the profile's ring_desc_cycles for the block descriptor written between two maps) and between consecutive unmap: events "
            + "of one burst, weighted by their numbers, less the run's QEMU notify→pop and pop→flush medians: the guest's whole side of a request, the request queue's ring work and "
            + "the vCPU's notification exit and return included"));
    // the translation: per run the paired span's median times QEMU's translations per device chain over
    // the model's (QEMU reads an indirect table one descriptor at a time, each a translation; the model
    // translates the table once per page), so that the model's translations of a chain cost what QEMU's did
    double[] trans = new double[runs.size()];
    List<String> transNames = new ArrayList<>();
    long transN = 0;
    int nt = 0;
    for (Run r : runs) {
      Translations t = r.translations;
      if (t == null || t.spans().length < MIN_INTERVALS || t.chains() == 0 || t.spans().length <= t.indirectExtra()) {
        notes.add(r.name + ": fewer than " + MIN_INTERVALS + " virtio_iommu_translate → _translate_out pairs (or no device chains), not used for virtio_iommu_translate_cycles");
        continue;
      }
      double span = groupedMedianNs(t.spans());
      double scale = t.perChain() / t.modelPerChain();
      trans[nt++] = span * scale * ghz;
      transN += t.spans().length;
      transNames.add(r.name);
      double ff = t.fillToFlush().length > 0 ? groupedMedianNs(t.fillToFlush()) : Double.NaN;
      notes.add(String.format(Locale.ROOT,
          "%s: virtio_iommu_translate → _translate_out %.2f µs (%d pairs, %d translations without _out); per device chain QEMU %.2f translations, the model %.2f "
              + "(%d indirect descriptors beyond the first of %d chains), so %.2f µs per modelled translation; two adjacent trace lines with only a used-ring write between them "
              + "(the request queue's virtqueue_fill → virtqueue_flush) %.2f µs",
          r.name, span / 1e3, t.spans().length, t.unpaired(), t.perChain(), t.modelPerChain(), t.indirectExtra(), t.chains(), span * scale / 1e3, ff / 1e3));
    }
    if (nt > 0) {
      figures.add(figure(CostFigure.VIRTIO_IOMMU_TRANSLATE_CYCLES, profile, Arrays.copyOf(trans, nt), transNames, transN, values, sources,
          "QEMU's virtio_iommu_translate → virtio_iommu_translate_out on one thread (the lookup in the mapping tree under the device mutex, and the trace's own cost of one line, "
              + "which at the logs' resolution is all of it: two adjacent lines with only a used-ring write between them take as long), "
              + "times QEMU's translations per device chain over the model's (QEMU translates each descriptor it reads from an indirect table; the model the table once per page); "
              + "when given, VirtioIommuStrategy charges it per translation in place of iotlb_hit_cycles"));
    }
    double[] chk = Arrays.stream(Arrays.copyOf(check, n)).filter(Double::isFinite).toArray();
    if (chk.length > 0) {
      notes.add(String.format(Locale.ROOT, "check: QEMU's own flush→next notify within a burst, mean of the runs' medians %.0f cycles, beside the guest side %.0f cycles (the same time from the other clock)",
          mean(chk), values[CostFigure.VIRTIO_IOMMU_REQ_CYCLES.ordinal()]));
    }
    double round = values[CostFigure.VIRTIO_IOMMU_NOTIFY_CYCLES.ordinal()] + values[CostFigure.VIRTIO_IOMMU_REQ_QEMU_CYCLES.ordinal()] + values[CostFigure.VIRTIO_IOMMU_REQ_CYCLES.ordinal()];
    notes.add(String.format(Locale.ROOT, "one request's round trip as now charged: %.0f cycles (%.2f µs); the guest's map→map medians %.2f..%.2f µs, unmap→unmap %.2f..%.2f µs over the runs",
        round, round / ghz / 1e3, min(mapMed, n) / 1e3, max(mapMed, n) / 1e3, min(unmapMed, n) / 1e3, max(unmapMed, n) / 1e3));
    CostProfile out = profile.derive(name, description, values, sources, null, null);
    return new Result(out, figures, notes);
  }

  /**
   * A check for the notes: the request queue's notify→pop and pop→flush medians in the QEMU log of a
   * network run under virtio-iommu, beside the profile's figures for them.
   */
  public static String qemuCheck(String name, Path qemu, CostProfile p) throws IOException {
    long[][] q = readQemu(qemu);
    double ghz = p.get(CostFigure.CPU_GHZ);
    double a = groupedMedianNs(q[0]), b = groupedMedianNs(q[1]), c = q[2].length > 0 ? groupedMedianNs(q[2]) : Double.NaN;
    return String.format(Locale.ROOT,
        "%s (network, not used for the figures): the virtio-iommu request queue's notify→pop %.2f µs, pop→flush %.2f µs, flush→next notify of a burst %.2f µs (%d requests); the profile: %s, %s",
        name, a / 1e3, b / 1e3, c / 1e3, q[1].length,
        p.isGiven(CostFigure.VIRTIO_IOMMU_NOTIFY_CYCLES) ? String.format(Locale.ROOT, "%.2f µs", p.get(CostFigure.VIRTIO_IOMMU_NOTIFY_CYCLES) / ghz / 1e3) : "not given",
        String.format(Locale.ROOT, "%.2f µs", p.get(CostFigure.VIRTIO_IOMMU_REQ_QEMU_CYCLES) / ghz / 1e3));
  }

  private static NetCalibration.Figure figure(CostFigure f, CostProfile p, double[] perRun, List<String> names, long count, double[] values, String[] sources, String method) {
    double base = p.isGiven(f) || f.fallback() != null ? p.get(f) : Double.NaN;
    int n = perRun.length;
    double v = Math.max(0, mean(perRun));
    double half = NetCalibration.bootstrapHalfPct(perRun, v);
    double[] sorted = perRun.clone();
    Arrays.sort(sorted);
    String pm = n < 2 ? "one run, so no interval over runs"
        : v > 0 ? String.format(Locale.ROOT, "±%.1f%% (95%% interval of a %d-fold bootstrap over the runs; runs' values %.0f..%.0f)", half, Calibration.BOOTSTRAP, sorted[0], sorted[n - 1])
        : "clamped at 0 (the measured time is below the profile's other figures for the same work)";
    String src = String.format(Locale.ROOT, "measured from %d %s (%s), %s; per run the interpolated median of its intervals (%d in all) of %s; docs/CALIBRATION.md (virtio-iommu requests)", n,
        n == 1 ? "virtio-iommu strict run" : "virtio-iommu strict runs", String.join(", ", names), pm, count, method);
    long rounded = Math.round(v);
    values[f.ordinal()] = rounded;
    sources[f.ordinal()] = src;
    return new NetCalibration.Figure(f, base, rounded, half, List.copyOf(names), count, src);
  }

  /**
   * The median of values stamped in whole microseconds (given in ns), each spread evenly over the
   * microsecond around it: L + (n/2 − F) / f · 1 µs, with L the lower edge of the median's microsecond,
   * F the number of values below it and f the number in it.
   */
  static double groupedMedianNs(long[] ns) {
    long[] us = new long[ns.length];
    for (int i = 0; i < us.length; i++) us[i] = Math.round(ns[i] / 1000.0);
    Arrays.sort(us);
    int n = us.length;
    long m = us[(n - 1) / 2];
    if (n % 2 == 0 && us[n / 2] != m) return (m + us[n / 2]) / 2.0 * 1000; // the middle falls between two microseconds
    int below = 0, in = 0;
    for (long u : us) {
      if (u < m) below++;
      else if (u == m) in++;
    }
    return (m - 0.5 + (n / 2.0 - below) / in) * 1000;
  }

  private static long stamp(String l, int from, int to, String name, long line) {
    int dot = l.indexOf('.', from);
    if (dot < 0 || dot >= to) throw TraceException.at(name, line, "bad timestamp '" + clip(l.substring(from, to)) + "' (expected SECONDS.FRACTION)");
    long s = digits(l, from, dot, name, line, "timestamp");
    int fd = to - dot - 1;
    if (fd < 1 || fd > 9) throw TraceException.at(name, line, "bad timestamp '" + clip(l.substring(from, to)) + "' (expected SECONDS.FRACTION)");
    long f = digits(l, dot + 1, to, name, line, "timestamp");
    for (int k = fd; k < 9; k++) f *= 10;
    if (s > Long.MAX_VALUE / 1_000_000_000L - 1) throw TraceException.at(name, line, "timestamp out of range");
    return s * 1_000_000_000L + f;
  }

  private static long digits(String l, int from, int to, String name, long line, String what) {
    if (to <= from || to - from > 18) throw TraceException.at(name, line, "bad " + what + " '" + clip(l.substring(from, Math.max(from, to))) + "'");
    long v = 0;
    for (int i = from; i < to; i++) {
      char ch = l.charAt(i);
      if (ch < '0' || ch > '9') throw TraceException.at(name, line, "bad " + what + " '" + clip(l.substring(from, to)) + "'");
      v = v * 10 + (ch - '0');
    }
    return v;
  }

  private static long[] toArray(List<Long> v) {
    long[] a = new long[v.size()];
    for (int i = 0; i < a.length; i++) a[i] = v.get(i);
    return a;
  }

  private static double mean(double[] v) {
    double s = 0;
    for (double x : v) s += x;
    return s / v.length;
  }

  private static double min(double[] v, int n) {
    double m = Double.POSITIVE_INFINITY;
    for (int i = 0; i < n; i++) m = Math.min(m, v[i]);
    return m;
  }

  private static double max(double[] v, int n) {
    double m = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < n; i++) m = Math.max(m, v[i]);
    return m;
  }

  private static String clip(String s) {
    return s.length() > 80 ? s.substring(0, 77) + "..." : s;
  }
}
