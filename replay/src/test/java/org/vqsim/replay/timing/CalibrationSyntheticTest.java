package org.vqsim.replay.timing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.vqsim.capture.timing.TimedRun;
import org.vqsim.capture.timing.TimedRunReader;
import org.vqsim.engine.cost.CostFigure;
import org.vqsim.engine.cost.CostProfile;
import org.vqsim.engine.cost.ServiceDistribution;
import org.vqsim.engine.dma.StrategyId;

/**
 * Runs made by vqsim itself with known figures: the lab's request streams (3 workloads × direct,
 * bounce, viommu-strict) replayed with a "true" profile, their modelled latencies and service times
 * taken as the observations. {@code calibrate} must recover the true figures within the uncertainty
 * it reports, and report what one request in flight cannot separate as combinations. The truth
 * reads and writes at different bandwidths and has a guest jitter scaled by each request's exposure
 * (issue to pop time), which must come back too, at the fit's own reference exposure.
 */
class CalibrationSyntheticTest {
  static final CostFigure[] PER_REQUEST = {CostFigure.KICK_EXIT_CYCLES, CostFigure.KICK_HANDLER_CYCLES_QEMU, CostFigure.IRQ_INJECT_CYCLES,
      CostFigure.IRQ_GUEST_CYCLES, CostFigure.RING_PUBLISH_CYCLES, CostFigure.GUEST_USED_CYCLES, CostFigure.DEVICE_POP_CYCLES,
      CostFigure.USED_PUSH_CYCLES, CostFigure.MQ_DEADLINE_CYCLES};
  static final CostFigure[] PER_MAP = {CostFigure.VIOMMU_MAP_CYCLES, CostFigure.VIOMMU_UNMAP_CYCLES, CostFigure.VIOMMU_INV_EXIT_CYCLES,
      CostFigure.VIOMMU_INV_QEMU_CYCLES, CostFigure.VIOMMU_INV_SCAN_CYCLES, CostFigure.IOTLB_WALK_CYCLES};
  static final CostFigure[] BACKEND = {CostFigure.BACKEND_LATENCY_NS, CostFigure.DEVICE_REQUEST_CYCLES, CostFigure.BACKEND_SUBMIT_CYCLES};

  /** The truth's guest jitter, ns: none for half the requests, a tail beyond (the shape calibrate fits: stalls above the median). */
  static final String TRUE_JITTER = "empirical 0:0 0.5:0 0.8:30000 0.9:60000 0.99:200000 1:400000";
  /** The exposure the truth's jitter is given for, ns: a request's draw is scaled by sqrt(its issue-to-pop time / this). */
  static final double TRUE_EXPOSURE_NS = 50_000;
  static CostProfile base, truth;
  static Calibration.Result result;

