package org.vqsim.capture.blkparse;

import java.io.IOException;
import java.io.InputStream;
import org.vqsim.capture.TraceException;
import org.vqsim.capture.observed.ObservedEvents;
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
 * blkparse's default text output (blkparse(1), "DEFAULT OUTPUT FORMAT" {@code %D %2c %8s %5T.%9t %5p %2a %3d}):
 *
 * <pre>
 *    8,0    3        1     0.000000000   697  Q   R 223490 + 8 [dd]
 *    8,0    3        4     0.000030512   697  D   R 223490 + 8 [dd]
 *    8,0    3        5     0.000452019     0  C   R 223490 + 8 [0]
 *  dev    cpu  sequence   seconds      pid action rwbs sector + sectors [comm|error]
 * </pre>
 *
 * A request is a D (issued to the driver) paired with its C (completed) by device, sector and op;
 * Q, G, I, M, P, U and the other actions are counted but make no request. The per-CPU and total
 * summary blkparse prints at the end ("CPU0 (8,0):", "Total (8,0):", "Throughput …") ends the events.
 *
 * <p>A request's submitting CPU is the CPU column of its Q (the bio queued, on the submitting
 * task's CPU), or failing that of its I (inserted), matched to the D by device, sector and op; a
 * request with neither in the trace has CPU -1. The D's and C's own CPUs are where the request was
 * dispatched and completed, not where it was submitted.
 */
public final class BlkparseReader implements ObservedSource {
  private final LineReader in;
  private final LinePolicy policy;
  private final int devMajor, devMinor;
  private final ReaderCounters counters = new ReaderCounters();
  private final RequestPairer pairer;
  private final ObservedEvents observed = new ObservedEvents();
  private long firstTsNs = -1;
  private final TimeBase time = new TimeBase();
  private boolean eof, summary, sawEvent;
  private long otherActions;

  public BlkparseReader(InputStream in, String name, String deviceFilter, boolean skipBadLines) {
    this.in = new LineReader(in, name);
    this.policy = new LinePolicy(name, skipBadLines);
    if (deviceFilter != null) {
      int c = deviceFilter.indexOf(',');
      if (c < 0) throw new IllegalArgumentException("device must be MAJOR,MINOR (e.g. 8,0), not '" + deviceFilter + "'");
      devMajor = Integer.parseInt(deviceFilter.substring(0, c).strip());
      devMinor = Integer.parseInt(deviceFilter.substring(c + 1).strip());
    } else {
      devMajor = devMinor = -1;
    }
    pairer = new RequestPairer(1 << 16, counters);
  }

  @Override public ObservedEvents observed() { return observed; }

  @Override
  public ReaderCounters counters() {
    counters.skippedLines = policy.skipped();
    counters.firstSkipped = policy.firstSkipped();
    counters.notes.put("events other than D and C", Long.toString(otherActions));
    if (time.backwards() > 0) counters.notes.put(TimeBase.NOTE, Long.toString(time.backwards()));
    return counters;
  }

