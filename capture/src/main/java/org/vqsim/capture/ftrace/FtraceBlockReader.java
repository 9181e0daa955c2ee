package org.vqsim.capture.ftrace;

import java.io.BufferedReader;
import java.io.IOException;
import org.vqsim.capture.TraceException;
import org.vqsim.engine.sim.IoOp;
import org.vqsim.engine.sim.IoRequest;
import org.vqsim.engine.sim.RequestSource;

/**
 * Linux ftrace text ({@code /sys/kernel/tracing/trace}, {@code trace-cmd report}) read as a stream
 * of block requests: one request per {@code block_rq_issue}, at its timestamp, relative to the
 * first one. Lines of other events are skipped and counted.
 *
 * <pre>
 *  kworker/0:1H-37 [000] .....  3.498633: block_rq_issue: 254,0 RS 4096 () 0 + 8 [kworker/0:1H]
 *  kworker/0:1H-37 [000] .....  3.498633: block_rq_issue: 8,0 RA 16384 () 6500840 + 32 be,0,6 [dd]   (newer kernels: ioprio)
 *                                         dev  rwbs bytes cmd sector  + sectors
 * </pre>
 *
 * The op comes from rwbs as {@code blk_fill_rwbs} writes it: an optional leading F (preflush),
 * then W, R, D (discard), F (flush) or N (other; skipped).
 */
public final class FtraceBlockReader implements RequestSource {
  private static final String ISSUE = "block_rq_issue: ";

  private final BufferedReader in;
  private final String name;
  private final String deviceFilter;
  private long line;
  private long firstTsNs = -1;
  private long requests;
  private long otherLines;
  private long skippedOps;
  private boolean sawHeaderOrEvent;

  /** @param deviceFilter "major,minor" to keep one device, or null for every device */
  public FtraceBlockReader(BufferedReader in, String name, String deviceFilter) {
    this.in = in;
    this.name = name;
    this.deviceFilter = deviceFilter;
  }

  public long requests() { return requests; }
  public long otherLines() { return otherLines; }
  public long skippedOps() { return skippedOps; }

  @Override
  public boolean next(IoRequest into) throws IOException {
    String s;
    while ((s = in.readLine()) != null) {
      line++;
      if (s.isEmpty() || s.charAt(0) == '#') {
        sawHeaderOrEvent = true;
        continue;
      }
      int at = s.indexOf(ISSUE);
      if (at < 0) {
        otherLines++;
        continue;
      }
      sawHeaderOrEvent = true;
      if (parseIssue(s, at, into)) {
        requests++;
        return true;
      }
    }
    if (!sawHeaderOrEvent && line == 0) throw new TraceException(name + ": empty trace");
    return false;
  }

  private boolean parseIssue(String s, int at, IoRequest into) {
    long ts = timestampBefore(s, at);
    int p = at + ISSUE.length();
    int sp = s.indexOf(' ', p);
    if (sp < 0) throw bad("block_rq_issue without fields");
    String dev = s.substring(p, sp);
    if (dev.indexOf(',') < 0) throw bad("block_rq_issue device '" + dev + "' is not MAJOR,MINOR");
    p = sp + 1;
    sp = s.indexOf(' ', p);
    if (sp < 0) throw bad("block_rq_issue without rwbs");
    String rwbs = s.substring(p, sp);
    p = sp + 1;
    sp = s.indexOf(' ', p);
    if (sp < 0) throw bad("block_rq_issue without byte count");
    long bytes = parseLong(s, p, sp, "byte count");
    // skip "(cmd)" — may contain spaces in SCSI traces: find the matching ')'
    int open = s.indexOf('(', sp);
    int close = open < 0 ? -1 : s.indexOf(") ", open);
    if (open < 0 || close < 0) throw bad("block_rq_issue without the '()' command field");
    p = close + 2;
    int plus = s.indexOf(" + ", p);
    if (plus < 0) throw bad("block_rq_issue without 'SECTOR + COUNT'");
    long sector = parseLong(s, p, plus, "sector");
    int q = plus + 3;
    int end = q;
    while (end < s.length() && Character.isDigit(s.charAt(end))) end++;
    long sectors = parseLong(s, q, end, "sector count");
    if (deviceFilter != null && !deviceFilter.equals(dev)) return false;
    int op = opOf(rwbs);
    if (op < 0) {
      skippedOps++;
      return false;
    }
    long length = IoOp.hasData(op) || op == IoOp.DISCARD ? (bytes > 0 ? bytes : sectors * 512) : 0;
    if (IoOp.hasData(op) && length <= 0) throw bad(rwbs + " request of " + length + " bytes");
    if (length > Integer.MAX_VALUE) throw bad("request of " + length + " bytes is larger than 2 GiB");
    if (firstTsNs < 0) firstTsNs = ts;
    long rel = ts - firstTsNs;
    into.set(Math.max(0, rel), (byte) op, op == IoOp.FLUSH ? 0 : sector * 512, (int) length);
    return true;
  }

  /** blk_fill_rwbs: optional leading F (REQ_PREFLUSH), then the op letter. */
  static int opOf(String rwbs) {
    if (rwbs.isEmpty()) return -1;
    int i = 0;
    if (rwbs.charAt(0) == 'F' && rwbs.length() > 1 && "WRDFN".indexOf(rwbs.charAt(1)) >= 0) i = 1;
    return switch (rwbs.charAt(i)) {
      case 'R' -> IoOp.READ;
      case 'W' -> IoOp.WRITE;
      case 'D' -> IoOp.DISCARD;
      case 'F' -> IoOp.FLUSH;
      default -> -1;
    };
  }

  /** The "SECONDS.FRACTION:" token just before the event name, in ns. */
  private long timestampBefore(String s, int eventAt) {
    int colon = eventAt - 2; // "...3.498633: block_rq_issue"
    if (colon < 1 || s.charAt(colon + 1) != ' ' || s.charAt(colon) != ':') throw bad("no 'TIMESTAMP:' before the event name");
    int start = colon;
    while (start > 0 && s.charAt(start - 1) != ' ') start--;
    long sec = 0, frac = 0;
    int digits = 0;
    boolean dot = false;
    for (int i = start; i < colon; i++) {
      char c = s.charAt(i);
      if (c == '.' && !dot) dot = true;
      else if (c >= '0' && c <= '9') {
        if (dot) {
          if (digits < 9) {
            frac = frac * 10 + (c - '0');
            digits++;
          }
        } else sec = sec * 10 + (c - '0');
      } else throw bad("timestamp '" + s.substring(start, colon) + "' is not SECONDS.FRACTION");
    }
    if (!dot || digits == 0) throw bad("timestamp '" + s.substring(start, colon) + "' is not SECONDS.FRACTION");
    for (int d = digits; d < 9; d++) frac *= 10;
    return sec * 1_000_000_000L + frac;
  }

  private long parseLong(String s, int from, int to, String what) {
    if (from >= to) throw bad("missing " + what);
    long v = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') throw bad(what + " '" + s.substring(from, to) + "' is not a number");
      v = v * 10 + (c - '0');
      if (v < 0) throw bad(what + " '" + s.substring(from, to) + "' is too large");
    }
    return v;
  }

  private TraceException bad(String what) {
    return TraceException.at(name, line, what);
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