  @BeforeAll
  static void fit() throws IOException {
    base = CostProfile.builtIn("x86-kvm");
    // the truth: whole combinations scaled (their members keep the base ratios, so each member has a true value to recover), others on their own
    double[] v = new double[CostFigure.COUNT];
    String[] src = new String[CostFigure.COUNT];
    Map<CostFigure, Double> scale = new EnumMap<>(CostFigure.class);
    for (CostFigure f : PER_REQUEST) scale.put(f, 30.0);
    for (CostFigure f : PER_MAP) scale.put(f, 4.0);
    for (CostFigure f : BACKEND) scale.put(f, 2.5);
    scale.put(CostFigure.BOUNCE_COPY_CYCLES_PER_KIB, 6.0);
    scale.put(CostFigure.BOUNCE_ALLOC_CYCLES, 3.0);
    scale.put(CostFigure.BOUNCE_RELEASE_CYCLES, 3.0);
    scale.forEach((f, k) -> {
      v[f.ordinal()] = Math.rint(base.get(f) * k);
      src[f.ordinal()] = "synthetic truth";
    });
    v[CostFigure.BACKEND_MIB_PER_S.ordinal()] = 800;
    src[CostFigure.BACKEND_MIB_PER_S.ordinal()] = "synthetic truth";
    v[CostFigure.BACKEND_WRITE_MIB_PER_S.ordinal()] = 2500;
    src[CostFigure.BACKEND_WRITE_MIB_PER_S.ordinal()] = "synthetic truth";
    truth = base.derive("truth", "synthetic", v, src, ServiceDistribution.parse("lognormal 0.99:2"), "synthetic truth", ServiceDistribution.parse(TRUE_JITTER),
        "synthetic truth", null, null).withJitterExposure(TRUE_EXPOSURE_NS, "synthetic truth");

    Path lab = org.vqsim.replay.CliSamples.samples().resolve("qemu-lab-timing");
    List<Calibration.Run> runs = new ArrayList<>();
    for (String w : new String[] {"randread4k", "seqread64k", "seqwrite128k"}) {
      for (String m : new String[] {"direct", "bounce", "viommu-strict"}) {
        Path g = lab.resolve(w + "." + m + ".boot1.guest-ftrace.txt.gz");
        TimedRun real = TimedRunReader.read(g, null);
        StrategyId id = StrategyId.of(m);
        ModelRun model = new ModelRun(g, id, 1, 1);
        // the synthetic capture: the truth's latencies and service times; a seed of its own per run, as every boot of a real run draws its own
        ModelRun.Times t = new ModelRun(g, id, 1, 100 + runs.size()).replayForFit(truth);
        TimedRun syn = new TimedRun(w + "." + m + ".synthetic", real.op(), real.length(), real.offset(), real.issueNs(), t.latencyNs(), t.serviceNs(),
            real.maps(), real.unmaps(), real.bounces(), real.bounceBytes(), real.invalidations(), real.invalidationSpanNs(), 1, true, "");
        runs.add(new Calibration.Run(syn.name(), g, null, id, "given", syn, model));
      }
    }
    result = Calibration.fit(runs, base, "fitted", "synthetic");
  }

  private static Calibration.Figure figure(CostFigure f) {
    for (Calibration.Figure x : result.figures()) if (x.figure() == f) return x;
    throw new AssertionError("no figure " + f);
  }

  @Test
  void recoversTheTrueFiguresWithinTheReportedUncertainty() {
    List<String> misses = new ArrayList<>();
    for (Calibration.Figure x : result.figures()) {
      if (x.status() != Calibration.Status.CALIBRATED && x.status() != Calibration.Status.COMBINATION) continue;
      double t = truth.get(x.figure());
      // the interval, plus half a unit: the profile holds whole numbers
      double allowed = Math.abs(x.value()) * x.halfWidthPct() / 100 + 0.5;
      if (Math.abs(x.value() - t) > allowed) misses.add(x.figure().key + ": fitted " + x.value() + " ±" + x.halfWidthPct() + "%, true " + t);
    }
    assertTrue(misses.isEmpty(), String.join("\n", misses));
    // and the scale-free figures were fitted, not left at base
    assertEquals(Calibration.Status.CALIBRATED, figure(CostFigure.BACKEND_MIB_PER_S).status());
    assertEquals(800, figure(CostFigure.BACKEND_MIB_PER_S).value(), 800 * figure(CostFigure.BACKEND_MIB_PER_S).halfWidthPct() / 100 + 0.5);
    assertEquals(Calibration.Status.CALIBRATED, figure(CostFigure.BACKEND_WRITE_MIB_PER_S).status());
    assertEquals(2500, figure(CostFigure.BACKEND_WRITE_MIB_PER_S).value(), 2500 * figure(CostFigure.BACKEND_WRITE_MIB_PER_S).halfWidthPct() / 100 + 0.5);
    assertTrue(result.profile().isGiven(CostFigure.BACKEND_WRITE_MIB_PER_S));
    assertEquals(truth.get(CostFigure.KICK_EXIT_CYCLES), figure(CostFigure.KICK_EXIT_CYCLES).value(),
        truth.get(CostFigure.KICK_EXIT_CYCLES) * figure(CostFigure.KICK_EXIT_CYCLES).halfWidthPct() / 100 + 0.5);
  }