  @Override
  public boolean next(IoRequest into) throws IOException {
    while (true) {
      RequestPairer.Pending p = pairer.ready(eof);
      if (p != null) {
        p.emit(into, observed, time, firstTsNs);
        pairer.release(p);
        return true;
      }
      if (eof) return false;
      if (summary || !in.next()) {
        eof = true;
        if (!sawEvent) throw new TraceException(policy.file() + ": no blkparse events");
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
    if (!Ascii.isDigit(b[i])) {
      if (b[i] == 'C' || b[i] == 'T' || b[i] == 'E') { // "CPU0 (8,0):", "Total (8,0):", "Events (8,0): …" start the summary
        if (sawEvent) summary = true;
        return;
      }
      throw BadLine.of("not a blkparse event line: '" + Ascii.text(b, i, e) + "'");
    }
    int devEnd = Ascii.tokenEnd(b, i, e);
    int comma = Ascii.indexOf(b, i, devEnd, (byte) ',');
    if (comma < 0) throw BadLine.of("device '" + Ascii.text(b, i, devEnd) + "' is not MAJOR,MINOR");
    int major = (int) Ascii.decimal(b, i, comma, "device major");
    int minor = (int) Ascii.decimal(b, comma + 1, devEnd, "device minor");
    int p = Ascii.skipSpaces(b, devEnd, e);
    int cpuStart = p, cpuEnd = Ascii.tokenEnd(b, p, e);
    p = Ascii.skipSpaces(b, cpuEnd, e);
    p = Ascii.skipSpaces(b, Ascii.tokenEnd(b, p, e), e); // sequence
    int tEnd = Ascii.tokenEnd(b, p, e);
    long ts = Ascii.secondsToNs(b, p, tEnd, "timestamp");
    p = Ascii.skipSpaces(b, tEnd, e);
    p = Ascii.skipSpaces(b, Ascii.tokenEnd(b, p, e), e); // pid
    int aEnd = Ascii.tokenEnd(b, p, e);
    if (aEnd == p) throw BadLine.of("no action");
    sawEvent = true;
    boolean issue = aEnd - p == 1 && b[p] == 'D';
    boolean complete = aEnd - p == 1 && b[p] == 'C';
    boolean queued = aEnd - p == 1 && b[p] == 'Q';
    boolean inserted = aEnd - p == 1 && b[p] == 'I';
    if (!issue && !complete) otherActions++;
    if (!issue && !complete && !queued && !inserted) return;
    int r = Ascii.skipSpaces(b, aEnd, e);
    int rEnd = Ascii.tokenEnd(b, r, e);
    if (rEnd == r) throw BadLine.of("no rwbs");
    int op = opOf(b, r, rEnd);
    int sStart = Ascii.skipSpaces(b, rEnd, e);
    int sEnd = Ascii.tokenEnd(b, sStart, e);
    long sector = 0, sectors = 0;
    if (sStart < e && b[sStart] != '[' && b[sStart] != '(') {
      sector = Ascii.decimal(b, sStart, sEnd, "sector", true);
      int plus = Ascii.skipSpaces(b, sEnd, e);
      if (plus < e && b[plus] == '+') {
        int c = Ascii.skipSpaces(b, plus + 1, e);
        sectors = Ascii.decimal(b, c, Ascii.tokenEnd(b, c, e), "sector count");
      }
    }
    if (devMajor >= 0 && (major != devMajor || minor != devMinor)) {
      if (issue) counters.filtered++;
      return;
    }
    if (op < 0) {
      if (issue) counters.otherOps++;
      return;
    }
    long key = pairer.key(major, minor, (byte) op, sector);
    if (queued || inserted) {
      pairer.submitted(key, CpuNumber.parse(b, cpuStart, cpuEnd, "cpu"), queued);
      return;
    }
    if (firstTsNs < 0) firstTsNs = ts;
    if (issue) {
      long length = IoOp.hasData(op) || op == IoOp.DISCARD ? sectors * 512 : 0;
      if (IoOp.hasData(op) && length <= 0) throw BadLine.of(IoOp.letter(op) + " request of " + length + " bytes");
      if (length > Integer.MAX_VALUE) throw BadLine.of("request of " + length + " bytes is larger than 2 GiB");
      if (sector < 0 || sector > Long.MAX_VALUE >> 9) throw BadLine.of("sector " + Ascii.text(b, sStart, sEnd) + " is beyond the largest offset vqsim models (2^63 bytes)");
      TimeBase.check(ts - firstTsNs);
      pairer.issue(key, ts, (byte) op, op == IoOp.FLUSH ? 0 : sector * 512, (int) length);
    } else {
      pairer.complete(key, ts);
    }
  }

  /** rwbs as blktrace writes it: F (preflush) first, then W, R, D (discard), N; F alone (or FN) a flush. */
  static int opOf(byte[] b, int s, int e) {
    boolean flush = false;
    for (int i = s; i < e; i++) {
      switch (b[i]) {
        case 'W' -> { return IoOp.WRITE; }
        case 'R' -> { return IoOp.READ; }
        case 'D' -> { return IoOp.DISCARD; }
        case 'F' -> flush = true;
        default -> { }
      }
    }
    return flush ? IoOp.FLUSH : -1;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
