package org.vqsim.capture.text;

/**
 * Request times that never go backwards. A request stamped earlier than the one before it (a
 * clock step, per-CPU buffers merged out of order, a log written by several threads) keeps its
 * place in the file and is submitted at the previous request's time; {@link #backwards} counts
 * them. A time more than {@link #MAX_NS} after the trace's first is a bad line ({@link #check}):
 * the engine keeps picoseconds in a {@code long}, and no real capture spans 100 days.
 */
public final class TimeBase {
  /** The latest request time vqsim accepts, ns from the trace's first (100 days; picoseconds fit a long up to 106). */
  public static final long MAX_NS = 100L * 86_400 * 1_000_000_000L;

  /** The readers' notes entry (inspect shows it, import stores it) counting requests stamped before the previous one. */
  public static final String NOTE = "requests stamped before the previous one (submitted at its time)";

  private long lastNs;
  private long backwards;

  /** {@code relNs} (ns from the trace's first request), or a bad line when it is beyond {@link #MAX_NS}. */
  public static long check(long relNs) {
    if (relNs > MAX_NS) throw BadLine.of("timestamp is " + relNs / 1_000_000_000L + " s after the trace's first; vqsim replays at most 100 days");
    return relNs;
  }

  /** The submission time of a request stamped {@code relNs}: never before the previous request's. */
  public long emit(long relNs) {
    if (relNs < lastNs) {
      backwards++;
      return lastNs;
    }
    lastNs = relNs;
    return relNs;
  }

  /** Requests stamped earlier than the one before them (submitted at its time instead). */
  public long backwards() { return backwards; }
}
