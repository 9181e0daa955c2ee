package org.vqsim.capture.ftrace;

import java.io.IOException;
import java.io.InputStream;
import org.vqsim.capture.TraceException;
import org.vqsim.capture.observed.ObservedEvents;
import org.vqsim.capture.observed.ObservedEvents.Counter;
import org.vqsim.capture.observed.ObservedSource;
import org.vqsim.capture.observed.ReaderCounters;
import org.vqsim.capture.observed.RequestPairer;
import org.vqsim.capture.text.Ascii;
import org.vqsim.capture.text.BadLine;
import org.vqsim.capture.text.CpuNumber;
import org.vqsim.capture.text.LinePolicy;
import org.vqsim.capture.text.LineReader;
import org.vqsim.capture.text.TimeBase;
import org.vqsim.engine.sim.IoOp;
import org.vqsim.engine.sim.IoRequest;

/**
 * Linux ftrace text ({@code /sys/kernel/tracing/trace}, {@code trace-cmd report}) with every event
 * vqsim understands: block requests paired issue → completion, and the DMA events of each one.
 *
 * <pre>
 *  TASK-PID   [CPU] FLAGS  TIMESTAMP: EVENT: ARGS                         (a tracepoint)
 *  TASK-PID   [CPU] FLAGS  TIMESTAMP: FUNCTION &lt;-CALLER                   (the function tracer)
 *
 *  block_rq_issue: 254,0 RS 4096 () 0 + 8 [kworker/0:1H]          (+ "be,0,6" ioprio on newer kernels)
 *  map: IOMMU: iova=0x00000000ffffb000 - 0x00000000ffffc000 paddr=0x0000000002aa6000 size=4096
 *  unmap: IOMMU: iova=0x00000000ffffa000 - 0x00000000ffffb000 size=4096 unmapped_size=4096
 *  swiotlb_bounced: dev_name: 0000:00:03.0 dma_mask=ffffffffffffffff dev_addr=2837000 size=4096 FORCE
 *  dma_iommu_map_page &lt;-dma_map_page_attrs      tce_buildmulti_pSeriesLP &lt;-iommu_alloc
 *  block_rq_complete: 254,0 RS () 0 + 8 [0]
 * </pre>
 *
 * <b>Attribution.</b> Map-phase events (iommu map, swiotlb_bounced, dma_iommu_map_*, tce_build*)
 * belong to the request issued last: the driver maps a request's buffers between its
 * block_rq_issue and the next block event (virtio_queue_rq runs right after the issue). Unmap-phase
 * events (iommu unmap, dma_iommu_unmap_*, tce_free*) are collected until the next
 * block_rq_complete and belong to that request: virtblk_done unmaps before the block layer ends
 * the request. With one request in flight (the lab traces) this is exact; with more it stays exact
 * for the map phase and for totals.
 *
 * <b>Hypercalls on pseries</b> (arch/powerpc/platforms/pseries/iommu.c, Linux 6.1):
 * {@code tce_build_pSeriesLP} issues H_PUT_TCE; {@code tce_buildmulti_pSeriesLP} issues one
 * H_PUT_TCE_INDIRECT unless it falls back to {@code tce_build_pSeriesLP} for a single page (seen
 * as the next call); {@code tce_freemulti_pSeriesLP} issues H_STUFF_TCE unless it falls back to
 * {@code tce_free_pSeriesLP} (H_PUT_TCE of 0). One call counts as one hypercall.
 *
 * <b>Submitting CPU.</b> A request's CPU is the {@code [CPU]} field of its {@code block_rq_insert}
 * event, or failing that of its {@code block_bio_queue} event (submit_bio, on the submitting
 * task's CPU), matched to the issue by device, sector and op; without either event it is -1.
 * {@code block_rq_issue}'s own CPU is not used: the request is dispatched there, often by a
 * kworker on another CPU.
 *
 * <pre>
 *  dd-1234     [002] ...1.  3.736459: block_bio_queue: 254,0 R 4768 + 8 [dd]
 *  dd-1234     [002] ...1.  3.736460: block_rq_insert: 254,0 RS 4096 () 4768 + 8 [dd]        → cpu 2
 *  kworker/0:1H-37 [000] .....  3.736886: block_rq_issue: 254,0 RS 4096 () 4768 + 8 [kworker/0:1H]
 * </pre>
 *
 * <p>Requests come out in issue order with their observed completion time; issues without
 * completion and completions without issue are tolerated and counted.
 */
