package org.vqsim.replay;

import java.io.IOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.vqsim.engine.sim.IoRequest;
import org.vqsim.engine.sim.RequestSource;

/**
 * Reads a trace once and hands the same requests to several consumers (one engine per strategy,
 * each on its own thread): a producer thread fills fixed-size batches from a small pool, every
 * consumer reads every batch, the last one to finish a batch returns it to the pool. Memory stays
 * at the pool's few batches whatever the trace's length; a slow consumer holds the others back
 * (that is the back pressure), and a failing one aborts the whole broadcast instead of blocking it.
 */
final class TraceBroadcast implements AutoCloseable {
  static final int BATCH = 8192;
  private static final int POOL = 8;

  /** A batch of requests (every field a reader fills: time, op, offset, length, CPU, segments), structure of arrays, reused. */
  private static final class Batch {
    final long[] ts = new long[BATCH];
    final byte[] op = new byte[BATCH];
    final long[] offset = new long[BATCH];
    final int[] length = new int[BATCH];
    final int[] cpu = new int[BATCH];
    final int[] segStart = new int[BATCH + 1];
    int[] segs = new int[BATCH];
    int n;
    boolean last;
    final AtomicInteger readers = new AtomicInteger();
  }

  private final RequestSource source;
  private final int consumers;
  private final BlockingQueue<Batch> free = new ArrayBlockingQueue<>(POOL);
  private final BlockingQueue<Batch>[] queues;
  private final Thread producer;
  private volatile Throwable failure;
  private volatile boolean aborted;

  @SuppressWarnings("unchecked")
  TraceBroadcast(RequestSource source, int consumers) {
    this.source = source;
    this.consumers = consumers;
    this.queues = new BlockingQueue[consumers];
    for (int i = 0; i < consumers; i++) queues[i] = new ArrayBlockingQueue<>(POOL);
    for (int i = 0; i < POOL; i++) free.add(new Batch());
    this.producer = new Thread(this::produce, "vqsim-trace-reader");
    this.producer.setDaemon(true);
  }

  void start() {
    producer.start();
  }

  /** Stops everything: consumers and producer give up at their next wait. */
  void abort() {
    aborted = true;
  }

  private void produce() {
    IoRequest r = new IoRequest();
    try {
      boolean more = true;
      while (more) {
        Batch b = take(free);
        if (b == null) return;
        b.n = 0;
        b.segStart[0] = 0;
        while (b.n < BATCH && (more = source.next(r))) {
          int i = b.n++;
          b.ts[i] = r.tsNs;
          b.op[i] = r.op;
          b.offset[i] = r.offset;
          b.length[i] = r.length;
          b.cpu[i] = r.cpu;
          int s0 = b.segStart[i];
          if (s0 + r.segmentCount > b.segs.length) b.segs = java.util.Arrays.copyOf(b.segs, Math.max(b.segs.length * 2, s0 + r.segmentCount));
          System.arraycopy(r.segments, 0, b.segs, s0, r.segmentCount);
          b.segStart[i + 1] = s0 + r.segmentCount;
        }
        b.last = !more;
        b.readers.set(consumers);
        for (BlockingQueue<Batch> q : queues) if (!put(q, b)) return;
      }
    } catch (Throwable t) {
      failure = t;
      aborted = true;
    }
  }

  private <T> T take(BlockingQueue<T> q) throws InterruptedException {
    while (!aborted) {
      T t = q.poll(100, TimeUnit.MILLISECONDS);
      if (t != null) return t;
    }
    return null;
  }

  private boolean put(BlockingQueue<Batch> q, Batch b) throws InterruptedException {
    while (!aborted) if (q.offer(b, 100, TimeUnit.MILLISECONDS)) return true;
    return false;
  }

  /** Consumer {@code i}'s view of the trace. */
  RequestSource consumer(int i) {
    return new RequestSource() {
      Batch b;
      int idx;

      @Override
      public boolean next(IoRequest into) throws IOException {
        while (b == null || idx == b.n) {
          if (b != null) {
            boolean last = b.last;
            release(b);
            b = null;
            if (last) return false;
          }
          try {
            b = take(queues[i]);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading the trace", e);
          }
          if (b == null) throw failure();
          idx = 0;
        }
        int k = idx++;
        into.set(b.ts[k], b.op[k], b.offset[k], b.length[k]);
        into.cpu = b.cpu[k];
        int s0 = b.segStart[k], s1 = b.segStart[k + 1];
        if (s1 > s0) into.setSegments(b.segs, s0, s1 - s0);
        return true;
      }
    };
  }

  private void release(Batch b) {
    if (b.readers.decrementAndGet() == 0) free.offer(b);
  }

  /** The producer's failure (a bad trace), or a plain abort. */
  private IOException failure() {
    Throwable f = failure;
    if (f instanceof RuntimeException re) throw re;
    if (f instanceof Error e) throw e;
    if (f instanceof IOException io) return io;
    if (f != null) return new IOException(f);
    throw new Aborted();
  }

  /** Thrown in a consumer when another consumer failed: not the cause, only its consequence. */
  static final class Aborted extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Aborted() {
      super("replay aborted because another strategy failed", null, false, false);
    }
  }

  /** The producer's failure, if any (checked after the consumers finished). */
  Throwable producerFailure() {
    return failure;
  }

  @Override
  public void close() {
    aborted = true;
    producer.interrupt();
  }
}
