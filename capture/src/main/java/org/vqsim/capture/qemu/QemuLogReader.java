package org.vqsim.capture.qemu;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Locale;
import org.vqsim.capture.TraceException;
import org.vqsim.capture.observed.ObservedEvents;
import org.vqsim.capture.observed.ObservedEvents.Counter;
import org.vqsim.capture.observed.ObservedSource;
import org.vqsim.capture.observed.ReaderCounters;
import org.vqsim.capture.text.Ascii;
import org.vqsim.capture.text.BadLine;
import org.vqsim.capture.text.LinePolicy;
import org.vqsim.capture.text.LineReader;
import org.vqsim.capture.text.StreamOpener;
import org.vqsim.capture.text.TimeBase;
import org.vqsim.engine.sim.IoOp;
import org.vqsim.engine.sim.IoRequest;

/**
 * QEMU's {@code log} trace backend, read as the virtio-blk requests of the workload with what the
 * host saw for each one.
 *
 * <pre>
 *  6178@1795482261.580051:virtio_blk_handle_read vdev 0x557a6c511000 req 0x557a6c3d6ec0 sector 0 nsectors 1
 *  PID @SECONDS.MICROS   :EVENT                  ARGS                                  (QEMU 7.x–9.x)
 *  2025-08-29T18:05:10.123456Z qemu-system-x86_64(6178:IO iothread0): virtio_blk_handle_read vdev ...
 *  ISO-8601 timestamp          program(PID:THREAD):                    EVENT ARGS      (newer releases)
 * </pre>
 *
 * A request is a {@code virtio_blk_handle_read/write} ({@code sector}, {@code nsectors} in 512-byte
 * units) completed by {@code virtio_blk_rw_complete} / {@code virtio_blk_req_complete} of the same
 * {@code req}. Kicks, interrupts, vtd_* invalidations and IOTLB hits/misses, translations,
 * virtio_iommu_map/unmap and spapr_iommu_* hypercalls are counted into a bucket that closes at the
 * interrupt after a completion (or at {@code virtqueue_flush} when the log has no
 * {@code virtio_notify*} events, as on pseries) and is attached to that request. So one request's
 * figures are: the previous request's unmaps, its own maps, kick, translations, completion and
 * interrupt — exact for the lab traces' one-in-flight runs and exact in total for any run; what is
 * left after the last completion (its unmaps) goes to the last request. Unknown events are
 * skipped and counted.
 *
 * <p><b>The workload window.</b> These logs run from boot: the partition scan and other boot-time
 * I/O come first. With an idle gap G &gt; 0 (default 1 s) the reader keeps only what lies between
 * the last stretch of at least G with no log line at all that is followed by a virtio-blk request
 * and the first such stretch after the last request (the guest idles before and after its
 * workload; boot I/O never pauses that long between requests in the lab logs). This needs a
 * first, cheap pass over the file — hence a {@link StreamOpener}. G = 0 keeps the whole log.
 */
public final class QemuLogReader implements ObservedSource {
  /** The default idle gap that separates boot I/O from the workload, seconds. */
  public static final double DEFAULT_IDLE_GAP_S = 1.0;

  private static final int E_NOTIFY = 1, E_INTERRUPT = 2, E_POP = 3, E_FILL = 4, E_FLUSH = 5, E_READ = 6, E_WRITE = 7, E_RW_COMPLETE = 8,
      E_REQ_COMPLETE = 9, E_INVALIDATE = 10, E_IOTLB_HIT = 11, E_IOTLB_MISS = 12, E_TRANSLATE = 13, E_VIOMMU_MAP = 14,
      E_VIOMMU_UNMAP = 15, E_PUT = 16, E_INDIRECT = 17, E_STUFF = 18, E_KNOWN = 19, E_VIOMMU_ATTACH = 20;
  private static final byte[][] NAMES;
  private static final int[] CODES;
  private static final byte[] VTD_INV_DESC = Ascii.bytes("vtd_inv_desc_"), VTD_INV_DESC_WAIT = Ascii.bytes("vtd_inv_desc_wait"),
      VTD = Ascii.bytes("vtd_"), VIRTIO_IOMMU = Ascii.bytes("virtio_iommu_"), SPAPR_IOMMU = Ascii.bytes("spapr_iommu_"),
      VIRTIO = Ascii.bytes("virtio_"), VIRTQUEUE = Ascii.bytes("virtqueue_"), REQ = Ascii.bytes(" req "), SECTOR = Ascii.bytes(" sector "),
      NSECTORS = Ascii.bytes(" nsectors "), PAREN_COLON = Ascii.bytes("): ");

