package org.vqsim.capture.text;

/**
 * A request's submitting CPU as traces print it: ftrace's {@code [003]} field, blkparse's CPU
 * column, the canonical trace's {@code cpu} column. A CPU number is 0 to {@link #MAX}; anything
 * else is bad data, as no kernel numbers its CPUs that high (Linux's {@code NR_CPUS} stops at 8192).
 */
public final class CpuNumber {
  private CpuNumber() {}

  /** The largest CPU number a trace may carry. */
  public static final int MAX = 65_535;

  /** The CPU number in {@code b[from, to)} (decimal digits), or a bad line naming {@code what}. */
  public static int parse(byte[] b, int from, int to, String what) {
    long v = Ascii.decimal(b, from, to, what, true);
    if (v < 0 || v > MAX) throw BadLine.of(what + " " + Ascii.text(b, from, to) + " is beyond " + MAX);
    return (int) v;
  }
}
