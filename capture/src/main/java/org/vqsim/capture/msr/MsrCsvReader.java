package org.vqsim.capture.msr;

import java.io.IOException;
import java.io.InputStream;
import org.vqsim.capture.TraceException;
import org.vqsim.capture.observed.ObservedEvents;
import org.vqsim.capture.observed.ObservedSource;
import org.vqsim.capture.observed.ReaderCounters;
import org.vqsim.capture.text.Ascii;
import org.vqsim.capture.text.BadLine;
import org.vqsim.capture.text.LinePolicy;
import org.vqsim.capture.text.LineReader;
import org.vqsim.capture.text.TimeBase;
import org.vqsim.engine.sim.IoOp;
import org.vqsim.engine.sim.IoRequest;

/**
 * The MSR Cambridge block traces as SNIA IOTTA distributes them: CSV, one request per line, an
 * optional header.
 *
 * <pre>
 *  Timestamp,Hostname,DiskNumber,Type,Offset,Size,ResponseTime
 *  128166372003061629,hm,1,Read,3551232,4096,1953
 *  Windows FILETIME (100 ns ticks since 1601) , host, disk, Read|Write, bytes, bytes, 100 ns ticks
 * </pre>
 *
 * The request's time is its timestamp relative to the first one; the response time gives the
 * observed completion. {@code disk} keeps one DiskNumber.
 */
public final class MsrCsvReader implements ObservedSource {
  private static final byte[] READ = Ascii.bytes("Read"), WRITE = Ascii.bytes("Write"), HEADER = Ascii.bytes("Timestamp,");
  private final LineReader in;
  private final LinePolicy policy;
  private final Integer disk;
  private final ReaderCounters counters = new ReaderCounters();
  private final ObservedEvents observed = new ObservedEvents();
  private long firstTicks = -1;
  private final TimeBase time = new TimeBase();
  private boolean sawRow;
  private final int[] comma = new int[6];

  public MsrCsvReader(InputStream in, String name, Integer disk, boolean skipBadLines) {
    this.in = new LineReader(in, name);
    this.policy = new LinePolicy(name, skipBadLines);
    this.disk = disk;
  }

  @Override public ObservedEvents observed() { return observed; }

  @Override
  public ReaderCounters counters() {
    counters.skippedLines = policy.skipped();
    counters.firstSkipped = policy.firstSkipped();
    if (time.backwards() > 0) counters.notes.put(TimeBase.NOTE, Long.toString(time.backwards()));
    return counters;
  }

  @Override
  public boolean next(IoRequest into) throws IOException {
    while (in.next()) {
      counters.lines++;
      try {
        if (row(in.buf(), in.start, in.end, into)) return true;
      } catch (BadLine b) {
        policy.bad(in.lineNumber(), b);
      }
    }
    if (!sawRow && in.lineNumber() == 0) throw new TraceException(policy.file() + ": empty trace");
    return false;
  }

  private boolean row(byte[] b, int s, int e, IoRequest into) {
    if (s == e) return false;
    if (in.lineNumber() == 1 && Ascii.startsWith(b, s, e, HEADER)) return false;
    int n = 0;
    for (int i = s; i < e && n < 6; i++) if (b[i] == ',') comma[n++] = i;
    if (n < 6) throw BadLine.of("expected 7 fields Timestamp,Hostname,DiskNumber,Type,Offset,Size,ResponseTime, found " + (n + 1));
    long ticks = Ascii.decimal(b, s, comma[0], "Timestamp");
    long diskNo = Ascii.decimal(b, comma[1] + 1, comma[2], "DiskNumber");
    int ts = comma[2] + 1, te = comma[3];
    int op;
    if (Ascii.equals(b, ts, te, READ)) op = IoOp.READ;
    else if (Ascii.equals(b, ts, te, WRITE)) op = IoOp.WRITE;
    else throw BadLine.of("Type '" + Ascii.text(b, ts, te) + "' is neither Read nor Write");
    long offset = Ascii.decimal(b, comma[3] + 1, comma[4], "Offset");
    long size = Ascii.decimal(b, comma[4] + 1, comma[5], "Size");
    int rEnd = e;
    while (rEnd > comma[5] + 1 && (b[rEnd - 1] == ' ' || b[rEnd - 1] == ',')) rEnd--;
    long response = Ascii.decimal(b, comma[5] + 1, rEnd, "ResponseTime");
    if (size <= 0 || size > Integer.MAX_VALUE) throw BadLine.of("Size " + size + " is not a request length");
    sawRow = true;
    if (disk != null && diskNo != disk) {
      counters.filtered++;
      return false;
    }
    if (response > TimeBase.MAX_NS / 100) throw BadLine.of("ResponseTime " + response + " is longer than 100 days");
    if (firstTicks < 0) firstTicks = ticks;
    long relTicks = ticks - firstTicks; // both ≥ 0: no overflow
    if (relTicks > TimeBase.MAX_NS / 100) throw BadLine.of("Timestamp " + ticks + " is " + relTicks / 10_000_000 + " s after the first row's; vqsim replays at most 100 days");
    long rel = relTicks < 0 ? -1 : relTicks * 100; // earlier than the first row: clamped below (100 × a large negative would overflow)
    long at = time.emit(rel);
    into.set(at, (byte) op, offset, (int) size);
    observed.clear();
    observed.completeNs = Math.max(at, rel + response * 100);
    return true;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