public final class FtraceEventReader implements ObservedSource {
  /** The largest sector whose byte offset fits a long. */
  static final long MAX_SECTOR = Long.MAX_VALUE >> 9;
  private static final byte[] BLOCK_RQ_ISSUE = Ascii.bytes("block_rq_issue"), BLOCK_RQ_COMPLETE = Ascii.bytes("block_rq_complete"),
      BLOCK_RQ_INSERT = Ascii.bytes("block_rq_insert"), BLOCK_BIO_QUEUE = Ascii.bytes("block_bio_queue"), MAP = Ascii.bytes("map"), UNMAP = Ascii.bytes("unmap"),
      SWIOTLB_BOUNCED = Ascii.bytes("swiotlb_bounced"), SIZE = Ascii.bytes("size="), SPACE_SIZE = Ascii.bytes(" size="),
      ARROW = Ascii.bytes("<-"), PLUS = Ascii.bytes(" + "), CPU = Ascii.bytes("CPU "), CPUS = Ascii.bytes("cpus=");
  private static final byte[] DMA_IOMMU_MAP_PAGE = Ascii.bytes("dma_iommu_map_page"), DMA_IOMMU_MAP_SG = Ascii.bytes("dma_iommu_map_sg"),
      DMA_IOMMU_UNMAP_PAGE = Ascii.bytes("dma_iommu_unmap_page"), DMA_IOMMU_UNMAP_SG = Ascii.bytes("dma_iommu_unmap_sg"),
      TCE_BUILD = Ascii.bytes("tce_build_pSeriesLP"), TCE_BUILDMULTI = Ascii.bytes("tce_buildmulti_pSeriesLP"),
      TCE_FREE = Ascii.bytes("tce_free_pSeriesLP"), TCE_FREEMULTI = Ascii.bytes("tce_freemulti_pSeriesLP");

  private final LineReader in;
  private final LinePolicy policy;
  private final int devMajor, devMinor;
  private final ReaderCounters counters = new ReaderCounters();
  private final RequestPairer pairer;
  private final ObservedEvents observed = new ObservedEvents();
  private final ObservedEvents unmapPhase = new ObservedEvents();
  private RequestPairer.Pending mapTarget;
  private long firstTsNs = -1;
  private final TimeBase time = new TimeBase();
  private boolean eof;
  private boolean sawContent;
  // pseries fallbacks: a *multi call followed at once by its single-page helper is one hypercall
  private boolean buildMultiPending, freeMultiPending;
  private long inserts, bioQueues, functionCalls;
  // the current line: where it starts and its "[CPU]" field's ']' (-1 when it has none)
  private int lineStart, lineBracket;
  // the block event being parsed: its device and op (deviceAndOp)
  private int evMajor, evMinor, evOp;

  /**
   * @param deviceFilter "MAJOR,MINOR" to keep one device, or null for every device
   * @param skipBadLines count malformed lines instead of stopping at the first
   */
  public FtraceEventReader(InputStream in, String name, String deviceFilter, boolean skipBadLines) {
    this.in = new LineReader(in, name);
    this.policy = new LinePolicy(name, skipBadLines);
    if (deviceFilter != null) {
      int c = deviceFilter.indexOf(',');
      if (c < 0) throw new IllegalArgumentException("device must be MAJOR,MINOR (e.g. 254,0), not '" + deviceFilter + "'");
      devMajor = Integer.parseInt(deviceFilter.substring(0, c).strip());
      devMinor = Integer.parseInt(deviceFilter.substring(c + 1).strip());
    } else {
      devMajor = devMinor = -1;
    }
    this.pairer = new RequestPairer(1 << 16, counters);
  }

