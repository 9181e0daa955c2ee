package org.vqsim.capture.timing;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import org.vqsim.capture.ReadOptions;
import org.vqsim.capture.TraceException;
import org.vqsim.capture.TraceFormat;
import org.vqsim.capture.Traces;
import org.vqsim.capture.observed.ObservedEvents;
import org.vqsim.capture.observed.ObservedEvents.Counter;
import org.vqsim.capture.observed.ObservedSource;
import org.vqsim.engine.sim.IoOp;
import org.vqsim.engine.sim.IoRequest;

/**
 * Reads a captured run — a guest ftrace and optionally its QEMU trace log — into a {@link TimedRun}.
 *
 * <p><b>Guest side.</b> Every request of the guest trace with its issue and completion time
 * ({@code block_rq_issue}, {@code block_rq_complete}, paired by the ftrace reader) and its
 * {@code iommu:map}/{@code unmap} and {@code swiotlb_bounced} events. A request without a completion,
 * or a trace with no timestamps to pair, is an error: a timing needs both ends.
 *
 * <p><b>QEMU side.</b> Per virtio-blk request of the log: {@code virtqueue_pop} of an element, then
 * {@code virtio_blk_handle_read/write} of the same pointer ({@code req}, which is the element in
 * QEMU 7.2's virtio-blk: {@code VirtIOBlockReq} starts with its {@code VirtQueueElement}) with its
 * sector and length, then {@code virtqueue_fill} of it: service time = fill − pop. The log runs from
 * boot (boot-time and untraced warm-up requests come first), so the measured requests are the last N
 * of the log, N the guest trace's count — and their (sector, sectors) sequence must equal the
 * guest's, else the files are not of the same run. {@code vtd_inv_desc_iotlb_*} lines between one
 * pop and the next are that request's invalidations, with the span from the first to the last.
 */
public final class TimedRunReader {
  private TimedRunReader() {}

  public static TimedRun read(Path guest, Path qemu) throws IOException {
    String name = runName(guest);
    List<long[]> rows = new ArrayList<>();
    int maxInFlight = 0;
    java.util.PriorityQueue<Long> inFlight = new java.util.PriorityQueue<>();
    try (Traces.Opened t = Traces.open(guest, ReadOptions.defaults())) {
      if (t.format() != TraceFormat.FTRACE) throw new TraceException(guest + ": not a guest ftrace text (detected " + t.format().id + "); a timing run needs block_rq_issue/block_rq_complete lines");
      ObservedSource o = t.observed();
      IoRequest r = new IoRequest();
      long n = 0;
      while (t.source().next(r)) {
        n++;
        ObservedEvents ev = o.observed();
        if (ev.completeNs < 0) {
          throw new TraceException(guest + ": request " + n + " (" + IoOp.letter(r.op) + " " + r.length + " bytes at byte " + r.offset
              + ") has no block_rq_complete: a timing run needs every request's completion (was the trace cut short, or block_rq_complete not enabled?)");
        }
        while (!inFlight.isEmpty() && inFlight.peek() <= r.tsNs) inFlight.poll();
        inFlight.add(ev.completeNs);
        maxInFlight = Math.max(maxInFlight, inFlight.size());
        rows.add(new long[] {r.op, r.length, r.offset, r.tsNs, ev.completeNs - r.tsNs, ev.get(Counter.MAPS), ev.get(Counter.UNMAPS), ev.get(Counter.BOUNCES),
            ev.get(Counter.BOUNCE_BYTES)});
      }
    }
    if (rows.isEmpty()) throw new TraceException(guest + ": no block requests with timestamps (block_rq_issue and block_rq_complete events are needed)");
    if (rows.size() > 1 && rows.get(rows.size() - 1)[3] == rows.get(0)[3]) {
      throw new TraceException(guest + ": every request has the same timestamp: the trace carries no timing");
    }
    int n = rows.size();
    byte[] op = new byte[n];
    int[] length = new int[n], maps = new int[n], unmaps = new int[n], bounces = new int[n], inv = new int[n];
    long[] offset = new long[n], issue = new long[n], lat = new long[n], svc = new long[n], bounceBytes = new long[n], invSpan = new long[n];
    for (int i = 0; i < n; i++) {
      long[] x = rows.get(i);
      op[i] = (byte) x[0];
      length[i] = (int) x[1];
      offset[i] = x[2];
      issue[i] = x[3];
      lat[i] = x[4];
      maps[i] = (int) x[5];
      unmaps[i] = (int) x[6];
      bounces[i] = (int) x[7];
      bounceBytes[i] = x[8];
      svc[i] = -1;
    }
    String iommu = qemu != null ? readQemu(qemu, guest, offset, length, svc, inv, invSpan) : "";
    return new TimedRun(name, op, length, offset, issue, lat, svc, maps, unmaps, bounces, bounceBytes, inv, invSpan, maxInFlight, qemu != null, iommu);
  }