  static {
    Object[][] t = {
        {"virtio_queue_notify", E_NOTIFY}, {"virtio_notify", E_INTERRUPT}, {"virtio_notify_irqfd", E_INTERRUPT},
        {"virtio_notify_irqfd_deferred_fn", E_KNOWN}, {"virtqueue_pop", E_POP}, {"virtqueue_fill", E_FILL}, {"virtqueue_flush", E_FLUSH},
        {"virtio_blk_handle_read", E_READ}, {"virtio_blk_handle_write", E_WRITE}, {"virtio_blk_rw_complete", E_RW_COMPLETE},
        {"virtio_blk_req_complete", E_REQ_COMPLETE}, {"vtd_iotlb_page_hit", E_IOTLB_HIT}, {"vtd_iotlb_page_update", E_IOTLB_MISS},
        {"vtd_dmar_translate", E_TRANSLATE}, {"virtio_iommu_translate", E_TRANSLATE}, {"spapr_iommu_xlate", E_TRANSLATE},
        {"virtio_iommu_map", E_VIOMMU_MAP}, {"virtio_iommu_unmap", E_VIOMMU_UNMAP}, {"virtio_iommu_attach", E_VIOMMU_ATTACH},
        {"spapr_iommu_put", E_PUT}, {"spapr_iommu_pci_put", E_PUT}, {"spapr_iommu_indirect", E_INDIRECT},
        {"spapr_iommu_pci_indirect", E_INDIRECT}, {"spapr_iommu_stuff", E_STUFF}, {"spapr_iommu_pci_stuff", E_STUFF}};
    NAMES = new byte[t.length][];
    CODES = new int[t.length];
    for (int i = 0; i < t.length; i++) {
      NAMES[i] = Ascii.bytes((String) t[i][0]);
      CODES[i] = (Integer) t[i][1];
    }
  }

  /** One virtio-blk request in flight. */
  private static final class Req {
    long ptr;
    long ts;
    byte op;
    long offset;
    int length;
    boolean completed, closed;
    final ObservedEvents events = new ObservedEvents();
  }

  private final StreamOpener opener;
  private final LinePolicy policy;
  private final long idleGapNs;
  private final ReaderCounters counters = new ReaderCounters();
  private final ObservedEvents observed = new ObservedEvents();
  private final ObservedEvents bucket = new ObservedEvents();
  private final HashMap<Long, Req> byPtr = new HashMap<>();
  private final ArrayDeque<Req> fifo = new ArrayDeque<>();
  private final ArrayDeque<Req> awaitingClose = new ArrayDeque<>();
  private final ArrayDeque<Req> free = new ArrayDeque<>();
  private LineReader in;
  private long windowStart = Long.MIN_VALUE, windowEnd = Long.MAX_VALUE;
  private boolean closeOnFlush;
  private boolean end;
  private Req lastClosed;
  private long lastCompletedPtr = -1;
  private long firstTsNs = -1;
  private final TimeBase time = new TimeBase();
  private long attaches;
  private final HashMap<String, Long> unknownNames = new HashMap<>();
  // the parsed line
  private long ts;
  private int nameStart, nameEnd, argsStart;

