package org.vqsim.engine.sim;

import java.util.Arrays;

/**
 * The timeline's pending events: a binary min-heap ordered by time and then by insertion sequence
 * (so simultaneous events run in the order they were scheduled, deterministically). Each event is
 * four longs side by side in one array — time, sequence, type and argument, second argument — so a
 * step of the heap moves one event's 32 bytes, not five arrays' worth of cache lines: with a
 * thousand requests in flight (32 vCPUs) the heap no longer fits the closest caches. Grows by
 * doubling; in steady state it never allocates.
 */
final class EventQueue {
  private static final int W = 4; // longs per event: time, seq, type << 32 | arg, arg2
  private long[] heap = new long[64 * W];
  private int size;
  private long nextSeq;
  // the earliest event, kept out of the heap while it comes before everything in it: an event scheduled
  // for sooner than all the others (often the next step of the pass that just ended) is pushed and
  // popped without a walk of the heap
  private boolean hasFirst;
  private long firstTime, firstSeq, firstTa, firstB;

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
    long ta = ((long) ty << 32) | (a & 0xFFFF_FFFFL);
    // s is the latest sequence number, so (t, s) comes before an event (t2, s2) exactly when t < t2
    if (!hasFirst) {
      if (size == 0 || t < heap[0]) {
        setFirst(t, s, ta, b);
        return;
      }
    } else if (t < firstTime) {
      heapPush(firstTime, firstSeq, firstTa, firstB);
      setFirst(t, s, ta, b);
      return;
    }
    heapPush(t, s, ta, b);
  }

  private void setFirst(long t, long s, long ta, long b) {
    hasFirst = true;
    firstTime = t;
    firstSeq = s;
    firstTa = ta;
    firstB = b;
  }

  private void heapPush(long t, long s, long ta, long b) {
    if (size * W == heap.length) heap = Arrays.copyOf(heap, heap.length * 2);
    long[] h = heap;
    int i = size++;
    while (i > 0) {
      int p = (i - 1) >>> 1;
      if (!less(t, s, h[p * W], h[p * W + 1])) break;
      move(h, p, i);
      i = p;
    }
    set(h, i, t, s, ta, b);
  }

  /** Removes the earliest event into {@link #topTime}, {@link #topType}, {@link #topArg}. */
  void pop() {
    if (hasFirst) {
      hasFirst = false;
      topTime = firstTime;
      topType = (int) (firstTa >> 32);
      topArg = (int) firstTa;
      topArg2 = (int) firstB;
      return;
    }
    long[] h = heap;
    topTime = h[0];
    topType = (int) (h[2] >> 32);
    topArg = (int) h[2];
    topArg2 = (int) h[3];
    int last = --size;
    if (last == 0) return;
    int l = last * W;
    long t = h[l], s = h[l + 1], ta = h[l + 2], b = h[l + 3];
    int i = 0;
    while (true) {
      int c = 2 * i + 1;
      if (c >= last) break;
      if (c + 1 < last && less(h[(c + 1) * W], h[(c + 1) * W + 1], h[c * W], h[c * W + 1])) c++;
      if (!less(h[c * W], h[c * W + 1], t, s)) break;
      move(h, c, i);
      i = c;
    }
    set(h, i, t, s, ta, b);
  }

  private static boolean less(long t1, long s1, long t2, long s2) {
    return t1 < t2 || (t1 == t2 && s1 < s2);
  }

  private static void set(long[] h, int i, long t, long s, long ta, long b) {
    int k = i * W;
    h[k] = t;
    h[k + 1] = s;
    h[k + 2] = ta;
    h[k + 3] = b;
  }

  private static void move(long[] h, int from, int to) {
    int f = from * W, t = to * W;
    h[t] = h[f];
    h[t + 1] = h[f + 1];
    h[t + 2] = h[f + 2];
    h[t + 3] = h[f + 3];
  }
}