  /** The run's name: the guest file name without {@code .guest-ftrace.txt.gz} (or its last suffixes). */
  public static String runName(Path guest) {
    String f = guest.getFileName().toString();
    for (String s : new String[] {".guest-ftrace.txt.gz", ".guest-ftrace.txt", ".txt.gz", ".gz", ".txt"}) {
      if (f.endsWith(s)) return f.substring(0, f.length() - s.length());
    }
    return f;
  }

  private static final class QReq {
    long pop = -1, fill = -1, sector = -1;
    int sectors;
    int inv;
    long invFirst = -1, invLast = -1;
  }

  private static String readQemu(Path qemu, Path guest, long[] offset, int[] length, long[] svc, int[] inv, long[] invSpan) throws IOException {
    List<QReq> done = new ArrayList<>();
    HashMap<Long, QReq> open = new HashMap<>();
    QReq lastPopped = null;
    long lineNo = 0, vtd = 0, virtioIommu = 0, spapr = 0;
    boolean anyLine = false;
    try (BufferedReader in = Traces.textReader(qemu)) {
      String line;
      while ((line = in.readLine()) != null) {
        lineNo++;
        int at = line.indexOf('@');
        int colon = at < 0 ? -1 : line.indexOf(':', at);
        if (at <= 0 || colon < 0) continue; // not a trace line of the log backend (e.g. a QEMU message)
        long ts;
        try {
          ts = parseSecondsNs(line, at + 1, colon);
        } catch (NumberFormatException e) {
          throw TraceException.at(qemu.toString(), lineNo, "expected PID@SECONDS.MICROS:event, got '" + abbreviate(line) + "'");
        }
        anyLine = true;
        int sp = line.indexOf(' ', colon);
        String ev = sp < 0 ? line.substring(colon + 1) : line.substring(colon + 1, sp);
        switch (ev) {
          case "virtqueue_pop" -> {
            QReq q = new QReq();
            q.pop = ts;
            open.put(hexArg(line, " elem ", qemu, lineNo), q);
            lastPopped = q;
          }
          case "virtio_blk_handle_read", "virtio_blk_handle_write" -> {
            QReq q = open.get(hexArg(line, " req ", qemu, lineNo));
            if (q != null) {
              q.sector = decArg(line, " sector ", qemu, lineNo);
              q.sectors = (int) decArg(line, " nsectors ", qemu, lineNo);
            }
          }
          case "virtqueue_fill" -> {
            QReq q = open.remove(hexArg(line, " elem ", qemu, lineNo));
            if (q != null && q.sector >= 0) {
              q.fill = ts;
              done.add(q);
            }
          }
          default -> {
            if (ev.startsWith("vtd_")) vtd++;
            else if (ev.startsWith("virtio_iommu_map") || ev.startsWith("virtio_iommu_unmap")) virtioIommu++;
            else if (ev.startsWith("spapr_iommu_")) spapr++;
            if (ev.startsWith("vtd_inv_desc_iotlb") && lastPopped != null) {
              lastPopped.inv++;
              if (lastPopped.invFirst < 0) lastPopped.invFirst = ts;
              lastPopped.invLast = ts;
            }
          }
        }
      }
    }
    if (!anyLine) throw new TraceException(qemu + ": no QEMU trace lines (PID@SECONDS.MICROS:event) — is it a QEMU log of the 'log' trace backend?");
    int n = offset.length;
    if (done.size() < n) {
      throw new TraceException(qemu + ": " + done.size() + " virtio-blk requests with virtqueue_pop, virtio_blk_handle_* and virtqueue_fill, but the guest trace "
          + guest.getFileName() + " has " + n + ": enable virtqueue_pop, virtqueue_fill and virtio_blk_handle_read/write, or give the QEMU log of the same run");
    }
    int base = done.size() - n;
    for (int i = 0; i < n; i++) {
      QReq q = done.get(base + i);
      if (q.sector != offset[i] / 512 || q.sectors != length[i] / 512) {
        throw new TraceException(qemu + ": the last " + n + " virtio-blk requests are not the guest's: request " + (i + 1) + " of the guest trace is sector "
            + offset[i] / 512 + " + " + length[i] / 512 + ", the log's is sector " + q.sector + " + " + q.sectors + " (are the two files of the same run?)");
      }
      svc[i] = q.fill - q.pop;
      inv[i] = q.inv;
      invSpan[i] = q.inv == 0 ? 0 : q.invLast - q.invFirst;
    }
    return vtd > 0 ? "vtd" : virtioIommu > 0 ? "virtio-iommu" : spapr > 0 ? "spapr" : "";
  }