  /**
   * @param idleGapSeconds the idle gap that marks the workload window (0: the whole log)
   */
  public QemuLogReader(StreamOpener opener, String name, double idleGapSeconds, boolean skipBadLines) throws IOException {
    if (!(idleGapSeconds >= 0)) throw new IllegalArgumentException("the idle gap must be ≥ 0 seconds, not " + idleGapSeconds);
    this.opener = opener;
    this.policy = new LinePolicy(name, skipBadLines);
    this.idleGapNs = (long) (idleGapSeconds * 1e9);
    scan();
    in = new LineReader(opener.open(), policy.file());
  }

  /** First pass: the workload window, and whether the log has interrupts at all. */
  private void scan() throws IOException {
    long prev = Long.MIN_VALUE, candidate = Long.MIN_VALUE, start = Long.MIN_VALUE, endTs = Long.MAX_VALUE;
    boolean sawRequest = false, endOpen = false, notifies = false, any = false;
    try (LineReader r = new LineReader(opener.open(), policy.file())) {
      while (r.next()) {
        byte[] b = r.buf();
        try {
          if (!header(b, r.start, r.end)) continue;
        } catch (BadLine e) {
          continue; // reported by the second pass
        }
        any = true;
        if (prev != Long.MIN_VALUE && idleGapNs > 0 && ts - prev >= idleGapNs) {
          candidate = ts;
          if (sawRequest && endOpen) {
            endTs = prev;
            endOpen = false;
          }
        }
        prev = ts;
        int code = code(b);
        if (code == E_READ || code == E_WRITE) {
          if (candidate != Long.MIN_VALUE) {
            start = candidate;
            candidate = Long.MIN_VALUE;
          }
          sawRequest = true;
          endOpen = true;
          endTs = Long.MAX_VALUE;
        } else if (code == E_INTERRUPT) notifies = true;
      }
    }
    if (!any) throw new TraceException(policy.file() + ": no QEMU trace events (expected lines like 'PID@SEC.USEC:virtqueue_pop ...')");
    if (idleGapNs > 0) {
      windowStart = start;
      windowEnd = endTs;
    }
    closeOnFlush = !notifies;
    counters.notes.put("workload window", idleGapNs == 0 ? "whole log"
        : String.format(Locale.ROOT, "after the last idle gap of ≥ %.3g s before the first request%s", idleGapNs / 1e9,
            windowStart == Long.MIN_VALUE ? " (none: whole log)" : ""));
    counters.notes.put("completion bucket closes at", closeOnFlush ? "virtqueue_flush (no virtio_notify events)" : "the interrupt after a completion");
  }

  @Override public ObservedEvents observed() { return observed; }

