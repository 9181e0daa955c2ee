package org.vqsim.capture.observed;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.vqsim.capture.text.TimeBase;
import org.vqsim.engine.sim.IoRequest;

/**
 * Pairs issues with completions by (device, sector, op) and hands requests back in issue order,
 * each with its observed completion time. Memory is bounded by the requests in flight: when more
 * than {@code maxPending} wait, the oldest is released without a completion (counted), as is
 * every request still waiting at the end of the trace.
 *
 * <p>The submitting CPU comes the same way, from the events before the issue (ftrace's
 * {@code block_rq_insert} or {@code block_bio_queue}, blkparse's Q or I): {@link #submitted}
 * records the CPU of a key, and the next issue of that key takes it. A request whose key was never
 * submitted in the trace has CPU -1. Submissions that no issue takes (bios merged into another
 * request, requests of other ops) are forgotten oldest first beyond {@code maxPending}.
 *
 * <pre>
 *  issue A, issue B, complete B, complete A  →  A (done) then B (done)
 *  fifo: [A][B]   byKey: key(A)→A, key(B)→B (a chain when the same key is in flight twice)
 * </pre>
 */
public final class RequestPairer {
  /** One issued request waiting to be handed out. */
  public static final class Pending {
    public long issueNs;
    public byte op;
    public long offset;
    public int length;
    /** The submitting CPU, or -1 when no submission event named it. */
    public int cpu;
    public boolean done;
    public final ObservedEvents events = new ObservedEvents();
    long key;
    Pending nextSame;

    /**
     * Hands this request to a reader's caller: its fields into {@code into} and its events into
     * {@code observed}, times relative to the trace's first request.
     */
    public void emit(IoRequest into, ObservedEvents observed, TimeBase time, long firstTsNs) {
      into.set(time.emit(issueNs - firstTsNs), op, offset, length);
      into.cpu = cpu;
      observed.copyFrom(events);
      if (observed.completeNs >= 0) observed.completeNs -= firstTsNs;
    }
  }

  private final ArrayDeque<Pending> fifo = new ArrayDeque<>();
  private final HashMap<Long, Pending> byKey = new HashMap<>();
  private final ArrayDeque<Pending> free = new ArrayDeque<>();
  private final HashMap<Long, Integer> deviceIds = new HashMap<>();
  /** Submitting CPU by key, of submissions not yet issued: {@code cpu << 1 | 1} for a preferred event, {@code cpu << 1} otherwise. */
  private final LinkedHashMap<Long, Integer> submitters;
  private final int maxPending;
  private final ReaderCounters counters;
  private long lastDevice = Long.MIN_VALUE;
  private int lastDeviceId;

  public RequestPairer(int maxPending, ReaderCounters counters) {
    this.maxPending = maxPending;
    this.counters = counters;
    this.submitters = new LinkedHashMap<>() {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<Long, Integer> eldest) {
        return size() > maxPending;
      }
    };
  }

  /**
   * Records that the request of {@code key} was submitted from {@code cpu}. A {@code preferred}
   * event (blkparse's Q, ftrace's block_rq_insert) replaces what was recorded for the key; another
   * one (blkparse's I, ftrace's block_bio_queue) only replaces another of its kind, so that a
   * request with both gets the preferred event's CPU whatever their order.
   */
  public void submitted(long key, int cpu, boolean preferred) {
    Integer had = submitters.remove(key); // removed and put again: the newest entry is forgotten last
    submitters.put(key, had != null && (had & 1) == 1 && !preferred ? had : cpu << 1 | (preferred ? 1 : 0));
  }

  /**
   * The pairing key: exact for sectors below 2^46 and up to 4096 devices. A flush carries no
   * sector (kernels print 0 or -1 at completion), so flushes pair by device alone.
   */
  public long key(int major, int minor, byte op, long sector) {
    long dev = ((long) major << 32) | (minor & 0xffffffffL);
    if (dev != lastDevice) {
      Integer id = deviceIds.get(dev);
      if (id == null) {
        id = deviceIds.size() & 0xfff;
        deviceIds.put(dev, id);
      }
      lastDevice = dev;
      lastDeviceId = id;
    }
    long s = op == org.vqsim.engine.sim.IoOp.FLUSH || sector < 0 ? 0 : sector & ((1L << 46) - 1);
    return (s << 16) | ((long) lastDeviceId << 2) | op;
  }

  /** Records an issue; the returned slot collects the request's map-phase events. */
  public Pending issue(long key, long issueNs, byte op, long offset, int length) {
    Pending p = free.isEmpty() ? new Pending() : free.pop();
    p.issueNs = issueNs;
    p.op = op;
    p.offset = offset;
    p.length = length;
    Integer submitter = submitters.isEmpty() ? null : submitters.remove(key);
    p.cpu = submitter == null ? -1 : submitter >>> 1;
    p.done = false;
    p.events.clear();
    p.key = key;
    p.nextSame = null;
    Pending head = byKey.putIfAbsent(key, p);
    if (head != null) {
      while (head.nextSame != null) head = head.nextSame;
      head.nextSame = p;
    }
    fifo.add(p);
    return p;
  }

  /** Records a completion: the oldest request in flight with this key, or null (counted) when there is none. */
  public Pending complete(long key, long completeNs) {
    Pending p = byKey.remove(key);
    if (p == null) {
      counters.completionsWithoutIssue++;
      return null;
    }
    if (p.nextSame != null) byKey.put(key, p.nextSame);
    p.nextSame = null;
    p.done = true;
    p.events.completeNs = completeNs;
    return p;
  }

  /** The next request to hand out in issue order, or null when the oldest is still in flight. */
  public Pending ready(boolean atEnd) {
    Pending head = fifo.peek();
    if (head == null) return null;
    if (head.done) return fifo.poll();
    if (atEnd || fifo.size() > maxPending) {
      fifo.poll();
      unlink(head);
      counters.issuesWithoutCompletion++;
      return head;
    }
    return null;
  }

  private void unlink(Pending p) {
    Pending h = byKey.get(p.key);
    if (h == p) {
      if (p.nextSame != null) byKey.put(p.key, p.nextSame);
      else byKey.remove(p.key);
    } else {
      while (h != null && h.nextSame != p) h = h.nextSame;
      if (h != null) h.nextSame = p.nextSame;
    }
    p.nextSame = null;
  }

  /** Returns a handed-out slot for reuse. */
  public void release(Pending p) {
    if (free.size() < 1024) free.push(p);
  }

  public int inFlight() { return fifo.size(); }
}