  @Override public ObservedEvents observed() { return observed; }

  @Override
  public ReaderCounters counters() {
    counters.skippedLines = policy.skipped();
    counters.firstSkipped = policy.firstSkipped();
    counters.notes.put("block_rq_insert events", Long.toString(inserts));
    if (bioQueues > 0) counters.notes.put("block_bio_queue events", Long.toString(bioQueues));
    counters.notes.put("function-tracer calls", Long.toString(functionCalls));
    if (time.backwards() > 0) counters.notes.put(TimeBase.NOTE, Long.toString(time.backwards()));
    return counters;
  }

  @Override
  public boolean next(IoRequest into) throws IOException {
    while (true) {
      RequestPairer.Pending p = pairer.ready(eof);
      if (p != null) {
        p.emit(into, observed, time, firstTsNs);
        org.vqsim.capture.observed.CapturedShape.apply(observed, into);
        if (p == mapTarget) mapTarget = null;
        pairer.release(p);
        return true;
      }
      if (eof) return false;
      if (!in.next()) {
        eof = true;
        if (!sawContent && in.lineNumber() == 0) throw new TraceException(policy.file() + ": empty trace");
        continue;
      }
      counters.lines++;
      try {
        line(in.buf(), in.start, in.end);
      } catch (BadLine b) {
        policy.bad(in.lineNumber(), b);
      }
    }
  }

  private void line(byte[] b, int s, int e) {
    int i = Ascii.skipSpaces(b, s, e);
    if (i == e) return;
    if (b[i] == '#') {
      sawContent = true;
      return;
    }
    if (Ascii.startsWith(b, i, e, CPU) || Ascii.startsWith(b, i, e, CPUS)) return; // trace-cmd report headers: "cpus=4", "CPU 0 is empty"
    // the CPU field "[000]" ends the task column (a task name may contain ':' but not "] ")
    int bracket = Ascii.indexOf(b, i, e, (byte) ']');
    lineStart = i;
    lineBracket = bracket;
    int from = bracket < 0 ? i : bracket + 1;
    int colon = Ascii.indexOf(b, from, e, (byte) ':');
    while (colon >= 0 && colon + 1 < e && b[colon + 1] != ' ') colon = Ascii.indexOf(b, colon + 1, e, (byte) ':');
    if (colon < 0) {
      if (!sawContent) throw BadLine.of("not an ftrace line (no 'TIMESTAMP:' field)");
      throw BadLine.of("no 'TIMESTAMP:' field");
    }
    int tsStart = colon;
    while (tsStart > from && b[tsStart - 1] != ' ') tsStart--;
    long ts = Ascii.secondsToNs(b, tsStart, colon, "timestamp");
    sawContent = true;
    int n = Ascii.skipSpaces(b, colon + 1, e);
    int nameEnd = n;
    while (nameEnd < e && b[nameEnd] != ':' && b[nameEnd] != ' ') nameEnd++;
    if (nameEnd < e && b[nameEnd] == ':') {
      // trace-cmd may print "block:block_rq_issue:" (system:event)
      int evStart = n, evEnd = nameEnd;
      int args = Ascii.skipSpaces(b, nameEnd + 1, e);
      if (args < e && nameEnd + 1 < e && b[nameEnd + 1] != ' ') {
        int second = args;
        while (second < e && b[second] != ':' && b[second] != ' ') second++;
        if (second < e && b[second] == ':') {
          evStart = nameEnd + 1;
          evEnd = second;
          args = Ascii.skipSpaces(b, second + 1, e);
        }
      }
      event(b, evStart, evEnd, args, e, ts);
    } else {
      function(b, n, nameEnd, e);
    }
  }

