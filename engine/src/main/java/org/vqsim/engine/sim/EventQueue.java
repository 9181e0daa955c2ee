package org.vqsim.engine.sim;

import java.util.Arrays;

/**
 * The timeline's pending events: a binary min-heap over parallel primitive arrays, ordered by
 * time and then by insertion sequence (so simultaneous events run in the order they were
 * scheduled, deterministically). Grows by doubling; in steady state it never allocates.
 */
final class EventQueue {
  private long[] time = new long[64];
  private long[] seq = new long[64];
  private int[] type = new int[64];
  private int[] arg = new int[64];
  private int[] arg2 = new int[64];
  private int size;
  private long nextSeq;

  // the popped event
  long topTime;
  int topType;
  int topArg;
  int topArg2;

  boolean isEmpty() { return size == 0; }

  int size() { return size; }

  void push(long t, int ty, int a) {
    push(t, ty, a, 0);
  }

  void push(long t, int ty, int a, int b) {
    if (size == time.length) grow();
    int i = size++;
    long s = nextSeq++;
    while (i > 0) {
      int p = (i - 1) >>> 1;
      if (!less(t, s, time[p], seq[p])) break;
      move(p, i);
      i = p;
    }
    time[i] = t;
    seq[i] = s;
    type[i] = ty;
    arg[i] = a;
    arg2[i] = b;
  }

  /** Removes the earliest event into {@link #topTime}, {@link #topType}, {@link #topArg}. */
  void pop() {
    topTime = time[0];
    topType = type[0];
    topArg = arg[0];
    topArg2 = arg2[0];
    int last = --size;
    if (last == 0) return;
    long t = time[last], s = seq[last];
    int ty = type[last], a = arg[last], b = arg2[last];
    int i = 0;
    while (true) {
      int c = 2 * i + 1;
      if (c >= last) break;
      if (c + 1 < last && less(time[c + 1], seq[c + 1], time[c], seq[c])) c++;
      if (!less(time[c], seq[c], t, s)) break;
      move(c, i);
      i = c;
    }
    time[i] = t;
    seq[i] = s;
    type[i] = ty;
    arg[i] = a;
    arg2[i] = b;
  }

  private static boolean less(long t1, long s1, long t2, long s2) {
    return t1 < t2 || (t1 == t2 && s1 < s2);
  }

  private void move(int from, int to) {
    time[to] = time[from];
    seq[to] = seq[from];
    type[to] = type[from];
    arg[to] = arg[from];
    arg2[to] = arg2[from];
  }

  private void grow() {
    int n = time.length * 2;
    time = Arrays.copyOf(time, n);
    seq = Arrays.copyOf(seq, n);
    type = Arrays.copyOf(type, n);
    arg = Arrays.copyOf(arg, n);
    arg2 = Arrays.copyOf(arg2, n);
  }
}
