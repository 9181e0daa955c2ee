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

  // The holds placed, in time order (they never overlap), kept in blocks of at most B: each block knows
  // the largest gap between its own holds, so a search for a gap skips a packed block in one step and
  // a lock with thousands of holds queued (32 vCPUs behind the BQL) costs a few hundred steps, not
  // thousands. Blocks are reused; nothing is allocated once the lock has seen its deepest queue.
  private static final int B = 64;
  private long[][] bStart = new long[4][], bEnd = new long[4][];
  private int[] bSize = new int[4];
  private long[] bGap = new long[4];
  private int blocks;
  private long[][] spareStart = new long[4][], spareEnd = new long[4][];
  private int spares;
  /** Holds placed and not yet pruned. */
  private int size;
  /**
   * Block 0's holds before this index ended at or before the last prune: they are dropped lazily,
   * with their block, so that a prune costs what it drops, not a shift of the block. A search skips
   * them like any hold that ends before the moment asked for (nothing is asked for before the current
   * event), and the gaps between them only make block 0's largest gap an over-estimate, which a
   * search never skips on (it reads the gaps of the blocks after the first it scans).
   */
  private int head;
  /** The end of the last hold ({@link Long#MIN_VALUE}: none), and of the first one not pruned ({@link Long#MAX_VALUE}: none). */
  private long lastEnd = Long.MIN_VALUE, firstEnd = Long.MAX_VALUE;
  private long openStart = -1;
  /**
   * From this moment to the end of the last hold, holds follow each other without a gap (a saturated
   * lock's queue): a search that gets there goes straight to the end. Long.MAX_VALUE: no such run.
   */
  private long packedFrom = Long.MAX_VALUE;
  /**
   * The lock's only hold, kept here instead of in a block while no other hold is placed beside it (the
   * uncontended case: taken, released, and over before the next taker asks). No block exists then
   * ({@code blocks == 0}); a second hold moves it into block 0 first.
   */
  private boolean solo;
  private long soloStart, soloEnd;

  // statistics
  long acquisitions, contended, waitPs, holdPs;
  final LogHistogram waitNs = new LogHistogram();

  public Lock(String name, Kind kind, int instance) {
    this.name = name;
    this.kind = kind;
    this.instance = instance;
  }

  /** Holds placed and not yet pruned. */
  int holds() { return size; }



  /** Forgets holds that ended at or before {@code ps}: nothing can be asked for before the current event. */
  void prune(long ps) {
    if (ps < firstEnd) return; // nothing ended yet (most calls)
    if (solo) { // the only hold ended (firstEnd is its end)
      solo = false;
      size = 0;
      packedFrom = Long.MAX_VALUE;
      firstEnd = Long.MAX_VALUE;
      return;
    }
    int full = 0;
    while (full < blocks && bEnd[full][bSize[full] - 1] <= ps) {
      size -= bSize[full] - (full == 0 ? head : 0);
      full++;
    }
    if (full > 0) {
      for (int b = 0; b < full; b++) recycle(bStart[b], bEnd[b]);
      if (full < blocks) { // (an idle lock drops all its blocks: nothing to move)
        System.arraycopy(bStart, full, bStart, 0, blocks - full);
        System.arraycopy(bEnd, full, bEnd, 0, blocks - full);
        System.arraycopy(bSize, full, bSize, 0, blocks - full);
        System.arraycopy(bGap, full, bGap, 0, blocks - full);
      }
      blocks -= full;
      head = 0;
    }
    if (blocks == 0) {
      packedFrom = Long.MAX_VALUE;
      firstEnd = Long.MAX_VALUE;
      return;
    }
    long[] e = bEnd[0];
    int i = head;
    while (e[i] <= ps) i++; // block 0's last hold ends after ps
    size -= i - head;
    head = i;
    firstEnd = e[i];
  }

  /** The first moment at or after {@code t} at which a hold of {@code dur} fits between the holds placed. */
  long fit(long t, long dur) {
    if (t >= lastEnd) return t; // after every hold (most calls)
    if (t >= packedFrom) return lastEnd;
    if (solo) return t + dur <= soloStart ? t : soloEnd; // before the only hold, or after it
    // the first block with a hold ending after t (ends are in order, like starts)
    int lo = 0, hi = blocks;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (bEnd[mid][bSize[mid] - 1] <= t) lo = mid + 1;
      else hi = mid;
    }
    long cand = t;
    long[] s = bStart[lo], e = bEnd[lo];
    for (int i = 0, n = bSize[lo]; i < n; i++) {
      if (e[i] <= cand) continue;
      if (cand + dur <= s[i]) return cand;
      cand = e[i];
      if (cand >= packedFrom) return lastEnd();
    }
    // cand is now the end of block lo's last hold: every later hold starts at or after it
    for (int b = lo + 1; b < blocks; b++) {
      s = bStart[b];
      e = bEnd[b];
      int n = bSize[b];
      if (cand + dur <= s[0]) return cand;
      if (s[0] >= packedFrom) return lastEnd();
      if (bGap[b] >= dur) {
        for (int i = 0; i < n; i++) {
          if (cand + dur <= s[i]) return cand;
          cand = e[i];
        }
      }
      cand = e[n - 1];
    }
    return cand;
  }

  /** Places a hold over {@code [start, end)}, which must fit (see {@link #fit}). */
  void place(long start, long end) {
    long last = lastEnd;
    if (end < firstEnd) firstEnd = end; // the first hold not pruned has the earliest end
    if (blocks == 0 && !solo) { // no hold placed: this one is the only one (it starts after the last one's end)
      lastEnd = end;
      packedFrom = start;
      solo = true;
      soloStart = start;
      soloEnd = end;
      size = 1;
      return;
    }
    if (solo) unsolo();
    if (start >= last) {
      lastEnd = end;
      // after every hold (the common case): a new run unless it starts where the last one ended
      if (blocks == 0 || start > last) packedFrom = start;
      if (blocks == 0 || bSize[blocks - 1] == B) newBlock(blocks);
      int b = blocks - 1, i = bSize[b]++;
      bStart[b][i] = start;
      bEnd[b][i] = end;
      if (i > 0) bGap[b] = Math.max(bGap[b], start - bEnd[b][i - 1]);
      size++;
      return;
    }
    // the last block whose first hold starts at or before this one (or the first block)
    int b = blocks - 1;
    if (bStart[b][0] > start) {
      int lo = 0, hi = blocks - 1;
      while (lo < hi) {
        int mid = (lo + hi + 1) >>> 1;
        if (bStart[mid][0] <= start) lo = mid;
        else hi = mid - 1;
      }
      b = lo;
    }
    if (b == 0 && head > 0 && bSize[0] == B) {
      compactFirst(); // room made by dropping the pruned holds
    } else if (bSize[b] == B) {
      split(b);
      if (bStart[b + 1][0] <= start) b++;
    }
    long[] s = bStart[b], e = bEnd[b];
    int i = bSize[b];
    while (i > 0 && s[i - 1] > start) {
      s[i] = s[i - 1];
      e[i] = e[i - 1];
      i--;
    }
    s[i] = start;
    e[i] = end;
    bSize[b]++;
    size++;
    if (i + 1 == bSize[b]) {
      if (i > 0) bGap[b] = Math.max(bGap[b], start - e[i - 1]); // a new gap before it
    } else if (i == 0 || s[i + 1] - e[i - 1] == bGap[b]) {
      bGap[b] = maxGap(b); // placed first, or in the block's widest gap, which shrank
    }
  }

  /** The end of the last hold placed: when a hold of unknown length may start. */
  long lastEnd() {
    return lastEnd;
  }

  private long maxGap(int b) {
    long[] s = bStart[b], e = bEnd[b];
    long g = 0;
    for (int i = 1, n = bSize[b]; i < n; i++) g = Math.max(g, s[i] - e[i - 1]);
    return g;
  }

  /** Moves the only hold into block 0, so that a second one can be placed beside it. */
  private void unsolo() {
    solo = false;
    newBlock(0);
    bStart[0][0] = soloStart;
    bEnd[0][0] = soloEnd;
    bSize[0] = 1;
  }

  /** Makes an empty block at position {@code at}. */
  private void newBlock(int at) {
    if (blocks == bStart.length) {
      int n = blocks * 2;
      bStart = java.util.Arrays.copyOf(bStart, n);
      bEnd = java.util.Arrays.copyOf(bEnd, n);
      bSize = java.util.Arrays.copyOf(bSize, n);
      bGap = java.util.Arrays.copyOf(bGap, n);
    }
    if (at < blocks) { // (a block added after the last, the common case, moves nothing)
      System.arraycopy(bStart, at, bStart, at + 1, blocks - at);
      System.arraycopy(bEnd, at, bEnd, at + 1, blocks - at);
      System.arraycopy(bSize, at, bSize, at + 1, blocks - at);
      System.arraycopy(bGap, at, bGap, at + 1, blocks - at);
    }
    if (spares > 0) {
      spares--;
      bStart[at] = spareStart[spares];
      bEnd[at] = spareEnd[spares];
    } else {
      bStart[at] = new long[B];
      bEnd[at] = new long[B];
    }
    bSize[at] = 0;
    bGap[at] = 0;
    blocks++;
  }

  /** Drops block 0's pruned holds (before {@link #head}). */
  private void compactFirst() {
    int n = bSize[0] - head;
    System.arraycopy(bStart[0], head, bStart[0], 0, n);
    System.arraycopy(bEnd[0], head, bEnd[0], 0, n);
    bSize[0] = n;
    head = 0;
    bGap[0] = maxGap(0);
  }

  /** Splits a full block into two halves. */
  private void split(int b) {
    newBlock(b + 1);
    int half = B / 2;
    System.arraycopy(bStart[b], half, bStart[b + 1], 0, B - half);
    System.arraycopy(bEnd[b], half, bEnd[b + 1], 0, B - half);
    bSize[b] = half;
    bSize[b + 1] = B - half;
    bGap[b] = maxGap(b);
    bGap[b + 1] = maxGap(b + 1);
  }

  private void recycle(long[] s, long[] e) {
    if (spares == spareStart.length) {
      spareStart = java.util.Arrays.copyOf(spareStart, spares * 2);
      spareEnd = java.util.Arrays.copyOf(spareEnd, spares * 2);
    }
    spareStart[spares] = s;
    spareEnd[spares] = e;
    spares++;
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
