package org.vqsim.capture.observed;

import java.io.IOException;
import java.util.PriorityQueue;
import java.util.TreeMap;
import org.vqsim.capture.observed.ObservedEvents.Counter;
import org.vqsim.engine.sim.IoOp;
import org.vqsim.engine.sim.IoRequest;
import org.vqsim.engine.sim.RequestSource;

/**
 * One pass over a trace that sums up what it holds: requests by op, sizes, duration, the queue
 * depth observed from issue/completion pairs, the requests per submitting CPU and the observed
 * events per request. Memory: the requests in flight and one entry per distinct request size and
 * CPU.
 */
public final class TraceInspector {
  public long requests;
  public final long[] byOp = new long[4];
  public long bytes;
  public long firstNs = Long.MAX_VALUE, lastNs = Long.MIN_VALUE;
  public long lastCompleteNs = Long.MIN_VALUE;
  /** Requests with an observed completion time. */
  public long completed;
  /** Sum of (completion − submission) over completed requests, ns. */
  public long latencySumNs;
  public int maxInFlight;
  public final TreeMap<Integer, Long> sizes = new TreeMap<>();
  /** Totals of every observed counter, and its per-request minimum and maximum. */
  public final long[] totals = new long[Counter.values().length];
  public final long[] min = new long[Counter.values().length];
  public final long[] max = new long[Counter.values().length];
  public final TreeMap<Integer, Long> segmentCounts = new TreeMap<>();
  /** Requests per submitting CPU, of the requests that carry one. */
  public final TreeMap<Integer, Long> cpus = new TreeMap<>();
  /** Requests without a submitting CPU. */
  public long withoutCpu;
  public boolean observedEvents;
  private final PriorityQueue<Long> inFlight = new PriorityQueue<>();

  public TraceInspector() {
    java.util.Arrays.fill(min, Long.MAX_VALUE);
  }

  /** Reads {@code source} to its end. */
  public TraceInspector read(RequestSource source) throws IOException {
    IoRequest r = new IoRequest();
    ObservedSource o = source instanceof ObservedSource x ? x : null;
    while (source.next(r)) add(r, o == null ? null : o.observed());
    if (o != null) observedEvents = o.counters().hasObservedEvents;
    return this;
  }

  public void add(IoRequest r, ObservedEvents ev) {
    requests++;
    byOp[r.op]++;
    bytes += r.length;
    firstNs = Math.min(firstNs, r.tsNs);
    lastNs = Math.max(lastNs, r.tsNs);
    if (sizes.size() < 4096 || sizes.containsKey(r.length)) sizes.merge(r.length, 1L, Long::sum);
    if (r.cpu >= 0) cpus.merge(r.cpu, 1L, Long::sum);
    else withoutCpu++;
    if (ev == null) return;
    for (Counter c : Counter.values()) {
      long v = ev.counts[c.ordinal()];
      totals[c.ordinal()] += v;
      min[c.ordinal()] = Math.min(min[c.ordinal()], v);
      max[c.ordinal()] = Math.max(max[c.ordinal()], v);
    }
    if (ev.segmentCount() > 0) segmentCounts.merge(ev.segmentCount(), 1L, Long::sum);
    while (!inFlight.isEmpty() && inFlight.peek() <= r.tsNs) inFlight.poll();
    if (ev.completeNs >= 0) {
      completed++;
      latencySumNs += Math.max(0, ev.completeNs - r.tsNs);
      lastCompleteNs = Math.max(lastCompleteNs, ev.completeNs);
      inFlight.add(ev.completeNs);
      maxInFlight = Math.max(maxInFlight, inFlight.size());
    }
  }

  /** Mean requests in flight (Little's law: total time in flight over the span from first issue to last completion). */
  public double meanInFlight() {
    if (completed == 0 || lastCompleteNs <= firstNs) return Double.NaN;
    return latencySumNs / (double) (lastCompleteNs - firstNs);
  }

  public double perRequest(Counter c) {
    return requests == 0 ? 0 : totals[c.ordinal()] / (double) requests;
  }

  /** Duration from the first submission to the last completion (or submission), ns. */
  public long durationNs() {
    if (requests == 0) return 0;
    return Math.max(lastNs, lastCompleteNs) - firstNs;
  }

  public long totalOf(Counter c) { return totals[c.ordinal()]; }

  /** Whether any request carries its submitting CPU. */
  public boolean knowsCpus() { return !cpus.isEmpty(); }

  static {
    if (IoOp.DISCARD != 3) throw new AssertionError("op codes changed");
  }
}