  private void event(byte[] b, int ns, int ne, int a, int e, long ts) {
    int len = ne - ns;
    if (len == BLOCK_RQ_ISSUE.length && Ascii.equals(b, ns, ne, BLOCK_RQ_ISSUE)) {
      block(b, a, e, ts, true);
    } else if (len == BLOCK_RQ_COMPLETE.length && Ascii.equals(b, ns, ne, BLOCK_RQ_COMPLETE)) {
      block(b, a, e, ts, false);
    } else if (len == MAP.length && Ascii.equals(b, ns, ne, MAP)) {
      long size = Ascii.decimalAfter(b, a, e, SIZE, "map size");
      settleMulti();
      counters.hasObservedEvents = true;
      if (mapTarget != null) {
        mapTarget.events.inc(Counter.MAPS);
        mapTarget.events.addMapSize((int) Math.min(size, Integer.MAX_VALUE));
      }
    } else if (len == UNMAP.length && Ascii.equals(b, ns, ne, UNMAP)) {
      Ascii.decimalAfter(b, a, e, SPACE_SIZE, "unmap size");
      settleMulti();
      counters.hasObservedEvents = true;
      unmapPhase.inc(Counter.UNMAPS);
    } else if (len == SWIOTLB_BOUNCED.length && Ascii.equals(b, ns, ne, SWIOTLB_BOUNCED)) {
      long size = Ascii.decimalAfter(b, a, e, SPACE_SIZE, "bounce size");
      settleMulti();
      counters.hasObservedEvents = true;
      if (mapTarget != null) {
        mapTarget.events.inc(Counter.BOUNCES);
        mapTarget.events.add(Counter.BOUNCE_BYTES, size);
        mapTarget.events.addBounceSize((int) Math.min(size, Integer.MAX_VALUE));
      }
    } else if (len == BLOCK_RQ_INSERT.length && Ascii.equals(b, ns, ne, BLOCK_RQ_INSERT)) {
      inserts++;
      submission(b, a, e, true);
    } else if (len == BLOCK_BIO_QUEUE.length && Ascii.equals(b, ns, ne, BLOCK_BIO_QUEUE)) {
      bioQueues++;
      submission(b, a, e, false);
    } else {
      counters.unknownEvents++;
    }
  }

  /** "dev rwbs [bytes] (cmd) sector + count ..." — issue has the byte count, completion does not. */
  private void block(byte[] b, int a, int e, long ts, boolean issue) {
    String ev = issue ? "block_rq_issue" : "block_rq_complete";
    int rEnd = deviceAndOp(b, a, e, ev);
    int major = evMajor, minor = evMinor, op = evOp;
    int p = Ascii.skipSpaces(b, rEnd, e);
    long bytes = -1;
    if (issue) {
      int bEnd = Ascii.tokenEnd(b, p, e);
      bytes = Ascii.decimal(b, p, bEnd, "byte count");
      p = bEnd;
    }
    int open = Ascii.indexOf(b, p, e, (byte) '(');
    int close = open < 0 ? -1 : Ascii.indexOf(b, open, e, (byte) ')');
    if (open < 0 || close < 0) throw BadLine.of(ev + " without the '()' command field");
    int sStart = Ascii.skipSpaces(b, close + 1, e);
    int plus = Ascii.indexOf(b, sStart, e, PLUS);
    if (plus < 0) throw BadLine.of(ev + " without 'SECTOR + COUNT'");
    long sector = Ascii.decimal(b, sStart, plus, "sector", true);
    int q = plus + 3, qEnd = q;
    while (qEnd < e && Ascii.isDigit(b[qEnd])) qEnd++;
    long sectors = Ascii.decimal(b, q, qEnd, "sector count");
    if (devMajor >= 0 && (major != devMajor || minor != devMinor)) {
      if (issue) {
        counters.filtered++;
        mapTarget = null;
      } else unmapPhase.clear();
      return;
    }
    if (op < 0) {
      if (issue) {
        counters.otherOps++;
        mapTarget = null;
      } else unmapPhase.clear();
      return;
    }
    settleMulti();
    if (firstTsNs < 0) firstTsNs = ts;
    if (issue) {
      long length = IoOp.hasData(op) || op == IoOp.DISCARD ? (bytes > 0 ? bytes : sectors * 512) : 0;
      if (IoOp.hasData(op) && length <= 0) throw BadLine.of(IoOp.letter(op) + " request of " + length + " bytes");
      if (length > Integer.MAX_VALUE) throw BadLine.of("request of " + length + " bytes is larger than 2 GiB");
      if ((sector < 0 || sector > MAX_SECTOR) && op != IoOp.FLUSH) throw BadLine.of("sector " + Ascii.text(b, sStart, plus) + " is beyond the largest offset vqsim models (2^63 bytes)");
      TimeBase.check(ts - firstTsNs);
      long key = pairer.key(major, minor, (byte) op, sector);
      mapTarget = pairer.issue(key, ts, (byte) op, op == IoOp.FLUSH ? 0 : sector * 512, (int) length);
      unmapPhase.clear(); // unmap events before an issue belong to no completion we saw
    } else {
      RequestPairer.Pending done = pairer.complete(pairer.key(major, minor, (byte) op, sector), ts);
      if (done != null) done.events.addAll(unmapPhase);
      unmapPhase.clear();
    }
  }

