package org.vqsim.replay.timing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.vqsim.capture.ReadOptions;
import org.vqsim.capture.Traces;
import org.vqsim.engine.cost.CostProfile;
import org.vqsim.engine.dma.DmaOptions;
import org.vqsim.engine.dma.StrategyId;
import org.vqsim.engine.ring.Ring;
import org.vqsim.engine.sim.IoRequest;
import org.vqsim.engine.sim.ReplayConfig;
import org.vqsim.engine.sim.ReplayEngine;
import org.vqsim.engine.sim.RequestSource;

/**
 * A captured run's requests held in memory (with their captured segments), replayed as captured —
 * at their issue times, at most the run's observed concurrency in flight — as often as a fit needs,
 * each replay giving every request's modelled latency and device service time (pop to fill).
 */
public final class ModelRun {
  private final IoRequest[] requests;
  public final StrategyId strategy;
  public final ReplayConfig config;

  /**
   * One replay's per-request figures, ns, in the trace's order; {@code exposureNs} is the time from
   * the request's issue to the device's pop of it (the guest jitter's exposure, {@code
   * guest_jitter_exposure_ns}).
   */
  public record Times(long[] submitNs, long[] latencyNs, long[] serviceNs, long[] exposureNs) {}

  public ModelRun(Path guest, StrategyId strategy, int maxInFlight, long seed) throws IOException {
    List<IoRequest> l = new ArrayList<>();
    try (Traces.Opened t = Traces.open(guest, ReadOptions.defaults())) {
      IoRequest r = new IoRequest();
      while (t.source().next(r)) {
        IoRequest c = new IoRequest().set(r.tsNs, r.op, r.offset, r.length);
        c.cpu = r.cpu;
        if (r.segmentCount > 0) c.setSegments(r.segments, 0, r.segmentCount);
        l.add(c);
      }
    }
    this.requests = l.toArray(new IoRequest[0]);
    this.strategy = strategy;
    int depth = Math.max(1, Math.min(maxInFlight, ReplayConfig.DEFAULT_QUEUE_SIZE));
    this.config = ReplayConfig.defaults().withIodepth(depth).withOpenLoop(true).withSeed(seed);
  }

  public int size() { return requests.length; }

  /**
   * Whether {@link #replayForFit} of this run and of {@code o} replay the same input — the same
   * strategy and arrival, and the same requests as that arrival reads them (operation, offset, length,
   * CPU, captured segments; the issue times only when they are replayed) — and so give the same times
   * for any profile: the model is deterministic. The boots of one workload under one mode usually do.
   */
  public boolean sameReplayForFit(ModelRun o) {
    if (o == this) return true;
    if (strategy != o.strategy || requests.length != o.requests.length || !arrivalForTiming().equals(o.arrivalForTiming())) return false;
    boolean times = arrivalForTiming().openLoop();
    for (int i = 0; i < requests.length; i++) {
      IoRequest a = requests[i], b = o.requests[i];
      if (a.op != b.op || a.offset != b.offset || a.length != b.length || a.cpu != b.cpu || a.segmentCount != b.segmentCount) return false;
      if (times && a.tsNs != b.tsNs) return false;
      if (!java.util.Arrays.equals(a.segments, 0, a.segmentCount, b.segments, 0, b.segmentCount)) return false;
    }
    return true;
  }

  /** Replays as captured: the trace's issue times, at most its observed concurrency in flight. */
  public Times replay(CostProfile p) throws IOException {
    return replay(p, config);
  }

  /**
   * Replays a run for a fit or a check of its timing. A run that had one request in flight at a time
   * is replayed in a closed loop at depth 1: each request is issued when the previous one completes,
   * as the capturing process did (its next issue waited for the completion), so a request that the
   * model makes slower than the capture delays the next one instead of queueing it behind the
   * capture's fixed issue times; each request then meets an idle model, so its latency is linear in the
   * figures, as the fit assumes. A run with more in flight replays as captured.
   */
  public Times replayForFit(CostProfile p) throws IOException {
    return replay(p, arrivalForTiming());
  }

  /** The configuration {@link #replayForFit} uses. */
  public ReplayConfig arrivalForTiming() {
    return config.iodepth() == 1 ? config.withOpenLoop(false) : config;
  }

  /** How {@link #replayForFit} issues requests, in words. */
  public String arrivalForTimingText() {
    return config.iodepth() == 1 ? "closed loop at depth 1 (the capture had one request in flight: each issued after the previous completed)"
        : "as captured (the trace's issue times, at most " + config.iodepth() + " in flight)";
  }

  private Times replay(CostProfile p, ReplayConfig config) throws IOException {
    long[] sub = new long[requests.length], lat = new long[requests.length], svc = new long[requests.length], exp = new long[requests.length];
    ReplayEngine e = new ReplayEngine(strategy, p, config, DmaOptions.defaults(), Ring.SPLIT);
    e.run(new RequestSource() {
      int i;

      @Override
      public boolean next(IoRequest into) {
        if (i == requests.length) return false;
        IoRequest r = requests[i++];
        into.set(r.tsNs, r.op, r.offset, r.length);
        into.cpu = r.cpu;
        if (r.segmentCount > 0) into.setSegments(r.segments, 0, r.segmentCount);
        else into.segmentCount = 0;
        return true;
      }
    }, (request, op, offset, length, submitNs, completeNs, ledger, slot, cpu, queue) -> {
      sub[(int) request] = submitNs;
      lat[(int) request] = completeNs - submitNs;
      svc[(int) request] = ledger.slotServicePs(slot) / 1000;
      exp[(int) request] = ledger.slotPopPs(slot) / 1000 - submitNs;
    });
    return new Times(sub, lat, svc, exp);
  }
}
