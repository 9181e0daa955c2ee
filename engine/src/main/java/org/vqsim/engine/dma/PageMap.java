package org.vqsim.engine.dma;

import java.util.Arrays;

/**
 * An open-addressing map from a page number to a value (linear probing, backward-shift deletion):
 * the IOMMU page tables and TCE tables of the model. No boxing; grows by doubling, shrinks never.
 */
final class PageMap {
  private static final long EMPTY = Long.MIN_VALUE;
  private long[] keys;
  private long[] values;
  private int size;

  PageMap(int expected) {
    int cap = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
    keys = new long[cap];
    values = new long[cap];
    Arrays.fill(keys, EMPTY);
  }

  int size() { return size; }

  private static int slot(long key, int mask) {
    long h = key * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 29)) & mask;
  }

  /** The value for {@code key}, or {@code missing}. */
  long get(long key, long missing) {
    int mask = keys.length - 1;
    for (int i = slot(key, mask); ; i = (i + 1) & mask) {
      long k = keys[i];
      if (k == key) return values[i];
      if (k == EMPTY) return missing;
    }
  }

  boolean contains(long key) {
    int mask = keys.length - 1;
    for (int i = slot(key, mask); ; i = (i + 1) & mask) {
      long k = keys[i];
      if (k == key) return true;
      if (k == EMPTY) return false;
    }
  }

  /** Sets {@code key} to {@code value}; returns false when it was already present (the value is replaced). */
  boolean put(long key, long value) {
    if ((size + 1) * 2 > keys.length) grow();
    int mask = keys.length - 1;
    int i = slot(key, mask);
    while (keys[i] != EMPTY) {
      if (keys[i] == key) {
        values[i] = value;
        return false;
      }
      i = (i + 1) & mask;
    }
    keys[i] = key;
    values[i] = value;
    size++;
    return true;
  }

  /** Removes {@code key}; returns whether it was present. */
  boolean remove(long key) {
    int mask = keys.length - 1;
    int i = slot(key, mask);
    while (true) {
      long k = keys[i];
      if (k == EMPTY) return false;
      if (k == key) break;
      i = (i + 1) & mask;
    }
    // backward-shift deletion keeps every probe chain unbroken
    int hole = i;
    int j = i;
    while (true) {
      j = (j + 1) & mask;
      long k = keys[j];
      if (k == EMPTY) break;
      int home = slot(k, mask);
      boolean movable = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
      if (movable) {
        keys[hole] = k;
        values[hole] = values[j];
        hole = j;
      }
    }
    keys[hole] = EMPTY;
    size--;
    return true;
  }

  void clear() {
    Arrays.fill(keys, EMPTY);
    size = 0;
  }

  private void grow() {
    long[] ok = keys, ov = values;
    keys = new long[ok.length * 2];
    values = new long[ok.length * 2];
    Arrays.fill(keys, EMPTY);
    size = 0;
    for (int i = 0; i < ok.length; i++) if (ok[i] != EMPTY) put(ok[i], ov[i]);
  }
}
