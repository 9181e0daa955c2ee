package org.vqsim.engine.util;

/**
 * A fixed-memory histogram of non-negative longs with about 3% resolution (32 sub-buckets per power of
 * two): enough for a lock wait's 99th percentile without a library in the engine. No allocation after
 * construction.
 */
public final class LogHistogram {
  private static final int SUB = 5; // 2^5 sub-buckets per power of two
  private final long[] counts = new long[(64 - SUB + 1) << SUB];
  private long total;

  private static int index(long v) {
    if (v < (1L << SUB)) return (int) v;
    int exp = 63 - Long.numberOfLeadingZeros(v); // ≥ SUB
    int shift = exp - SUB;
    return ((shift + 1) << SUB) + (int) ((v >>> shift) & ((1 << SUB) - 1));
  }

  /** The largest value that falls in bucket {@code i}. */
  private static long upper(int i) {
    if (i < (1 << SUB)) return i;
    int shift = (i >>> SUB) - 1;
    long mant = (1L << SUB) | (i & ((1 << SUB) - 1));
    return ((mant + 1) << shift) - 1;
  }

  public void record(long v) {
    counts[index(Math.max(0, v))]++;
    total++;
  }

  public long count() { return total; }

  /** The value at {@code percentile} (0..100): the upper edge of the bucket that holds it; 0 when empty. */
  public long percentile(double percentile) {
    if (total == 0) return 0;
    long rank = (long) Math.ceil(percentile / 100.0 * total);
    if (rank < 1) rank = 1;
    long seen = 0;
    for (int i = 0; i < counts.length; i++) {
      seen += counts[i];
      if (seen >= rank) return upper(i);
    }
    return upper(counts.length - 1);
  }

  public void add(LogHistogram other) {
    for (int i = 0; i < counts.length; i++) counts[i] += other.counts[i];
    total += other.total;
  }
}