  @Test
  void reportsWhatOneRequestInFlightCannotSeparateAsCombinations() {
    for (CostFigure f : PER_REQUEST) {
      Calibration.Figure x = figure(f);
      assertEquals(Calibration.Status.COMBINATION, x.status(), f.key);
      assertTrue(x.group().contains("kick_exit_cycles") && x.group().contains("irq_guest_cycles"), x.group());
      assertTrue(x.source().contains("cannot tell apart") && x.source().contains("split by the base profile x86-kvm's ratios"), x.source());
    }
    for (CostFigure f : PER_MAP) {
      Calibration.Figure x = figure(f);
      assertEquals(Calibration.Status.COMBINATION, x.status(), f.key);
      assertTrue(x.group().contains("viommu_map_cycles") && x.group().contains("viommu_inv_exit_cycles"), x.group());
    }
    // what no run exercises keeps the base value and says so
    Calibration.Figure vhost = figure(CostFigure.KICK_HANDLER_CYCLES_VHOST);
    assertEquals(Calibration.Status.NOT_EXERCISED, vhost.status());
    assertEquals(base.get(CostFigure.KICK_HANDLER_CYCLES_VHOST), result.profile().get(CostFigure.KICK_HANDLER_CYCLES_VHOST));
    assertTrue(result.profile().source(CostFigure.KICK_HANDLER_CYCLES_VHOST).startsWith("base profile x86-kvm"));
    assertTrue(result.profile().source(CostFigure.KICK_EXIT_CYCLES).startsWith("calibrated from 9 runs"));
  }

  @Test
  void theServiceDistributionComesBack() {
    ServiceDistribution d = result.profile().serviceDistribution();
    assertTrue(d.spec().startsWith("empirical"), d.spec());
    // the truth's p99 is 2 × its mean; the fitted one (mean 1), from 15,000 draws, within a few percent
    assertEquals(1.0, d.mean(), 1e-3);
    assertEquals(2.0, d.quantile(0.99), 0.1);
  }

  @Test
  void theGuestJitterComesBack() {
    ServiceDistribution truthJ = ServiceDistribution.parse(TRUE_JITTER);
    assertTrue(result.profile().hasGuestJitter());
    ServiceDistribution d = result.profile().guestJitter();
    // the fit gives it at a reference exposure of its own (the median issue-to-pop time), the truth at TRUE_EXPOSURE_NS: the same law, sqrt(exposure)
    double ref = result.profile().guestJitterExposureNs();
    assertTrue(ref > 0, "a reference exposure");
    assertTrue(result.profile().guestJitterExposureSource().contains("median"), result.profile().guestJitterExposureSource());
    double toTruth = Math.sqrt(TRUE_EXPOSURE_NS / ref);
    // about 13,500 draws: the quantiles within a few percent of the truth's, or 2 µs (where the truth's CDF is steep)
    for (double q : new double[] {0.5, 0.8, 0.9, 0.95, 0.99}) {
      double t = truthJ.quantile(q), f = d.quantile(q) * toTruth;
      assertTrue(Math.abs(f - t) <= Math.max(0.05 * t, 2000), "p" + q + ": fitted " + f + " ns at the truth's exposure, true " + t);
    }
    // each strategy's own from its three runs, coarser (about 4,500 draws); their exposures differ up to tenfold, the law takes them to one
    assertEquals(List.of("direct", "bounce", "viommu-strict"), List.copyOf(result.profile().guestJitterStrategies()));
    for (String id : result.profile().guestJitterStrategies()) {
      double t = truthJ.quantile(0.9), f = result.profile().guestJitterFor(id).quantile(0.9) * toTruth;
      assertTrue(Math.abs(f - t) <= 0.1 * t, id + " p90: fitted " + f + " ns at the truth's exposure, true " + t);
    }
    // the square-root law is checked on the runs and reported: slopes near 1/2
    String note = result.notes().stream().filter(n -> n.contains("log-log slope")).findFirst().orElseThrow();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("p90 ([0-9.]+)").matcher(note);
    assertTrue(m.find(), note);
    assertEquals(0.5, Double.parseDouble(m.group(1)), 0.1, note);
  }

  @Test
  void sameRunsSameProfileText() throws IOException {
    assertTrue(Files.exists(org.vqsim.replay.CliSamples.samples()));
    String a = result.profile().toFileText("test");
    assertEquals(a, result.profile().toFileText("test"));
  }
}
