package org.vqsim.capture.fio;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.PriorityQueue;
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
 * fio's I/O log ({@code --write_iolog}, fio(1) "TRACE FILE FORMAT"):
 *
 * <pre>
 *  fio version 2 iolog                    fio version 3 iolog
 *  /tmp/f add                             24 /tmp/f add
 *  /tmp/f open                            222 /tmp/f open
 *  /tmp/f read 1011712 4096               227 /tmp/f read 1011712 4096
 *  /tmp/f wait 1000                       3346 /tmp/f close
 *  /tmp/f close                           TIMESTAMP (µs since the run started) FILE ACTION [OFFSET LENGTH]
 * </pre>
 *
 * read → R, write → W, sync/datasync → F, trim → D; add/open/close/unlink make no request. In
 * version 2 a {@code wait N} advances the clock by N µs (requests are otherwise closed-loop, time
 * 0). Version 3 stamps every line with microseconds ({@code utime_since_now} in fio's
 * {@code log_io_u}); threads write concurrently, so lines are not strictly ordered: they are sorted
 * within a window of {@value #REORDER_WINDOW} lines, and a line later than the window allows is
 * emitted at the last emitted time (counted in the notes).
 */
public final class FioIologReader implements ObservedSource {
  /** Lines held back to restore timestamp order in version 3 logs. */
  public static final int REORDER_WINDOW = 4096;
  private static final byte[] V2 = Ascii.bytes("fio version 2 iolog"), V3 = Ascii.bytes("fio version 3 iolog");

  private static final class Entry implements Comparable<Entry> {
    long ts, seq, offset;
    byte op;
    int length;

    @Override
    public int compareTo(Entry o) {
      int c = Long.compare(ts, o.ts);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }

  private final LineReader in;
  private final LinePolicy policy;
  private final ReaderCounters counters = new ReaderCounters();
  private final ObservedEvents observed = new ObservedEvents();
  private final PriorityQueue<Entry> window = new PriorityQueue<>();
  private final ArrayDeque<Entry> free = new ArrayDeque<>();
  private int version;
  private boolean eof;
  private long seq, clockUs, lastEmittedNs = Long.MIN_VALUE, firstNs = -1, late;
  private long fileActions;

  public FioIologReader(InputStream in, String name, boolean skipBadLines) {
    this.in = new LineReader(in, name);
    this.policy = new LinePolicy(name, skipBadLines);
  }

  /** 2 or 3, once the header is read. */
  public int version() { return version; }

  @Override public ObservedEvents observed() { return observed; }

  @Override
  public ReaderCounters counters() {
    counters.skippedLines = policy.skipped();
    counters.firstSkipped = policy.firstSkipped();
    counters.notes.put("iolog version", Integer.toString(version));
    counters.notes.put("file actions (add/open/close)", Long.toString(fileActions));
    if (version == 3) counters.notes.put("lines later than the reorder window", Long.toString(late));
    return counters;
  }

  @Override
  public boolean next(IoRequest into) throws IOException {
    while (true) {
      if (window.size() > (version == 3 ? REORDER_WINDOW : 0) || eof && !window.isEmpty()) {
        Entry x = window.poll();
        long ts = x.ts;
        if (ts < lastEmittedNs) {
          ts = lastEmittedNs;
          late++;
        }
        lastEmittedNs = ts;
        if (firstNs < 0) firstNs = ts;
        into.set(ts - firstNs, x.op, x.offset, x.length);
        free.push(x);
        return true;
      }
      if (eof) return false;
      if (!in.next()) {
        eof = true;
        if (version == 0) throw new TraceException(policy.file() + ": empty fio iolog (no 'fio version N iolog' header)");
        continue;
      }
      counters.lines++;
      byte[] b = in.buf();
      int s = in.start, e = in.end;
      if (version == 0) {
        int i = Ascii.skipSpaces(b, s, e);
        if (Ascii.startsWith(b, i, e, V2)) version = 2;
        else if (Ascii.startsWith(b, i, e, V3)) version = 3;
        else throw TraceException.at(policy.file(), in.lineNumber(), "not a fio iolog: the first line must be 'fio version 2 iolog' or 'fio version 3 iolog'");
        continue;
      }
      try {
        line(b, s, e);
      } catch (BadLine bad) {
        policy.bad(in.lineNumber(), bad);
      }
    }
  }

  private void line(byte[] b, int s, int e) {
    int i = Ascii.skipSpaces(b, s, e);
    if (i == e) return;
    long tsUs = clockUs;
    if (version == 3) {
      int t = Ascii.tokenEnd(b, i, e);
      tsUs = Ascii.decimal(b, i, t, "timestamp (µs)");
      i = Ascii.skipSpaces(b, t, e);
    }
    // the file name may contain spaces: the action is the last word (file action) or third from last (I/O)
    int[] w = new int[6];
    int n = 0;
    int end = e;
    while (end > i && n < 3) {
      int te = end;
      while (te > i && (b[te - 1] == ' ' || b[te - 1] == '\t')) te--;
      int ts = te;
      while (ts > i && b[ts - 1] != ' ' && b[ts - 1] != '\t') ts--;
      if (ts == te) break;
      w[2 * n] = ts;
      w[2 * n + 1] = te;
      n++;
      end = ts;
    }
    if (n == 0) throw BadLine.of("empty entry");
    // try "FILE ACTION OFFSET LENGTH" first
    if (n == 3 && numeric(b[w[0]]) && numeric(b[w[2]])) {
      int as = w[4], ae = w[5];
      long length = Ascii.decimal(b, w[0], w[1], "length");
      long offset = Ascii.decimal(b, w[2], w[3], "offset");
      int op = action(b, as, ae);
      if (op == -2) {
        if (version == 3) throw BadLine.of("'wait' is not allowed in a version 3 iolog");
        if (offset > MAX_US - clockUs) throw BadLine.of("wait of " + offset + " µs takes the log beyond 100 days");
        clockUs += offset;
        return;
      }
      if (op < 0) throw BadLine.of("unknown action '" + Ascii.text(b, as, ae) + "' (read, write, sync, datasync, trim, wait)");
      if (end <= i) throw BadLine.of("no file name");
      if (IoOp.hasData(op) && length <= 0) throw BadLine.of(IoOp.letter(op) + " of " + length + " bytes");
      if (length > Integer.MAX_VALUE) throw BadLine.of("request of " + length + " bytes is larger than 2 GiB");
      add(tsUs, (byte) op, op == IoOp.FLUSH ? 0 : offset, op == IoOp.FLUSH ? 0 : (int) length);
      return;
    }
    int as = w[0], ae = w[1];
    if (isFileAction(b, as, ae) && n >= 2) {
      fileActions++;
      return;
    }
    int op = action(b, as, ae);
    if ((op == IoOp.FLUSH) && n >= 2) { // "FILE sync" without offset/length (some fio versions)
      add(tsUs, IoOp.FLUSH, 0, 0);
      return;
    }
    throw BadLine.of("expected '" + (version == 3 ? "TIMESTAMP " : "") + "FILE ACTION [OFFSET LENGTH]', not '" + Ascii.text(b, s, e) + "'");
  }

  /** A sign or a digit: the line is meant as {@code FILE ACTION OFFSET LENGTH} (a negative number is reported as such). */
  private static boolean numeric(byte c) {
    return Ascii.isDigit(c) || c == '-';
  }

  private static final long MAX_US = TimeBase.MAX_NS / 1000;

  private void add(long tsUs, byte op, long offset, int length) {
    if (tsUs > MAX_US) throw BadLine.of("timestamp " + tsUs + " µs is beyond 100 days");
    Entry x = free.isEmpty() ? new Entry() : free.pop();
    x.ts = tsUs * 1000;
    x.seq = seq++;
    x.op = op;
    x.offset = offset;
    x.length = length;
    window.add(x);
  }

  private static final byte[] READ = Ascii.bytes("read"), WRITE = Ascii.bytes("write"), SYNC = Ascii.bytes("sync"), DATASYNC = Ascii.bytes("datasync"),
      TRIM = Ascii.bytes("trim"), WAIT = Ascii.bytes("wait"), ADD = Ascii.bytes("add"), OPEN = Ascii.bytes("open"), CLOSE = Ascii.bytes("close"),
      UNLINK = Ascii.bytes("unlink");

  /** The op; -2 for wait; -1 unknown. */
  private static int action(byte[] b, int s, int e) {
    if (Ascii.equals(b, s, e, READ)) return IoOp.READ;
    if (Ascii.equals(b, s, e, WRITE)) return IoOp.WRITE;
    if (Ascii.equals(b, s, e, SYNC) || Ascii.equals(b, s, e, DATASYNC)) return IoOp.FLUSH;
    if (Ascii.equals(b, s, e, TRIM)) return IoOp.DISCARD;
    if (Ascii.equals(b, s, e, WAIT)) return -2;
    return -1;
  }

  private static boolean isFileAction(byte[] b, int s, int e) {
    return Ascii.equals(b, s, e, ADD) || Ascii.equals(b, s, e, OPEN) || Ascii.equals(b, s, e, CLOSE) || Ascii.equals(b, s, e, UNLINK);
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
