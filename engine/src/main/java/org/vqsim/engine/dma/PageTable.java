package org.vqsim.engine.dma;

import java.util.Arrays;

/**
 * A map from a page number to a value laid out as a page table is: leaves of 512 entries indexed by
 * the key's low bits, found through a small directory by the rest. The tables it stands for (VT-d
 * second-level tables, the TCE table, the virtio-iommu mapping trees, swiotlb's slot array) hand out
 * neighbouring keys — an allocator's next IOVA or TCE, the pages of one buffer — so neighbouring
 * entries share a cache line, where a hash spreads them over the whole table: with a thousand requests
 * in flight that is the difference between a few lines and a few thousand per pass.
 *
 * <p>A leaf whose last entry is removed goes back to a free list, so memory follows the keys in use,
 * not every key ever used; nothing is allocated once the table has held its largest set of leaves.
 * Same contract as {@link PageMap}, except that {@link Long#MIN_VALUE} cannot be stored.
 */
final class PageTable {
  private static final long EMPTY = Long.MIN_VALUE;
  private static final int SHIFT = 9;
  private static final int ENTRIES = 1 << SHIFT;
  private static final int MASK = ENTRIES - 1;

  /** Leaf number (key >>> SHIFT) → index into {@link #leaves}. */
  private final PageMap directory = new PageMap(64);
  private long[][] leaves = new long[8][];
  private int[] live = new int[8];
  private long[] leafNumber = new long[8];
  private int leafSlots;
  private int[] free = new int[8];
  private int freeCount;
  private int size;
  // the leaf found last: consecutive calls mostly stay in one leaf
  private long lastNumber = -1;
  private int lastIndex = -1;

  int size() { return size; }

  private int find(long number) {
    if (number == lastNumber) return lastIndex;
    int i = (int) directory.get(number, -1);
    if (i >= 0) {
      lastNumber = number;
      lastIndex = i;
    }
    return i;
  }

  /** The value for {@code key}, or {@code missing}. */
  long get(long key, long missing) {
    int i = find(key >>> SHIFT);
    if (i < 0) return missing;
    long v = leaves[i][(int) key & MASK];
    return v == EMPTY ? missing : v;
  }

  boolean contains(long key) {
    int i = find(key >>> SHIFT);
    return i >= 0 && leaves[i][(int) key & MASK] != EMPTY;
  }

  /** Sets {@code key} to {@code value}; returns false when it was already present (the value is replaced). */
  boolean put(long key, long value) {
    if (value == EMPTY) throw new IllegalArgumentException("PageTable cannot store Long.MIN_VALUE");
    long number = key >>> SHIFT;
    int i = find(number);
    if (i < 0) i = newLeaf(number);
    long[] leaf = leaves[i];
    int at = (int) key & MASK;
    boolean added = leaf[at] == EMPTY;
    leaf[at] = value;
    if (added) {
      live[i]++;
      size++;
    }
    return added;
  }

  /** Removes {@code key}; returns whether it was present. */
  boolean remove(long key) {
    int i = find(key >>> SHIFT);
    if (i < 0) return false;
    long[] leaf = leaves[i];
    int at = (int) key & MASK;
    if (leaf[at] == EMPTY) return false;
    leaf[at] = EMPTY;
    size--;
    if (--live[i] == 0) releaseLeaf(i);
    return true;
  }

  void clear() {
    for (int i = 0; i < leafSlots; i++) {
      if (live[i] > 0) {
        Arrays.fill(leaves[i], EMPTY);
        live[i] = 0;
        releaseLeaf(i);
      }
    }
    size = 0;
  }

  private int newLeaf(long number) {
    int i;
    if (freeCount > 0) {
      i = free[--freeCount];
    } else {
      if (leafSlots == leaves.length) {
        int n = leafSlots * 2;
        leaves = Arrays.copyOf(leaves, n);
        live = Arrays.copyOf(live, n);
        leafNumber = Arrays.copyOf(leafNumber, n);
        free = Arrays.copyOf(free, n);
      }
      i = leafSlots++;
      long[] leaf = new long[ENTRIES];
      Arrays.fill(leaf, EMPTY);
      leaves[i] = leaf;
    }
    leafNumber[i] = number;
    directory.put(number, i);
    lastNumber = number;
    lastIndex = i;
    return i;
  }

  private void releaseLeaf(int i) {
    directory.remove(leafNumber[i]);
    if (lastIndex == i) {
      lastNumber = -1;
      lastIndex = -1;
    }
    free[freeCount++] = i;
  }
}
