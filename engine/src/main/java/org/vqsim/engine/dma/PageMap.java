package org.vqsim.engine.dma;

/**
 * An open-addressing map from a page number to a value (linear probing, backward-shift deletion):
 * the IOMMU page tables and TCE tables of the model. No boxing; grows by doubling, shrinks never.
 * Each key sits next to its value in one array, so a lookup that finds its key has its value in the
 * same cache line (with a thousand requests in flight the tables outgrow the closest caches).
 */
final class PageMap {
  private static final long EMPTY = Long.MIN_VALUE;
  /** Slot i: key at 2i, value at 2i + 1. */
  private long[] table;
  private int size;

  PageMap(int expected) {
    int cap = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
    table = newTable(cap);
  }

  private static long[] newTable(int slots) {
    long[] t = new long[slots * 2];
    for (int i = 0; i < t.length; i += 2) t[i] = EMPTY;
    return t;
  }

  int size() { return size; }

  private static int slot(long key, int mask) {
    long h = key * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 29)) & mask;
  }

  /** The value for {@code key}, or {@code missing}. */
  long get(long key, long missing) {
    long[] t = table;
    int mask = (t.length >>> 1) - 1;
    for (int i = slot(key, mask); ; i = (i + 1) & mask) {
      long k = t[2 * i];
      if (k == key) return t[2 * i + 1];
      if (k == EMPTY) return missing;
    }
  }

  boolean contains(long key) {
    long[] t = table;
    int mask = (t.length >>> 1) - 1;
    for (int i = slot(key, mask); ; i = (i + 1) & mask) {
      long k = t[2 * i];
      if (k == key) return true;
      if (k == EMPTY) return false;
    }
  }

  /** Sets {@code key} to {@code value}; returns false when it was already present (the value is replaced). */
  boolean put(long key, long value) {
    if ((size + 1) * 4 > table.length) grow();
    long[] t = table;
    int mask = (t.length >>> 1) - 1;
    int i = slot(key, mask);
    while (t[2 * i] != EMPTY) {
      if (t[2 * i] == key) {
        t[2 * i + 1] = value;
        return false;
      }
      i = (i + 1) & mask;
    }
    t[2 * i] = key;
    t[2 * i + 1] = value;
    size++;
    return true;
  }

  /** Removes {@code key}; returns whether it was present. */
  boolean remove(long key) {
    long[] t = table;
    int mask = (t.length >>> 1) - 1;
    int i = slot(key, mask);
    while (true) {
      long k = t[2 * i];
      if (k == EMPTY) return false;
      if (k == key) break;
      i = (i + 1) & mask;
    }
    // backward-shift deletion keeps every probe chain unbroken
    int hole = i;
    int j = i;
    while (true) {
      j = (j + 1) & mask;
      long k = t[2 * j];
      if (k == EMPTY) break;
      int home = slot(k, mask);
      boolean movable = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
      if (movable) {
        t[2 * hole] = k;
        t[2 * hole + 1] = t[2 * j + 1];
        hole = j;
      }
    }
    t[2 * hole] = EMPTY;
    size--;
    return true;
  }

  void clear() {
    long[] t = table;
    for (int i = 0; i < t.length; i += 2) t[i] = EMPTY;
    size = 0;
  }

  private void grow() {
    long[] old = table;
    table = newTable(old.length); // twice the slots
    size = 0;
    for (int i = 0; i < old.length; i += 2) if (old[i] != EMPTY) put(old[i], old[i + 1]);
  }
}
