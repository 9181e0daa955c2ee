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
  // the earliest event, when it is known to come before everything in the heap: an event scheduled
  // for sooner than all the others (the common case: the next step of the pass that just ended) is
  // popped without going through the heap
  private boolean hasFirst;
  private long firstTime, firstSeq;
  private int firstType, firstArg, firstArg2;

  // the popped event
  long topTime;
  int topType;
  int topArg;
  int topArg2;

  boolean isEmpty() { return size == 0 && !hasFirst; }

  int size() { return hasFirst ? size + 1 : size; }

  void push(long t, int ty, int a) {
    push(t, ty, a, 0);
  }

  void push(long t, int ty, int a, int b) {
    long s = nextSeq++;
    // s is the latest sequence number, so (t, s) comes before an event (t2, s2) exactly when t < t2
    if (!hasFirst) {
      if (size == 0 || t < time[0]) {
        setFirst(t, s, ty, a, b);
        return;
      }
    } else if (t < firstTime) {
      heapPush(firstTime, firstSeq, firstType, firstArg, firstArg2);
      setFirst(t, s, ty, a, b);
      return;
    }
    heapPush(t, s, ty, a, b);
  }

  private void setFirst(long t, long s, int ty, int a, int b) {
    hasFirst = true;
    firstTime = t;
    firstSeq = s;
    firstType = ty;
    firstArg = a;
    firstArg2 = b;
  }

  private void heapPush(long t, long s, int ty, int a, int b) {
    if (size == time.length) grow();
    int i = size++;
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
    if (hasFirst) {
      hasFirst = false;
      topTime = firstTime;
      topType = firstType;
      topArg = firstArg;
      topArg2 = firstArg2;
      return;
    }
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