  @Override
  public ReaderCounters counters() {
    counters.skippedLines = policy.skipped();
    counters.firstSkipped = policy.firstSkipped();
    counters.notes.put("virtio-iommu attach requests", Long.toString(attaches));
    if (time.backwards() > 0) counters.notes.put(TimeBase.NOTE, Long.toString(time.backwards()));
    if (!unknownNames.isEmpty()) {
      StringBuilder s = new StringBuilder();
      unknownNames.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue(), a.getValue())).limit(8)
          .forEach(en -> s.append(s.length() == 0 ? "" : ", ").append(en.getKey()).append(' ').append(en.getValue()));
      counters.notes.put("unknown events", s.toString());
    }
    return counters;
  }

  @Override
  public boolean next(IoRequest into) throws IOException {
    while (true) {
      Req head = fifo.peek();
      if (head != null && head.closed && (head != lastClosed || end)) {
        fifo.poll();
        into.set(time.emit(head.ts - firstTsNs), head.op, head.offset, head.length);
        observed.copyFrom(head.events);
        if (observed.completeNs >= 0) observed.completeNs -= firstTsNs;
        if (head == lastClosed) lastClosed = null;
        if (free.size() < 1024) free.push(head);
        return true;
      }
      if (end) return false;
      if (fifo.size() > (1 << 16)) forceClose(fifo.peek());
      if (!in.next()) {
        finish();
        continue;
      }
      counters.lines++;
      byte[] b = in.buf();
      try {
        if (!header(b, in.start, in.end)) continue;
        if (ts < windowStart) continue;
        if (ts > windowEnd) {
          finish();
          continue;
        }
        event(b, code(b), in.end);
      } catch (BadLine bad) {
        policy.bad(in.lineNumber(), bad);
      }
    }
  }

  private void finish() {
    if (end) return;
    end = true;
    Req target = lastClosed != null ? lastClosed : fifo.peekLast();
    if (target != null) target.events.addAll(bucket);
    bucket.clear();
    for (Req r : fifo) {
      if (!r.closed) {
        if (!r.completed) counters.issuesWithoutCompletion++;
        r.closed = true;
      }
    }
  }

  private void forceClose(Req r) {
    if (!r.completed) counters.issuesWithoutCompletion++;
    r.completed = true;
    r.closed = true;
    awaitingClose.remove(r);
    byPtr.remove(r.ptr, r);
  }

  private void event(byte[] b, int code, int e) {
    switch (code) {
      case E_NOTIFY -> bucket.inc(Counter.KICKS);
      case E_INTERRUPT -> {
        bucket.inc(Counter.INTERRUPTS);
        if (!closeOnFlush) closeAwaiting();
      }
      case E_FLUSH -> {
        if (closeOnFlush) closeAwaiting();
      }
      case E_READ, E_WRITE -> handle(b, e, code == E_READ ? IoOp.READ : IoOp.WRITE);
      case E_RW_COMPLETE, E_REQ_COMPLETE -> complete(b, e, code == E_REQ_COMPLETE);
      case E_INVALIDATE -> dma(Counter.INVALIDATIONS);
      case E_IOTLB_HIT -> dma(Counter.IOTLB_HITS);
      case E_IOTLB_MISS -> dma(Counter.IOTLB_MISSES);
      case E_TRANSLATE -> dma(Counter.TRANSLATIONS);
      case E_VIOMMU_MAP -> dma(Counter.MAPS);
      case E_VIOMMU_UNMAP -> { // an UNMAP request is virtio-iommu's invalidation: QEMU drops the mapping and notifies its IOMMU listeners
        dma(Counter.UNMAPS);
        dma(Counter.INVALIDATIONS);
      }
      case E_VIOMMU_ATTACH -> attaches++;
      case E_PUT -> hcall(Counter.PUT_TCE);
      case E_INDIRECT -> hcall(Counter.PUT_TCE_INDIRECT);
      case E_STUFF -> hcall(Counter.STUFF_TCE);
      case E_POP, E_FILL, E_KNOWN -> { }
      default -> {
        counters.unknownEvents++;
        if (unknownNames.size() < 256) unknownNames.merge(Ascii.text(b, nameStart, nameEnd), 1L, Long::sum);
      }
    }
  }

  private void dma(Counter c) {
    bucket.inc(c);
    counters.hasObservedEvents = true;
  }

  private void hcall(Counter c) {
    bucket.inc(c);
    bucket.inc(Counter.HYPERCALLS);
    counters.hasObservedEvents = true;
  }

  private void closeAwaiting() {
    Req first = awaitingClose.poll();
    if (first == null) return;
    first.events.addAll(bucket);
    bucket.clear();
    first.closed = true;
    lastClosed = first;
    Req r;
    while ((r = awaitingClose.poll()) != null) {
      r.closed = true;
      lastClosed = r;
    }
  }

  private void handle(byte[] b, int e, byte op) {
    long ptr = hexAfter(b, argsStart, e, REQ, "req");
    long sector = decAfter(b, argsStart, e, SECTOR, "sector");
    long nsectors = decAfter(b, argsStart, e, NSECTORS, "nsectors");
    if (nsectors <= 0 || nsectors * 512 > Integer.MAX_VALUE) throw BadLine.of("request of " + nsectors + " sectors (1 to 4194303)");
    if (sector > Long.MAX_VALUE >> 9) throw BadLine.of("sector " + sector + " is beyond the largest offset vqsim models (2^63 bytes)");
    if (firstTsNs >= 0) TimeBase.check(ts - firstTsNs);
    Req old = byPtr.get(ptr);
    if (old != null && !old.completed) forceClose(old);
    Req r = free.isEmpty() ? new Req() : free.pop();
    r.ptr = ptr;
    r.ts = ts;
    r.op = op;
    r.offset = sector * 512;
    r.length = (int) (nsectors * 512);
    r.completed = r.closed = false;
    r.events.clear();
    if (firstTsNs < 0) firstTsNs = ts;
    byPtr.put(ptr, r);
    fifo.add(r);
  }

  private void complete(byte[] b, int e, boolean last) {
    long ptr = hexAfter(b, argsStart, e, REQ, "req");
    Req r = byPtr.get(ptr);
    if (r == null || r.completed) {
      if (r == null && !(last && ptr == lastCompletedPtr)) counters.completionsWithoutIssue++;
      if (last && r != null) byPtr.remove(ptr);
      return;
    }
    r.completed = true;
    r.events.completeNs = ts;
    lastCompletedPtr = ptr;
    awaitingClose.add(r);
    if (last) byPtr.remove(ptr);
  }

  /** Parses the line's prefix into ts / nameStart / nameEnd / argsStart; false for a blank line. */
  private boolean header(byte[] b, int s, int e) {
    int i = Ascii.skipSpaces(b, s, e);
    if (i == e) return false;
    if (Ascii.isDigit(b[i])) {
      int j = i;
      while (j < e && Ascii.isDigit(b[j])) j++;
      if (j < e && b[j] == '@') {
        int colon = Ascii.indexOf(b, j + 1, e, (byte) ':');
        if (colon < 0) throw BadLine.of("no ':' after 'PID@SECONDS.MICROS'");
        ts = Ascii.secondsToNs(b, j + 1, colon, "timestamp");
        name(b, colon + 1, e);
        return true;
      }
      if (j - i == 4 && j < e && b[j] == '-') {
        int sp = Ascii.tokenEnd(b, i, e);
        ts = iso8601(b, i, sp);
        int rest = Ascii.skipSpaces(b, sp, e);
        // an old-style "PID@SEC.USEC:" may still follow; else "program(PID:THREAD): EVENT" or "[guest] ...: EVENT"
        int k = rest;
        while (k < e && Ascii.isDigit(b[k])) k++;
        if (k > rest && k < e && b[k] == '@') {
          int colon = Ascii.indexOf(b, k + 1, e, (byte) ':');
          if (colon < 0) throw BadLine.of("no ':' after 'PID@SECONDS.MICROS'");
          name(b, colon + 1, e);
          return true;
        }
        int pc = Ascii.indexOf(b, rest, e, PAREN_COLON);
        if (pc >= 0) {
          name(b, pc + 3, e);
          return true;
        }
        int c = rest;
        while (c < e && !(b[c] == ':' && c + 1 < e && b[c + 1] == ' ')) c++;
        name(b, c < e ? c + 2 : rest, e);
        return true;
      }
    }
    throw BadLine.of("not a QEMU log trace line (expected 'PID@SECONDS.MICROS:EVENT ARGS' or an ISO-8601 timestamp): '" + Ascii.text(b, i, e) + "'");
  }

  private void name(byte[] b, int from, int e) {
    int n = Ascii.skipSpaces(b, from, e);
    int ne = n;
    while (ne < e && b[ne] != ' ' && b[ne] != '\t') ne++;
    if (ne == n) throw BadLine.of("no event name");
    nameStart = n;
    nameEnd = ne;
    argsStart = ne;
  }

  private int code(byte[] b) {
    int len = nameEnd - nameStart;
    for (int i = 0; i < NAMES.length; i++) {
      byte[] n = NAMES[i];
      if (n.length == len && b[nameStart + len - 1] == n[len - 1] && Ascii.equals(b, nameStart, nameEnd, n)) return CODES[i];
    }
    if (Ascii.startsWith(b, nameStart, nameEnd, VTD_INV_DESC)) return Ascii.startsWith(b, nameStart, nameEnd, VTD_INV_DESC_WAIT) ? E_KNOWN : E_INVALIDATE;
    if (Ascii.startsWith(b, nameStart, nameEnd, VTD) || Ascii.startsWith(b, nameStart, nameEnd, VIRTIO_IOMMU)
        || Ascii.startsWith(b, nameStart, nameEnd, SPAPR_IOMMU) || Ascii.startsWith(b, nameStart, nameEnd, VIRTQUEUE)
        || Ascii.startsWith(b, nameStart, nameEnd, VIRTIO)) return E_KNOWN;
    return 0;
  }

  private static long hexAfter(byte[] b, int from, int e, byte[] key, String what) {
    int at = Ascii.indexOf(b, from, e, key);
    if (at < 0) throw BadLine.of("no '" + what + "' argument");
    int s = at + key.length;
    return Ascii.hex(b, s, Ascii.tokenEnd(b, s, e), what);
  }

  private static long decAfter(byte[] b, int from, int e, byte[] key, String what) {
    int at = Ascii.indexOf(b, from, e, key);
    if (at < 0) throw BadLine.of("no '" + what + "' argument");
    int s = at + key.length;
    return Ascii.decimal(b, s, Ascii.tokenEnd(b, s, e), what);
  }

  /** {@code YYYY-MM-DDTHH:MM:SS[.fraction][Z|±HH:MM]} → ns since the epoch (UTC). */
  static long iso8601(byte[] b, int s, int e) {
    if (e - s < 19 || b[s + 4] != '-' || b[s + 7] != '-' || (b[s + 10] != 'T' && b[s + 10] != ' ') || b[s + 13] != ':' || b[s + 16] != ':') {
      throw BadLine.of("timestamp '" + Ascii.text(b, s, e) + "' is not ISO-8601");
    }
    long y = Ascii.decimal(b, s, s + 4, "year"), mo = Ascii.decimal(b, s + 5, s + 7, "month"), d = Ascii.decimal(b, s + 8, s + 10, "day");
    long h = Ascii.decimal(b, s + 11, s + 13, "hour"), mi = Ascii.decimal(b, s + 14, s + 16, "minute"), sec = Ascii.decimal(b, s + 17, s + 19, "second");
    // the bounds also keep ns since the epoch within a long (years 1970..2200)
    if (y < 1970 || y > 2200 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) {
      throw BadLine.of("timestamp '" + Ascii.text(b, s, e) + "' is not a valid date and time (years 1970 to 2200)");
    }
    int i = s + 19;
    long frac = 0;
    if (i < e && b[i] == '.') {
      int digits = 0;
      i++;
      while (i < e && Ascii.isDigit(b[i])) {
        if (digits < 9) {
          frac = frac * 10 + (b[i] - '0');
          digits++;
        }
        i++;
      }
      for (; digits < 9; digits++) frac *= 10;
    }
    long offsetS = 0;
    if (i < e && (b[i] == '+' || b[i] == '-') && e - i >= 6) {
      long oh = Ascii.decimal(b, i + 1, i + 3, "zone hours"), om = Ascii.decimal(b, i + 4, i + 6, "zone minutes");
      if (oh > 23 || om > 59) throw BadLine.of("time zone in '" + Ascii.text(b, s, e) + "' is not ±HH:MM");
      offsetS = (b[i] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
    }
    // days from civil (H. Hinnant)
    long yy = mo <= 2 ? y - 1 : y;
    long era = Math.floorDiv(yy, 400);
    long yoe = yy - era * 400;
    long doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    long days = era * 146097 + doe - 719468;
    return ((days * 86400 + h * 3600 + mi * 60 + sec) - offsetS) * 1_000_000_000L + frac;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
