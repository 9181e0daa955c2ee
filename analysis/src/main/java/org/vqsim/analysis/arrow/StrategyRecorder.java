package org.vqsim.analysis.arrow;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.HdrHistogram.Histogram;
import org.vqsim.engine.cost.CycleLedger;
import org.vqsim.engine.cost.EventKind;
import org.vqsim.engine.sim.CompletionSink;

/**
 * Receives one strategy's completions: records each latency in an HdrHistogram and, unless the run
 * is summary-only, appends the request's row to {@code requests.arrow}. Allocates nothing per request.
 */
public final class StrategyRecorder implements CompletionSink {
  /** Latencies up to one hour at 3 significant digits: a fixed-size histogram. */
  public static final long MAX_TRACKABLE_NS = 3_600_000_000_000L;

  private static final byte[][] OPS = {bytes("R"), bytes("W"), bytes("F"), bytes("D")};

  private final String strategy;
  private final byte[] strategyBytes;
  private final Histogram histogram = new Histogram(1, MAX_TRACKABLE_NS, 3);
  private final TableWriter rows;
  private final int cStrategy, cRequest, cOp, cOffset, cLength, cCpu, cQueue, cSubmit, cComplete, cLatency, cGuest, cHost;
  private final int[] cEvents = new int[EventKind.COUNT];
  private long latencySum;
  private long maxCompleteNs;

  /** @param rows the requests.arrow writer, or null for a summary-only run */
  public StrategyRecorder(String strategy, TableWriter rows) {
    this.strategy = strategy;
    this.strategyBytes = bytes(strategy);
    this.rows = rows;
    if (rows != null) {
      cStrategy = rows.column("strategy");
      cRequest = rows.column("request");
      cOp = rows.column("op");
      cOffset = rows.column("offset");
      cLength = rows.column("length");
      cCpu = rows.column("cpu");
      cQueue = rows.column("queue");
      cSubmit = rows.column("submit_ns");
      cComplete = rows.column("complete_ns");
      cLatency = rows.column("latency_ns");
      cGuest = rows.column("guest_cycles");
      cHost = rows.column("host_cycles");
      for (EventKind e : EventKind.values()) cEvents[e.ordinal()] = rows.column(e.id);
    } else {
      cStrategy = cRequest = cOp = cOffset = cLength = cCpu = cQueue = cSubmit = cComplete = cLatency = cGuest = cHost = -1;
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  public String strategy() { return strategy; }
  public Histogram histogram() { return histogram; }
  public long latencySumNs() { return latencySum; }

  @Override
  public void completed(long request, int op, long offset, int length, long submitNs, long completeNs, CycleLedger ledger, int slot, int cpu, int queue) {
    long latency = completeNs - submitNs;
    histogram.recordValue(Math.max(1, Math.min(latency, MAX_TRACKABLE_NS)));
    latencySum += latency;
    if (completeNs > maxCompleteNs) maxCompleteNs = completeNs;
    if (rows == null) return;
    rows.setBytes(cStrategy, strategyBytes);
    rows.setLong(cRequest, request);
    rows.setBytes(cOp, OPS[op]);
    rows.setLong(cOffset, offset);
    rows.setInt(cLength, length);
    rows.setInt(cCpu, cpu);
    rows.setInt(cQueue, queue);
    rows.setLong(cSubmit, submitNs);
    rows.setLong(cComplete, completeNs);
    rows.setLong(cLatency, latency);
    rows.setLong(cGuest, ledger.slotGuestCycles(slot));
    rows.setLong(cHost, ledger.slotHostCycles(slot));
    for (int e = 0; e < EventKind.COUNT; e++) {
      long v = ledger.slotEvents(slot, EventKind.of(e));
      if (e == EventKind.BOUNCE_BYTES.ordinal()) rows.setLong(cEvents[e], v);
      else rows.setInt(cEvents[e], (int) Math.min(v, Integer.MAX_VALUE));
    }
    try {
      rows.endRow();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