  /**
   * block_rq_insert ("dev rwbs bytes (cmd) sector + count …") or block_bio_queue ("dev rwbs sector +
   * count [comm]"): the line's CPU becomes the submitting CPU of the request issued next with this
   * device, sector and op. A line without a CPU field names none.
   */
  private void submission(byte[] b, int a, int e, boolean insert) {
    if (lineBracket < 0) return;
    int open = lineBracket;
    while (open > lineStart && b[open] != '[') open--;
    if (b[open] != '[') return;
    int c0 = Ascii.skipSpaces(b, open + 1, lineBracket);
    int cpu = CpuNumber.parse(b, c0, lineBracket, "CPU field");
    String ev = insert ? "block_rq_insert" : "block_bio_queue";
    int rEnd = deviceAndOp(b, a, e, ev);
    int major = evMajor, minor = evMinor, op = evOp;
    int close = insert ? Ascii.indexOf(b, rEnd, e, (byte) ')') : -1;
    int plus = Ascii.indexOf(b, close < 0 ? rEnd : close, e, PLUS);
    if (plus < 0) throw BadLine.of(ev + " without 'SECTOR + COUNT'");
    int sStart = plus;
    while (sStart > rEnd && b[sStart - 1] != ' ') sStart--;
    long sector = Ascii.decimal(b, sStart, plus, "sector", true);
    if (op < 0 || devMajor >= 0 && (major != devMajor || minor != devMinor)) return;
    pairer.submitted(pairer.key(major, minor, (byte) op, sector), cpu, insert);
  }

  /**
   * The "MAJOR,MINOR RWBS" that starts every block event's arguments at {@code a}: sets
   * {@link #evMajor}, {@link #evMinor} and {@link #evOp} (-1 for ops vqsim does not model) and
   * returns where the rwbs token ends.
   */
  private int deviceAndOp(byte[] b, int a, int e, String ev) {
    int comma = Ascii.indexOf(b, a, e, (byte) ',');
    int devEnd = Ascii.tokenEnd(b, a, e);
    if (comma < 0 || comma > devEnd) throw BadLine.of(ev + " device '" + Ascii.text(b, a, devEnd) + "' is not MAJOR,MINOR");
    evMajor = (int) Ascii.decimal(b, a, comma, "device major");
    evMinor = (int) Ascii.decimal(b, comma + 1, devEnd, "device minor");
    int r = Ascii.skipSpaces(b, devEnd, e);
    int rEnd = Ascii.tokenEnd(b, r, e);
    if (r == rEnd) throw BadLine.of(ev + " without rwbs");
    evOp = opOf(b, r, rEnd);
    return rEnd;
  }

