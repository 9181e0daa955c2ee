package org.vqsim.analysis.arrow;

import org.HdrHistogram.Histogram;
import org.vqsim.engine.cost.Actor;
import org.vqsim.engine.cost.Category;
import org.vqsim.engine.cost.CycleLedger;
import org.vqsim.engine.cost.EventKind;
import org.vqsim.engine.sim.RunResult;

/**
 * One strategy's row of summary.arrow. Derived figures (rates, means, ratios) are computed here and
 * nowhere else, from the raw counts of the run.
 *
 * <p>{@code pps} and {@code gbitPerS} are set for a network replay's row in a sweep (a packet is
 * then the request: {@code iops} = {@code pps}, {@code bytes} frame bytes) and null for a block
 * replay's; they are sweep.arrow's nullable {@code pps} and {@code gbit_per_s} columns.
 */
public record SummaryRow(
    String strategy, String profile, String trace, String ring, String backend, int iodepth, int vcpus, int queues,
    long requests, long bytes, long simTimeNs, double iops, double mibPerS,
    double latMeanNs, long latP50Ns, long latP99Ns, long latP999Ns, long latMaxNs,
    double cyclesPerRequest, double cyclesPerKib, double guestCyclesPerRequest, double hostCyclesPerRequest,
    Double slowdownVsDirect, Double cyclesVsDirect,
    double[] eventsPerRequest, double kicksSuppressedPerRequest, long ringFullStalls, long mapStalls,
    double vcpuUtilMax, double vcpuUtilMean, double vmmUtilMax, double lockWaitNsPerRequest, String mostWaitedLock,
    double[] cyclesByCategory, double[] cyclesByActor, Double pps, Double gbitPerS) implements java.io.Serializable {

  /** A block replay's row (no packet rates). */
  public SummaryRow(
      String strategy, String profile, String trace, String ring, String backend, int iodepth, int vcpus, int queues,
      long requests, long bytes, long simTimeNs, double iops, double mibPerS,
      double latMeanNs, long latP50Ns, long latP99Ns, long latP999Ns, long latMaxNs,
      double cyclesPerRequest, double cyclesPerKib, double guestCyclesPerRequest, double hostCyclesPerRequest,
      Double slowdownVsDirect, Double cyclesVsDirect,
      double[] eventsPerRequest, double kicksSuppressedPerRequest, long ringFullStalls, long mapStalls,
      double vcpuUtilMax, double vcpuUtilMean, double vmmUtilMax, double lockWaitNsPerRequest, String mostWaitedLock,
      double[] cyclesByCategory, double[] cyclesByActor) {
    this(strategy, profile, trace, ring, backend, iodepth, vcpus, queues, requests, bytes, simTimeNs, iops, mibPerS, latMeanNs, latP50Ns, latP99Ns,
        latP999Ns, latMaxNs, cyclesPerRequest, cyclesPerKib, guestCyclesPerRequest, hostCyclesPerRequest, slowdownVsDirect, cyclesVsDirect,
        eventsPerRequest, kicksSuppressedPerRequest, ringFullStalls, mapStalls, vcpuUtilMax, vcpuUtilMean, vmmUtilMax, lockWaitNsPerRequest,
        mostWaitedLock, cyclesByCategory, cyclesByActor, null, null);
  }

  /** Whether the row is a network replay's (a packet is its request). */
  public boolean isNet() {
    return pps != null;
  }

  /** What identifies a run besides its strategy. */
  public record Context(String profile, String trace, String ring, String backend, int iodepth) {}

  public static SummaryRow of(String strategy, Context ctx, RunResult r, StrategyRecorder rec) {
    Histogram h = rec.histogram();
    long n = r.requests();
    double perReq = n == 0 ? 0 : 1.0 / n;
    double seconds = r.simTimeNs() / 1e9;
    CycleLedger l = r.ledger();
    long total = l.grandTotal();
    long guest = l.total(Actor.VCPU);
    double[] events = new double[EventKind.COUNT];
    for (EventKind e : EventKind.values()) events[e.ordinal()] = l.events(e) * perReq;
    double[] byCat = new double[Category.COUNT];
    for (Category c : Category.values()) byCat[c.ordinal()] = l.total(c) * perReq;
    double[] byActor = new double[Actor.COUNT];
    for (Actor a : Actor.values()) byActor[a.ordinal()] = l.total(a) * perReq;
    return new SummaryRow(strategy, ctx.profile(), ctx.trace(), ctx.ring(), ctx.backend(), ctx.iodepth(), r.vcpus(), r.queues(),
        n, r.bytes(), r.simTimeNs(),
        seconds > 0 ? n / seconds : 0, seconds > 0 ? r.bytes() / 1048576.0 / seconds : 0,
        n == 0 ? 0 : (double) rec.latencySumNs() / n,
        h.getValueAtPercentile(50), h.getValueAtPercentile(99), h.getValueAtPercentile(99.9), h.getMaxValue(),
        total * perReq, r.bytes() == 0 ? Double.NaN : total / (r.bytes() / 1024.0),
        guest * perReq, (total - guest) * perReq,
        null, null, events, r.kicksSuppressed() * perReq, r.ringFullStalls(), r.mapStalls(),
        r.vcpuUtilMax(), r.vcpuUtilMean(), r.vmmUtilMax(), r.lockWaitNs() * perReq, mostWaited(r), byCat, byActor);
  }

  /** The lock with the most wait in total (the first made of equals), or "" when nothing waited. */
  static String mostWaited(RunResult r) {
    String name = "";
    long most = 0;
    for (RunResult.LockRow l : r.locks()) {
      if (l.waitNsTotal() > most) {
        most = l.waitNsTotal();
        name = l.name();
      }
    }
    return name;
  }

  /**
   * This row as a network replay's: other per-request event counts (per packet, with the initial fill
   * of the receive rings left out as in its own summary.arrow), and its packets per second and frame
   * Gb/s as the replay's summary.arrow has them.
   */
  public SummaryRow asNet(double[] events, double pps, double gbitPerS) {
    return new SummaryRow(strategy, profile, trace, ring, backend, iodepth, vcpus, queues, requests, bytes, simTimeNs, iops, mibPerS, latMeanNs, latP50Ns,
        latP99Ns, latP999Ns, latMaxNs, cyclesPerRequest, cyclesPerKib, guestCyclesPerRequest, hostCyclesPerRequest, slowdownVsDirect, cyclesVsDirect,
        events.clone(), kicksSuppressedPerRequest, ringFullStalls, mapStalls, vcpuUtilMax, vcpuUtilMean, vmmUtilMax, lockWaitNsPerRequest, mostWaitedLock,
        cyclesByCategory, cyclesByActor, pps, gbitPerS);
  }

  /** This row with its ratios against the {@code direct} row of the same run. */
  public SummaryRow against(SummaryRow direct) {
    Double slow = direct == null || iops == 0 ? null : direct.iops() / iops;
    Double cyc = direct == null || direct.cyclesPerRequest() == 0 ? null : cyclesPerRequest / direct.cyclesPerRequest();
    return new SummaryRow(strategy, profile, trace, ring, backend, iodepth, vcpus, queues, requests, bytes, simTimeNs, iops, mibPerS,
        latMeanNs, latP50Ns, latP99Ns, latP999Ns, latMaxNs, cyclesPerRequest, cyclesPerKib, guestCyclesPerRequest,
        hostCyclesPerRequest, slow, cyc, eventsPerRequest, kicksSuppressedPerRequest, ringFullStalls, mapStalls,
        vcpuUtilMax, vcpuUtilMean, vmmUtilMax, lockWaitNsPerRequest, mostWaitedLock, cyclesByCategory, cyclesByActor, pps, gbitPerS);
  }
}