  /** "SECONDS.MICROS" between {@code from} and {@code to}, as ns. */
  static long parseSecondsNs(String s, int from, int to) {
    int dot = s.indexOf('.', from);
    if (dot < 0 || dot > to) throw new NumberFormatException();
    long sec = Long.parseLong(s, from, dot, 10);
    String frac = s.substring(dot + 1, to);
    if (frac.isEmpty() || frac.length() > 9) throw new NumberFormatException();
    long f = Long.parseLong(frac);
    for (int k = frac.length(); k < 9; k++) f *= 10;
    return sec * 1_000_000_000L + f;
  }

  private static long hexArg(String line, String key, Path file, long lineNo) {
    int i = line.indexOf(key);
    if (i < 0) throw TraceException.at(file.toString(), lineNo, "no '" + key.strip() + "' argument in '" + abbreviate(line) + "'");
    int s = i + key.length();
    if (line.startsWith("0x", s)) s += 2;
    int e = s;
    while (e < line.length() && Character.digit(line.charAt(e), 16) >= 0) e++;
    try {
      return Long.parseUnsignedLong(line, s, e, 16);
    } catch (NumberFormatException ex) {
      throw TraceException.at(file.toString(), lineNo, "'" + key.strip() + "' is not a hexadecimal pointer in '" + abbreviate(line) + "'");
    }
  }

  private static long decArg(String line, String key, Path file, long lineNo) {
    int i = line.indexOf(key);
    if (i < 0) throw TraceException.at(file.toString(), lineNo, "no '" + key.strip() + "' argument in '" + abbreviate(line) + "'");
    int s = i + key.length(), e = s;
    while (e < line.length() && Character.isDigit(line.charAt(e))) e++;
    try {
      return Long.parseLong(line, s, e, 10);
    } catch (NumberFormatException ex) {
      throw TraceException.at(file.toString(), lineNo, "'" + key.strip() + "' is not a number in '" + abbreviate(line) + "'");
    }
  }

  private static String abbreviate(String s) {
    return s.length() > 100 ? s.substring(0, 97) + "..." : s;
  }
}
