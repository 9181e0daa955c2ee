package org.vqsim.engine.sim;

import org.vqsim.engine.util.LogHistogram;

/**
 * A lock the model's parts contend for, taken where the kernel or QEMU takes it (each owner cites
 * the source line). A guest spinlock ({@link Kind#SPIN}) makes a waiter spin: its wait is vCPU cycles,
 * charged as {@code lock_wait}. A QEMU mutex ({@link Kind#MUTEX}) makes a waiter sleep: its wait adds
 * time but no cycles.
 *
 * <p>The lock keeps the intervals it is held over, in time order. A hold whose length is known when it
 * is taken (a slot search, a translation, an rbtree walk: {@link Timeline#hold}) is placed in the first
 * gap after the moment it is asked for, so a short hold fits between a long pass's own holds as it
 * would in time. A hold whose length depends on what happens under it (the virtqueue lock across a
 * request's mappings: {@link Timeline#acquire} … {@link Timeline#release}) goes after every hold
 * already placed. Passes run one after another in the order they start, so a hold can be placed by a
 * pass that started earlier at a later time than the one asking now: the one asking then waits behind
 * it, at most one pass (one request's submission or completion) longer than it would in time. Holds that
 * ended before the current event can matter to nobody and are dropped: memory stays at the few holds of
 * the passes under way.
 */
public final class Lock {
  public enum Kind { SPIN, MUTEX }

  /** A stable name for locks.arrow: {@code virtqueue}, {@code swiotlb.area}, {@code qemu.bql}, … */
  public final String name;
  public final Kind kind;
  /** Which instance of the named lock (the queue, the area, the pool). */
  public final int instance;

  private long[] starts = new long[16];
  private long[] ends = new long[16];
  private int size;
  private long openStart = -1;

  // statistics
  long acquisitions, contended, waitPs, holdPs;
  final LogHistogram waitNs = new LogHistogram();

  public Lock(String name, Kind kind, int instance) {
    this.name = name;
    this.kind = kind;
    this.instance = instance;
  }

  /** Forgets holds that ended at or before {@code ps}: nothing can be asked for before the current event. */
  void prune(long ps) {
    int drop = 0;
    while (drop < size && ends[drop] <= ps) drop++;
    if (drop == 0) return;
    System.arraycopy(starts, drop, starts, 0, size - drop);
    System.arraycopy(ends, drop, ends, 0, size - drop);
    size -= drop;
  }

  /** The first moment at or after {@code t} at which a hold of {@code dur} fits between the holds placed. */
  long fit(long t, long dur) {
    long cand = t;
    for (int i = 0; i < size; i++) {
      if (ends[i] <= cand) continue;
      if (cand + dur <= starts[i]) break;
      cand = ends[i];
    }
    return cand;
  }

  /** Places a hold over {@code [start, end)}, which must fit (see {@link #fit}). */
  void place(long start, long end) {
    if (size == starts.length) {
      starts = java.util.Arrays.copyOf(starts, size * 2);
      ends = java.util.Arrays.copyOf(ends, size * 2);
    }
    int i = size;
    while (i > 0 && starts[i - 1] > start) {
      starts[i] = starts[i - 1];
      ends[i] = ends[i - 1];
      i--;
    }
    starts[i] = start;
    ends[i] = end;
    size++;
  }

  /** The end of the last hold placed: when a hold of unknown length may start. */
  long lastEnd() {
    return size == 0 ? Long.MIN_VALUE : ends[size - 1];
  }

  void open(long start) {
    if (openStart >= 0) throw new IllegalStateException(this + " taken twice by one pass");
    openStart = start;
  }

  long close() {
    if (openStart < 0) throw new IllegalStateException(this + " released but not held");
    long s = openStart;
    openStart = -1;
    return s;
  }

  boolean isOpen() { return openStart >= 0; }

  void count(long waitedPs, long heldPs) {
    acquisitions++;
    if (waitedPs > 0) contended++;
    waitPs += waitedPs;
    holdPs += heldPs;
    waitNs.record(waitedPs / 1000);
  }

  public long acquisitions() { return acquisitions; }
  public long contended() { return contended; }
  public long waitPs() { return waitPs; }
  public long holdPs() { return holdPs; }
  public LogHistogram waitNs() { return waitNs; }

  @Override
  public String toString() { return name + "[" + instance + "]"; }
}