  private void function(byte[] b, int ns, int ne, int e) {
    int arrow = Ascii.indexOf(b, ne, e, ARROW);
    if (arrow < 0) throw BadLine.of("neither 'EVENT: ARGS' nor 'FUNCTION <-CALLER' after the timestamp");
    functionCalls++;
    int dot = Ascii.indexOf(b, ns, ne, (byte) '.'); // tce_build_pSeriesLP.constprop.0
    if (dot >= 0) ne = dot;
    int len = ne - ns;
    if (len == TCE_BUILD.length && Ascii.equals(b, ns, ne, TCE_BUILD)) {
      // right after tce_buildmulti it is that call's single-page fallback: one H_PUT_TCE, no INDIRECT
      if (mapTarget != null) {
        mapTarget.events.inc(Counter.PUT_TCE);
        mapTarget.events.inc(Counter.HYPERCALLS);
      }
      buildMultiPending = false;
      counters.hasObservedEvents = true;
      return;
    }
    if (len == TCE_FREE.length && Ascii.equals(b, ns, ne, TCE_FREE)) {
      unmapPhase.inc(Counter.PUT_TCE);
      unmapPhase.inc(Counter.HYPERCALLS);
      freeMultiPending = false;
      counters.hasObservedEvents = true;
      return;
    }
    settleMulti();
    if (len == DMA_IOMMU_MAP_PAGE.length && Ascii.equals(b, ns, ne, DMA_IOMMU_MAP_PAGE)
        || len == DMA_IOMMU_MAP_SG.length && Ascii.equals(b, ns, ne, DMA_IOMMU_MAP_SG)) {
      if (mapTarget != null) mapTarget.events.inc(Counter.MAPS);
      counters.hasObservedEvents = true;
    } else if (len == DMA_IOMMU_UNMAP_PAGE.length && Ascii.equals(b, ns, ne, DMA_IOMMU_UNMAP_PAGE)
        || len == DMA_IOMMU_UNMAP_SG.length && Ascii.equals(b, ns, ne, DMA_IOMMU_UNMAP_SG)) {
      unmapPhase.inc(Counter.UNMAPS);
      counters.hasObservedEvents = true;
    } else if (len == TCE_BUILDMULTI.length && Ascii.equals(b, ns, ne, TCE_BUILDMULTI)) {
      buildMultiPending = true;
      counters.hasObservedEvents = true;
    } else if (len == TCE_FREEMULTI.length && Ascii.equals(b, ns, ne, TCE_FREEMULTI)) {
      freeMultiPending = true;
      counters.hasObservedEvents = true;
    }
  }

  /** A *multi TCE call not followed by its single-page fallback was a multi-TCE hypercall. */
  private void settleMulti() {
    if (buildMultiPending) {
      if (mapTarget != null) {
        mapTarget.events.inc(Counter.PUT_TCE_INDIRECT);
        mapTarget.events.inc(Counter.HYPERCALLS);
      }
      buildMultiPending = false;
    }
    if (freeMultiPending) {
      unmapPhase.inc(Counter.STUFF_TCE);
      unmapPhase.inc(Counter.HYPERCALLS);
      freeMultiPending = false;
    }
  }

  /** blk_fill_rwbs: an optional leading F (REQ_PREFLUSH), then W, R, D (discard), F (flush); N and others are not modelled. */
  static int opOf(byte[] b, int s, int e) {
    int i = s;
    if (b[i] == 'F' && e - s > 1 && "WRDFN".indexOf(b[i + 1]) >= 0) i++;
    return switch (b[i]) {
      case 'R' -> IoOp.READ;
      case 'W' -> IoOp.WRITE;
      case 'D' -> IoOp.DISCARD;
      case 'F' -> IoOp.FLUSH;
      default -> -1;
    };
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
