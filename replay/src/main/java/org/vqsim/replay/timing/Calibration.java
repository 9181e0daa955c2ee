package org.vqsim.replay.timing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.vqsim.capture.timing.TimedRun;
import org.vqsim.capture.timing.TimedRunReader;
import org.vqsim.engine.cost.CostFigure;
import org.vqsim.engine.cost.CostProfile;
import org.vqsim.engine.cost.ServiceDistribution;
import org.vqsim.engine.dma.StrategyId;

/**
 * Fits a cost profile's figures to captured runs (docs/CALIBRATION.md has the method in full).
 *
 * <ol>
 *   <li><b>Regressors from the model.</b> Each run is replayed with the base profile, then once per
 *       cost figure with that figure raised by Δ. The change of every request's modelled latency and
 *       device service time (pop to fill), divided by Δ, is how much that request depends on the
 *       figure — its modelled event count, in ns per unit (at one request in flight the model is
 *       linear in its figures, so this is exact). A figure no request depends on is not exercised.
 *   <li><b>Observations.</b> Per request, two rows: the QEMU service time (pop to fill), and the
 *       guest-side time (guest latency − service time); without a QEMU log, one row, the latency.
 *   <li><b>Identifiability.</b> Figures whose regressor columns are proportional over every row
 *       (e.g. at queue depth 1 a kick, an interrupt and the per-request device work each happen once
 *       per request) cannot be told apart: they become one combination, fitted as one scale factor
 *       on their base values, i.e. split by the base profile's ratios. A combination that is still a
 *       linear combination of others (rank deficiency left after that) keeps its base values.
 *   <li><b>Fit.</b> Non-negative least squares over all rows of all runs (Lawson–Hanson).
 *   <li><b>Uncertainty.</b> The fit repeated on 200 bootstrap resamples of the runs (whole runs: the
 *       noise between boots is larger than within one); the 95% percentile interval, as ± half its
 *       width relative to the value.
 *   <li><b>Service distribution.</b> Each request's service time less its modelled transfer and
 *       device work, divided by the fitted {@code backend_latency_ns}, pooled over the runs: its
 *       empirical quantiles become the profile's {@code backend_service_distribution}.
 * </ol>
 */
public final class Calibration {
  /** Bootstrap resamples (fixed, so that the same runs give the same profile). */
  public static final int BOOTSTRAP = 200;
  /** Columns whose cosine is within this of 1 (an angle under 2.6°) cannot be told apart by the runs: they differ on a handful of requests at most. */
  static final double PROPORTIONAL = 1e-3;
  private static final long SEED = 20261203L;
  /** At most this many rounds of taking the guest stalls out and fitting again. */
  static final int JITTER_ROUNDS = 30;

  private Calibration() {}

  /** One run to fit: files, strategy (given or inferred), what it observed and its model. */
  public record Run(String name, Path guest, Path qemu, StrategyId strategy, String strategyNote, TimedRun observed, ModelRun model) {}

  /** What the fit says about one figure. */
  public record Figure(CostFigure figure, Status status, double base, double value, double halfWidthPct, double residualPct, String group, String source) {}

  public enum Status { CALIBRATED, COMBINATION, NOT_SEPARABLE, NOT_EXERCISED }

  public record Result(CostProfile profile, List<Figure> figures, List<String> notes, int rows) {}

  /** Reads a run (GUEST[,QEMU][=STRATEGY]) and infers its strategy when not given. */
  public static Run load(Path guest, Path qemu, String strategy, CostProfile base) throws IOException {
    TimedRun t = TimedRunReader.read(guest, qemu);
    StrategyId id;
    String note;
    if (strategy != null) {
      id = StrategyId.of(strategy);
      note = "given";
    } else {
      id = infer(t, guest, base.platform());
      note = "inferred from the events";
    }
    if (!id.availableOn(base.platform())) {
      throw new IllegalArgumentException(t.name() + ": strategy " + id.id + " does not exist on " + base.platform() + " (base profile " + base.name() + ")");
    }
    return new Run(t.name(), guest, qemu, id, note, t, new ModelRun(guest, id, t.maxInFlight(), 1));
  }

  /**
   * The strategy a run's events show. Linux 6.1 with {@code swiotlb=force} behind an IOMMU bounces
   * nothing (the IOMMU DMA ops map instead), so maps without bounces are the IOMMU's strategy
   * whatever the command line asked for.
   */
  static StrategyId infer(TimedRun t, Path guest, String platform) {
    long maps = 0, bounces = 0;
    for (int i = 0; i < t.requests(); i++) {
      maps += t.maps()[i];
      bounces += t.bounces()[i];
    }
    if (maps == 0 && bounces == 0) {
      if (platform.equals("power")) {
        throw new IllegalArgumentException(guest + ": no map or bounce events on POWER: a dynamic DMA window (tce-ddw), a bypass or direct all look like this; "
            + "give the strategy as GUEST[,QEMU]=STRATEGY");
      }
      if (t.qemuIommu().isEmpty()) return StrategyId.of("direct");
      throw new IllegalArgumentException(guest + ": no map or bounce events, but the QEMU log shows " + t.qemuIommu()
          + " at work: cannot tell which strategy ran; give it as GUEST,QEMU=STRATEGY");
    }
    if (maps == 0) {
      if (platform.equals("power")) throw new IllegalArgumentException(guest + ": bounces without TCE maps on POWER (a secure VM: tce-ddw+bounce, or tce+bounce): give the strategy as GUEST[,QEMU]=STRATEGY");
      return StrategyId.of("bounce");
    }
    if (bounces > 0) {
      throw new IllegalArgumentException(guest + ": both IOMMU maps and swiotlb bounces; Linux 6.1 bounces nothing behind an IOMMU, so this is another kernel "
          + "or a mix: give the strategy as GUEST,QEMU=STRATEGY");
    }
    return switch (t.qemuIommu()) {
      case "vtd" -> StrategyId.of("viommu-strict");
      case "virtio-iommu" -> StrategyId.of("virtio-iommu");
      case "spapr" -> StrategyId.of("tce");
      default -> throw new IllegalArgumentException(guest + ": IOMMU maps, but " + (t.hasQemu() ? "the QEMU log shows no vtd_* or virtio_iommu_* events"
          : "no QEMU log") + " to tell which IOMMU (intel-iommu or virtio-iommu, strict or lazy): give the strategy as GUEST[,QEMU]=STRATEGY");
    };
  }

  /** Figures a fit may touch: costs and the backend, not sizes, capacities or the clock. */
  static boolean candidate(CostFigure f) {
    return switch (f) {
      case CPU_GHZ, PAGE_SIZE, IOMMU_PAGE_SIZE, DDW_PAGE_SIZE, IOTLB_ENTRIES, FLUSH_QUEUE_ENTRIES, FLUSH_QUEUE_TIMEOUT_MS, TCE_INDIRECT_MAX, TCE_WINDOW_BYTES -> false;
      case VIRTIO_IOMMU_NOTIFY_CYCLES, VIRTIO_IOMMU_TRANSLATE_CYCLES -> false; // measured from virtio-iommu runs' timestamps (ViommuCalibration), not fitted
      default -> true;
    };
  }

  static boolean bandwidth(CostFigure f) {
    return f == CostFigure.BACKEND_MIB_PER_S || f == CostFigure.BACKEND_WRITE_MIB_PER_S;
  }

  /** The unknown of a figure: its own value, except a bandwidth, fitted as ns per byte (the model is linear in that). */
  static double unknownOf(CostFigure f, double v) {
    return bandwidth(f) ? 1e9 / (v * 1048576.0) : v;
  }

  static double valueOf(CostFigure f, double u) {
    return bandwidth(f) ? 1e9 / (u * 1048576.0) : u;
  }

  static double delta(CostFigure f) {
    return switch (f) {
      case BACKEND_LATENCY_NS -> 100_000; // ns
      case BACKEND_MIB_PER_S, BACKEND_WRITE_MIB_PER_S -> 1.0; // ns per byte
      default -> 100_000; // cycles
    };
  }

  /** Per run: the regressor columns (ns per unit) of its rows, and the rows' targets. */
  private static final class Design {
    final Run run;
    final int rows;
    final double[][] x; // [figure][row]
    final double[] y; // observation minus the model's part that no candidate figure changes
    double[] y0; // y before the guest stalls were taken out
    final double[] obs;
    final boolean[] serviceRow;
    final int[] request;

    Design(Run run, int rows, int p) {
      this.run = run;
      this.rows = rows;
      this.x = new double[p][rows];
      this.y = new double[rows];
      this.obs = new double[rows];
      this.serviceRow = new boolean[rows];
      this.request = new int[rows];
    }
  }

  public static Result fit(List<Run> runs, CostProfile base, String name, String description) throws IOException {
    if (runs.isEmpty()) throw new IllegalArgumentException("no runs to calibrate from");
    // the base without its distributions; an optional figure the base leaves out given its fallback's value, so that the replays can raise it on its own
    double[] opt = new double[CostFigure.COUNT];
    String[] optSrc = new String[CostFigure.COUNT];
    for (CostFigure f : CostFigure.values()) {
      if (f.fallback() != null && !base.isGiven(f)) {
        opt[f.ordinal()] = base.get(f);
        optSrc[f.ordinal()] = base.source(f);
      }
    }
    CostProfile base0 = base.derive(base.name(), base.description(), opt, optSrc, ServiceDistribution.NONE, "none while fitting", ServiceDistribution.NONE, null,
        java.util.Map.of(), java.util.Map.of());
    List<CostFigure> cand = new ArrayList<>();
    for (CostFigure f : CostFigure.values()) if (candidate(f)) cand.add(f);
    int p = cand.size();
    // the replays: one set per distinct model input (runs that replay the same requests the same way share
    // it), the base replay recording which figures the model reads; the runs' designs from them
    int[] inputOf = distinctInputs(runs);
    int ni = 0;
    for (int i : inputOf) ni = Math.max(ni, i + 1);
    Replays[] replays = replays(runs, inputOf, ni, cand, base0);
    Design[] built = new Design[runs.size()];
    boolean[][] usedBy = new boolean[runs.size()][p];
    for (int ri = 0; ri < runs.size(); ri++) built[ri] = design(runs.get(ri), replays[inputOf[ri]], cand, base0, usedBy[ri]);
    List<Design> designs = List.of(built);
    boolean[] exercised = new boolean[p];
    for (boolean[] u : usedBy) for (int k = 0; k < p; k++) exercised[k] |= u[k];
    // Gram matrix of the exercised columns over every row
    double[][] gram = new double[p][p];
    for (Design d : designs) accumulate(gram, null, d, null, cand.size());
    List<String> notes = new ArrayList<>();
    // proportional columns: one group
    int[] groupOf = new int[p];
    Arrays.fill(groupOf, -1);
    List<List<Integer>> groups = new ArrayList<>();
    for (int a = 0; a < p; a++) {
      if (!exercised[a] || groupOf[a] >= 0) continue;
      List<Integer> g = new ArrayList<>();
      g.add(a);
      groupOf[a] = groups.size();
      for (int b = a + 1; b < p; b++) {
        if (!exercised[b] || groupOf[b] >= 0) continue;
        double cos = gram[a][b] / Math.sqrt(gram[a][a] * gram[b][b]);
        if (cos > 1 - PROPORTIONAL) {
          g.add(b);
          groupOf[b] = groups.size();
        }
      }
      groups.add(g);
    }
    int q = groups.size();
    double[] w = new double[p]; // the weights of a group's columns: base values (the split), or 1 for a figure at 0
    for (int k = 0; k < p; k++) {
      double b = unknownOf(cand.get(k), base0.get(cand.get(k)));
      w[k] = b > 0 ? b : 1;
    }
    double[][] wmat = new double[q][p];
    for (int g = 0; g < q; g++) for (int k : groups.get(g)) wmat[g][k] = w[k];
    // per-run normal equations of the groups; the rank left after grouping (a dependent group keeps its base values); the fit
    double[][][] aRun = new double[designs.size()][][];
    double[][] bRun = new double[designs.size()][];
    boolean[] dependent = normalEquations(designs, wmat, p, q, aRun, bRun);
    double[] s = solve(aRun, bRun, dependent);
    // the guest-side jitter: what the fitted model leaves of each request's guest-side time above its run's median of that;
    // the guest-side rows are then fitted again without it, so that the fixed figures describe a request without a stall
    for (Design d : designs) d.y0 = d.y.clone();
    double[][] stallsOf = null;
    double[] stalls = new double[0];
    // repeated until the fit settles (a stall taken out changes the fit, which changes the stalls): at most JITTER_ROUNDS times
    int rounds = 0;
    for (int it = 0; it < JITTER_ROUNDS; it++) {
      stallsOf = guestStalls(designs, groupOf, w, s, p);
      stalls = pooled(stallsOf, runs, null);
      if (stalls.length == 0) break;
      dependent = normalEquations(designs, wmat, p, q, aRun, bRun);
      double[] next = solve(aRun, bRun, dependent);
      double change = 0;
      for (int g = 0; g < q; g++) change = Math.max(change, Math.abs(next[g] - s[g]) / Math.max(Math.abs(s[g]), 1e-12));
      s = next;
      rounds = it + 1;
      if (change < 1e-6) break;
    }
    // bootstrap over runs
    SplittableRandom rnd = new SplittableRandom(SEED);
    double[][] boot = new double[BOOTSTRAP][];
    int nr = designs.size();
    for (int b = 0; b < BOOTSTRAP; b++) {
      int[] pick = new int[nr];
      for (int i = 0; i < nr; i++) pick[i] = rnd.nextInt(nr);
      boot[b] = Nnls.solve(sum(aRun, pick), sumV(bRun, pick));
    }
    double[] half = new double[q];
    for (int g = 0; g < q; g++) {
      double[] v = new double[BOOTSTRAP];
      for (int b = 0; b < BOOTSTRAP; b++) v[b] = boot[b][g];
      Arrays.sort(v);
      double lo = v[(int) Math.floor(0.025 * (BOOTSTRAP - 1))], hi = v[(int) Math.ceil(0.975 * (BOOTSTRAP - 1))];
      half[g] = s[g] > 0 ? (hi - lo) / 2 / s[g] * 100 : Double.POSITIVE_INFINITY;
    }
    // residual per group: over the rows that depend on it, mean (observed − fitted) / mean observed
    double[] resNum = new double[q], resDen = new double[q];
    int totalRows = 0;
    for (Design d : designs) {
      totalRows += d.rows;
      for (int i = 0; i < d.rows; i++) {
        double fitted = 0;
        for (int k = 0; k < p; k++) if (groupOf[k] >= 0) fitted += d.x[k][i] * w[k] * s[groupOf[k]];
        double res = d.y[i] - fitted;
        for (int g = 0; g < q; g++) {
          boolean uses = false;
          for (int k : groups.get(g)) uses |= d.x[k][i] != 0;
          if (uses) {
            resNum[g] += res;
            resDen[g] += d.obs[i];
          }
        }
      }
    }
    // the profile
    String runNames = runNames(runs);
    double[] values = new double[CostFigure.COUNT];
    String[] sources = new String[CostFigure.COUNT];
    List<Figure> figures = new ArrayList<>();
    for (CostFigure f : CostFigure.values()) {
      if (f.optional() && f.fallback() == null && !base.isGiven(f)) continue; // left out, as the base leaves it out (measured, if at all, by ViommuCalibration)
      int k = cand.indexOf(f);
      double bv = base.get(f);
      if (k >= 0 && groupOf[k] < 0 && f.fallback() != null && !base.isGiven(f)) {
        // an optional figure the base leaves out and the runs do not time: left out, so it stays the same as its fallback
        String src = "not exercised by these runs and not given by the base profile " + base.name() + ": same as " + f.fallback().key;
        figures.add(new Figure(f, Status.NOT_EXERCISED, bv, Double.NaN, Double.NaN, Double.NaN, "", src));
        continue;
      }
      if (k < 0 || groupOf[k] < 0) {
        String why = k < 0 ? "not a cost the runs time" : "not exercised by these runs";
        sources[f.ordinal()] = "base profile " + base.name() + " (" + why + "): " + base.source(f);
        values[f.ordinal()] = bv;
        if (k >= 0) figures.add(new Figure(f, Status.NOT_EXERCISED, bv, bv, Double.NaN, Double.NaN, "", sources[f.ordinal()]));
        continue;
      }
      int g = groupOf[k];
      List<Integer> members = groups.get(g);
      String label = label(members, cand);
      double v = valueOf(f, w[k] * s[g]);
      if (unknownOf(f, bv) <= 0 && w[k] == 1) v = valueOf(f, s[g]);
      v = round(f, v);
      values[f.ordinal()] = v;
      Status st;
      String src;
      String pm = Double.isFinite(half[g]) ? String.format(Locale.ROOT, "±%.1f%%", half[g]) : "interval unbounded (fitted at 0)";
      if (!dependent[g] && !Double.isFinite(v)) {
        // e.g. a bandwidth whose per-byte cost the fit put at 0: no finite value says that
        st = Status.NOT_SEPARABLE;
        src = "base profile " + base.name() + " (the fit put " + label + " at its bound, which has no finite value: these runs show no time it adds): " + base.source(f);
        values[f.ordinal()] = bv;
        v = bv;
      } else if (dependent[g]) {
        st = Status.NOT_SEPARABLE;
        src = "base profile " + base.name() + " (in these runs " + label + " is a linear combination of other fitted figures, so it cannot be fitted): " + base.source(f);
        values[f.ordinal()] = bv;
        v = bv;
      } else if (members.size() > 1) {
        st = Status.COMBINATION;
        src = String.format(Locale.ROOT, "calibrated from %d runs (%s), %s: as the combination %s, which these runs cannot tell apart (they happen together "
            + "the same number of times per request), fitted as one factor %.4g on the base profile's values and split by the base profile %s's ratios; "
            + "NNLS over per-request times, docs/CALIBRATION.md", runs.size(), runNames, pm, label, s[g], base.name());
      } else {
        st = Status.CALIBRATED;
        src = String.format(Locale.ROOT, "calibrated from %d runs (%s), %s (95%% interval of a %d-fold bootstrap over the runs); NNLS over per-request times, docs/CALIBRATION.md",
            runs.size(), runNames, pm, BOOTSTRAP);
      }
      sources[f.ordinal()] = src;
      double resPct = resDen[g] == 0 ? Double.NaN : resNum[g] / resDen[g] * 100;
      figures.add(new Figure(f, st, bv, v, st == Status.NOT_SEPARABLE ? Double.NaN : half[g], resPct, members.size() > 1 ? label : "", src));
    }
    // the service distribution from the QEMU service times
    CostProfile fitted = base.derive(name, description, values, sources, null, null);
    ServiceDistribution dist = null;
    String distSource = null;
    List<Double> mult = new ArrayList<>(); // every request's, to count them
    List<double[]> multRuns = new ArrayList<>();
    double lat = fitted.get(CostFigure.BACKEND_LATENCY_NS);
    // the fitted model's replays of the runs with QEMU logs (without distributions): their modelled service times and the guest jitter's exposures
    CostProfile fitted0 = base.derive(name, description, values, sources, ServiceDistribution.NONE, "none", ServiceDistribution.NONE, null, java.util.Map.of(),
        java.util.Map.of());
    ModelRun.Times[] fittedTimes = new ModelRun.Times[ni];
    for (int ri = 0; ri < runs.size(); ri++) {
      if (runs.get(ri).observed().hasQemu() && fittedTimes[inputOf[ri]] == null) fittedTimes[inputOf[ri]] = designs.get(ri).run.model().replayForFit(fitted0);
    }
    if (lat > 0) {
      for (int ri = 0; ri < runs.size(); ri++) {
        Design d = designs.get(ri);
        if (!d.run.observed().hasQemu()) continue;
        ModelRun.Times t = fittedTimes[inputOf[ri]];
        TimedRun o = d.run.observed();
        double[] mr = new double[o.requests()];
        for (int i = 0; i < o.requests(); i++) {
          double rest = t.serviceNs()[i] - lat; // the modelled transfer and device work
          mr[i] = Math.max(0, (o.serviceNs()[i] - rest) / lat);
          mult.add(mr[i]);
        }
        multRuns.add(mr);
      }
    }
    if (mult.size() >= 100) {
      // a typical run's distribution, scaled to mean 1, so that backend_latency_ns stays the mean the fit found
      dist = typical(multRuns, true);
      distSource = String.format(Locale.ROOT, "calibrated from %d runs with QEMU logs (%s): %d requests' virtqueue_pop→virtqueue_fill time less the modelled transfer "
          + "and device work, as multiples of backend_latency_ns; per probability the median over the runs of each run's empirical quantile (nearest rank), scaled to mean 1; "
          + "docs/CALIBRATION.md", countQemu(runs), qemuRunNames(runs), mult.size());
    } else {
      distSource = "base profile " + base.name() + " (no QEMU service times to fit it from): " + base.serviceDistributionSource();
      notes.add("No QEMU logs: the service-time distribution keeps the base profile's, and backend_latency_ns is fitted together with the per-request guest costs.");
    }
    if (rounds > 0) notes.add("Guest jitter: the stalls were taken out of the guest-side rows and the fit repeated until it settled, in " + rounds + " rounds.");
    ServiceDistribution jit = null;
    String jitSource = null;
    java.util.Map<String, ServiceDistribution> jitBy = null;
    java.util.Map<String, String> jitBySource = null;
    double exposureRef = 0;
    String exposureSource = null;
    if (stalls.length >= 100) {
      // each stall at the reference exposure: × sqrt(reference / the request's own), the median exposure of the requests with QEMU logs
      double[][] exposures = exposures(designs, fittedTimes, inputOf);
      exposureRef = medianExposure(exposures);
      double[][] atRef = new double[stallsOf.length][];
      for (int r = 0; r < stallsOf.length; r++) {
        if (stallsOf[r] == null) continue;
        atRef[r] = new double[stallsOf[r].length];
        for (int j = 0; j < stallsOf[r].length; j++) atRef[r][j] = stallsOf[r][j] * Math.sqrt(exposureRef / Math.max(1, exposures[r][j]));
      }
      stallsOf = atRef;
      exposureSource = String.format(Locale.ROOT, "the median over the %d requests of the runs with QEMU logs of the fitted model's issue→pop time (the guest-side path "
          + "before the device takes the request); each stall was taken to this exposure as stall × sqrt(this / its request's); docs/CALIBRATION.md (guest jitter)",
          stalls.length);
      notes.add(String.format(Locale.ROOT, "Guest jitter: stalls taken to a reference exposure of %s ns (issue→pop) by sqrt(exposure); %s", CostProfile.format(exposureRef),
          exposureFit(exposures, stallsOf, exposureRef)));
      jit = typical(java.util.Arrays.stream(stallsOf).filter(x -> x != null).toList(), false);
      jitSource = String.format(Locale.ROOT, "calibrated from %d runs with QEMU logs (%s): per request, the guest-side time (latency − QEMU's "
          + "virtqueue_pop→virtqueue_fill) less the fitted model's, above its run's median of that (0 below it), ns, taken to the exposure %s by sqrt(exposure), "
          + "%d requests; per probability the median over the runs of each run's empirical quantile (nearest rank); docs/CALIBRATION.md (guest jitter)",
          countQemu(runs), qemuRunNames(runs), CostProfile.JITTER_EXPOSURE_KEY, stalls.length);
      // each strategy's own, from its runs alone: its guest-side path is its own (maps, invalidations, copies), and so is what stalls it
      jitBy = new java.util.LinkedHashMap<>();
      jitBySource = new java.util.LinkedHashMap<>();
      for (Run r : runs) {
        String id = r.strategy().id;
        if (jitBy.containsKey(id) || !r.observed().hasQemu()) continue;
        double[] own = pooled(stallsOf, runs, id);
        if (own.length < 100) continue;
        List<Run> of = runs.stream().filter(x -> x.strategy().id.equals(id) && x.observed().hasQemu()).toList();
        List<double[]> ownRuns = new ArrayList<>();
        for (int x = 0; x < runs.size(); x++) if (stallsOf[x] != null && runs.get(x).strategy().id.equals(id)) ownRuns.add(stallsOf[x]);
        jitBy.put(id, typical(ownRuns, false));
        jitBySource.put(id, String.format(Locale.ROOT, "calibrated from the %d runs under %s with QEMU logs (%s), as %s is from all of them: %d requests' values; "
            + "docs/CALIBRATION.md (guest jitter)", of.size(), id, runNames(of), CostProfile.JITTER_KEY, own.length));
      }
    } else if (base.hasGuestJitter()) {
      notes.add("Fewer than 100 requests with QEMU logs: the guest jitter keeps the base profile's.");
      jitSource = "base profile " + base.name() + " (no guest-side times to fit it from): " + base.guestJitterSource();
      jit = base.guestJitter();
      exposureRef = base.guestJitterExposureNs();
      exposureSource = base.guestJitterExposureSource();
    } else {
      jit = ServiceDistribution.NONE;
    }
    CostProfile out = base.derive(name, description, values, sources, dist != null ? dist : base.serviceDistribution(), distSource, jit, jitSource, jitBy, jitBySource)
        .withJitterExposure(exposureRef, exposureRef > 0 ? exposureSource : null);
    return new Result(out, figures, notes, totalRows);
  }

  /**
   * Per run, the normal equations of the groups ({@code aRun}, {@code bRun} filled); returns the
   * groups that are a linear combination of others (pivoted Cholesky), whose base contribution then
   * moves into the targets.
   */
  private static boolean[] normalEquations(List<Design> designs, double[][] wmat, int p, int q, double[][][] aRun, double[][] bRun) {
    for (int r = 0; r < designs.size(); r++) {
      double[][] ga = new double[q][q];
      double[] gb = new double[q];
      accumulate(ga, gb, designs.get(r), wmat, p);
      aRun[r] = ga;
      bRun[r] = gb;
    }
    boolean[] dependent = dependentGroups(sum(aRun, null));
    for (int g = 0; g < q; g++) {
      if (!dependent[g]) continue;
      for (int r = 0; r < designs.size(); r++) {
        for (int h = 0; h < q; h++) bRun[r][h] -= aRun[r][h][g];
        bRun[r][g] = 0;
        Arrays.fill(aRun[r][g], 0);
        for (int h = 0; h < q; h++) aRun[r][h][g] = 0;
      }
    }
    return dependent;
  }

  private static double[] solve(double[][][] aRun, double[][] bRun, boolean[] dependent) {
    double[] s = Nnls.solve(sum(aRun, null), sumV(bRun, null));
    for (int g = 0; g < s.length; g++) if (dependent[g]) s[g] = 1;
    return s;
  }

  /**
   * The guest-side stall of every request of the runs with a QEMU log: its guest-side row's residual
   * against the fit ({@code s}), less the run's median residual, at least 0. Each such row's target is
   * lowered by it (so a second fit sees the requests without their stalls). Returns each run's
   * stalls, ns (null for a run without a QEMU log).
   */
  private static double[][] guestStalls(List<Design> designs, int[] groupOf, double[] w, double[] s, int p) {
    double[][] all = new double[designs.size()][];
    for (int r = 0; r < designs.size(); r++) {
      Design d = designs.get(r);
      if (!d.run.observed().hasQemu()) continue;
      int m = 0;
      for (int i = 0; i < d.rows; i++) if (!d.serviceRow[i]) m++;
      double[] e = new double[m];
      int[] row = new int[m];
      m = 0;
      for (int i = 0; i < d.rows; i++) {
        if (d.serviceRow[i]) continue;
        double fitted = 0;
        for (int k = 0; k < p; k++) if (groupOf[k] >= 0) fitted += d.x[k][i] * w[k] * s[groupOf[k]];
        e[m] = d.y0[i] - fitted;
        row[m++] = i;
      }
      if (m == 0) continue;
      double[] sorted = e.clone();
      Arrays.sort(sorted);
      double median = m % 2 == 1 ? sorted[m / 2] : (sorted[m / 2 - 1] + sorted[m / 2]) / 2;
      double[] st = new double[m];
      for (int j = 0; j < m; j++) {
        st[j] = Math.max(0, e[j] - median);
        d.y[row[j]] = d.y0[row[j]] - st[j];
      }
      all[r] = st;
    }
    return all;
  }

  /**
   * Per run with a QEMU log, the exposure of each request whose guest-side row gave a stall, in the
   * order of {@link #guestStalls}: the fitted model's time from the request's issue to its pop, ns.
   */
  private static double[][] exposures(List<Design> designs, ModelRun.Times[] fittedTimes, int[] inputOf) {
    double[][] all = new double[designs.size()][];
    for (int r = 0; r < designs.size(); r++) {
      Design d = designs.get(r);
      if (!d.run.observed().hasQemu()) continue;
      long[] e = fittedTimes[inputOf[r]].exposureNs();
      int m = 0;
      for (int i = 0; i < d.rows; i++) if (!d.serviceRow[i]) m++;
      all[r] = new double[m];
      m = 0;
      for (int i = 0; i < d.rows; i++) if (!d.serviceRow[i]) all[r][m++] = e[d.request[i]];
    }
    return all;
  }

  /** The median of every request's exposure, whole ns (the same file text on every JDK). */
  private static double medianExposure(double[][] exposures) {
    int n = 0;
    for (double[] e : exposures) if (e != null) n += e.length;
    double[] all = new double[n];
    int o = 0;
    for (double[] e : exposures) if (e != null) for (double v : e) all[o++] = v;
    Arrays.sort(all);
    return Math.max(1, Math.rint(n % 2 == 1 ? all[n / 2] : (all[n / 2 - 1] + all[n / 2]) / 2));
  }

  /**
   * A check of the square-root law, reported and not used: over the runs, the least-squares slope of
   * log(a run's p90 and p99 stall) against log(its median exposure) (the law says 1/2), from the
   * stalls as measured ({@code atRef} undone).
   */
  private static String exposureFit(double[][] exposures, double[][] atRef, double ref) {
    StringBuilder b = new StringBuilder("the runs' stall quantiles against their median exposure, log-log slope (the model's 1/2):");
    for (double p : new double[] {0.9, 0.99}) {
      List<double[]> xy = new ArrayList<>();
      for (int r = 0; r < atRef.length; r++) {
        if (atRef[r] == null || atRef[r].length == 0) continue;
        double[] raw = new double[atRef[r].length], ex = exposures[r].clone();
        for (int j = 0; j < raw.length; j++) raw[j] = atRef[r][j] / Math.sqrt(ref / Math.max(1, exposures[r][j]));
        Arrays.sort(raw);
        Arrays.sort(ex);
        double qv = raw[Math.max(0, Math.min(raw.length - 1, (int) Math.ceil(p * raw.length) - 1))];
        if (qv > 0 && ex[ex.length / 2] > 0) xy.add(new double[] {Math.log(ex[ex.length / 2]), Math.log(qv)});
      }
      if (xy.size() < 3) return b.append(" too few runs").toString();
      double mx = 0, my = 0;
      for (double[] v : xy) {
        mx += v[0] / xy.size();
        my += v[1] / xy.size();
      }
      double sxy = 0, sxx = 0, syy = 0;
      for (double[] v : xy) {
        sxy += (v[0] - mx) * (v[1] - my);
        sxx += (v[0] - mx) * (v[0] - mx);
        syy += (v[1] - my) * (v[1] - my);
      }
      if (sxx == 0) return b.append(" every run has the same exposure").toString();
      b.append(String.format(Locale.ROOT, " p%s %.2f (R² %.2f, %d runs)", p == 0.9 ? "90" : "99", sxy / sxx, sxy * sxy / (sxx * syy), xy.size()));
    }
    return b.toString();
  }

  /** The runs' stalls (those under {@code strategy}, or all for null) in one sorted array. */
  private static double[] pooled(double[][] stallsOf, List<Run> runs, String strategy) {
    int n = 0;
    for (int r = 0; r < stallsOf.length; r++) if (stallsOf[r] != null && (strategy == null || runs.get(r).strategy().id.equals(strategy))) n += stallsOf[r].length;
    double[] out = new double[n];
    int o = 0;
    for (int r = 0; r < stallsOf.length; r++) {
      if (stallsOf[r] == null || (strategy != null && !runs.get(r).strategy().id.equals(strategy))) continue;
      for (double v : stallsOf[r]) out[o++] = v;
    }
    Arrays.sort(out);
    return out;
  }

  /**
   * The distribution of a typical run: at each probability (0, 0.01, …, 0.99, 0.995, 0.999, 1), each
   * run's nearest-rank quantile of its values, and the median of those over the runs; six significant
   * digits (the same file text on every JDK); with {@code meanOne}, scaled to mean 1. Unlike the
   * quantiles of all values pooled, a few boots with long host stalls do not make every run's tail
   * theirs (docs/CALIBRATION.md).
   */
  static ServiceDistribution typical(List<double[]> runs, boolean meanOne) {
    double[] pp = probabilities(), mm = new double[pp.length];
    List<double[]> sorted = new ArrayList<>();
    for (double[] r : runs) {
      double[] c = r.clone();
      Arrays.sort(c);
      sorted.add(c);
    }
    double[] at = new double[sorted.size()];
    for (int i = 0; i < pp.length; i++) {
      for (int r = 0; r < at.length; r++) {
        double[] m = sorted.get(r);
        at[r] = m[Math.max(0, Math.min(m.length - 1, (int) Math.ceil(pp[i] * m.length) - 1))];
      }
      Arrays.sort(at);
      int n = at.length;
      mm[i] = n % 2 == 1 ? at[n / 2] : (at[n / 2 - 1] + at[n / 2]) / 2;
      if (i > 0) mm[i] = Math.max(mm[i], mm[i - 1]);
    }
    double mean = meanOne ? ServiceDistribution.empirical(pp, mm).mean() : 1;
    for (int i = 0; i < mm.length; i++) mm[i] = Double.parseDouble(String.format(Locale.ROOT, "%.6g", mm[i] / mean));
    return ServiceDistribution.empirical(pp, mm);
  }

  private static double[] probabilities() {
    double[] pp = new double[103];
    for (int i = 0; i < 100; i++) pp[i] = i / 100.0;
    pp[100] = 0.995;
    pp[101] = 0.999;
    pp[102] = 1.0;
    return pp;
  }

  /**
   * The replays a fit needs of one model input: with the base profile, and with each figure raised
   * by its Δ. A figure the base replay did not read ({@link CostProfile#recordingReads}) cannot change
   * any time (the replay is deterministic and reads the same values), so its replay is not run: null.
   */
  private record Replays(ModelRun.Times base, ModelRun.Times[] raised) {}

  /** For each run, the index of the first run whose replay for a fit is the same ({@link ModelRun#sameReplayForFit}), renumbered 0, 1, …. */
  static int[] distinctInputs(List<Run> runs) {
    int[] of = new int[runs.size()];
    List<ModelRun> firsts = new ArrayList<>();
    for (int i = 0; i < runs.size(); i++) {
      ModelRun m = runs.get(i).model();
      int found = -1;
      for (int j = 0; j < firsts.size() && found < 0; j++) if (firsts.get(j).sameReplayForFit(m)) found = j;
      if (found < 0) {
        found = firsts.size();
        firsts.add(m);
      }
      of[i] = found;
    }
    return of;
  }

  /** Every distinct input's replays, on every core: first the base replays, then all the raised ones. */
  private static Replays[] replays(List<Run> runs, int[] inputOf, int ni, List<CostFigure> cand, CostProfile base0) {
    int p = cand.size();
    ModelRun[] model = new ModelRun[ni];
    for (int i = 0; i < runs.size(); i++) if (model[inputOf[i]] == null) model[inputOf[i]] = runs.get(i).model();
    ModelRun.Times[] t0 = new ModelRun.Times[ni];
    java.util.BitSet[] read = new java.util.BitSet[ni];
    java.util.stream.IntStream.range(0, ni).parallel().forEach(i -> {
      read[i] = new java.util.BitSet();
      t0[i] = replayUnchecked(model[i], base0.recordingReads(read[i]));
    });
    ModelRun.Times[][] tf = new ModelRun.Times[ni][p];
    List<int[]> jobs = new ArrayList<>();
    for (int i = 0; i < ni; i++) for (int k = 0; k < p; k++) if (read[i].get(cand.get(k).ordinal())) jobs.add(new int[] {i, k});
    jobs.parallelStream().forEach(j -> {
      CostFigure f = cand.get(j[1]);
      double u = unknownOf(f, base0.get(f)) + delta(f);
      tf[j[0]][j[1]] = replayUnchecked(model[j[0]], base0.withOverride(f.key, valueOf(f, u)));
    });
    Replays[] out = new Replays[ni];
    for (int i = 0; i < ni; i++) out[i] = new Replays(t0[i], tf[i]);
    return out;
  }

  private static ModelRun.Times replayUnchecked(ModelRun m, CostProfile p) {
    try {
      return m.replayForFit(p);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static Design design(Run r, Replays rep, List<CostFigure> cand, CostProfile base0, boolean[] exercised) {
    int p = cand.size();
    ModelRun.Times t0 = rep.base();
    ModelRun.Times[] tf = rep.raised();
    TimedRun o = r.observed();
    int n = o.requests();
    boolean q = o.hasQemu();
    Design d = new Design(r, q ? 2 * n : n, p);
    int row = 0;
    for (int i = 0; i < n; i++) {
      if (q) {
        fillRow(d, row++, i, true, o.serviceNs()[i], t0.serviceNs()[i], tf, cand, base0, exercised);
        fillRow(d, row++, i, false, o.latencyNs()[i] - o.serviceNs()[i], t0.latencyNs()[i] - t0.serviceNs()[i], tf, cand, base0, exercised);
      } else {
        fillRow(d, row++, i, false, o.latencyNs()[i], t0.latencyNs()[i], tf, cand, base0, exercised);
      }
    }
    return d;
  }

  private static void fillRow(Design d, int row, int req, boolean service, double observed, double model0, ModelRun.Times[] tf, List<CostFigure> cand,
      CostProfile base0, boolean[] exercised) {
    double contribution = 0;
    for (int k = 0; k < cand.size(); k++) {
      CostFigure f = cand.get(k);
      if (tf[k] == null) {
        d.x[k][row] = 0; // a figure the model did not read: no request depends on it
        continue;
      }
      double changed = service ? tf[k].serviceNs()[req] : tf[k].latencyNs()[req] - tf[k].serviceNs()[req];
      if (!d.run.observed().hasQemu()) changed = tf[k].latencyNs()[req];
      double j = (changed - model0) / delta(f);
      if (Math.abs(j) * delta(f) < 0.5) j = 0; // below the model's 1 ns resolution: no dependence
      d.x[k][row] = j;
      if (j != 0) exercised[k] = true;
      contribution += j * unknownOf(f, base0.get(f));
    }
    d.y[row] = observed - (model0 - contribution);
    d.obs[row] = observed;
    d.serviceRow[row] = service;
    d.request[row] = req;
  }

  /**
   * Adds the design's rows to {@code a} (and {@code b}); with {@code wmat}, in group columns. Only a
   * row's non-zero columns are visited (a row depends on a few figures of many): the sums are the
   * same, term for term in the same order, as over every column.
   */
  private static void accumulate(double[][] a, double[] b, Design d, double[][] wmat, int p) {
    int q = wmat == null ? p : wmat.length;
    double[] xr = new double[q];
    int[] nz = new int[q];
    for (int i = 0; i < d.rows; i++) {
      if (wmat == null) {
        for (int k = 0; k < p; k++) xr[k] = d.x[k][i];
      } else {
        Arrays.fill(xr, 0);
        for (int g = 0; g < q; g++) for (int k = 0; k < p; k++) if (wmat[g][k] != 0) xr[g] += d.x[k][i] * wmat[g][k];
      }
      int n = 0;
      for (int u = 0; u < q; u++) if (xr[u] != 0) nz[n++] = u;
      for (int iu = 0; iu < n; iu++) {
        int u = nz[iu];
        double[] au = a[u];
        for (int iv = 0; iv < n; iv++) au[nz[iv]] += xr[u] * xr[nz[iv]];
        if (b != null) b[u] += xr[u] * d.y[i];
      }
    }
  }

  /** Groups whose column is (numerically) a linear combination of the columns before it in a pivoted Cholesky of {@code a}. */
  static boolean[] dependentGroups(double[][] a) {
    int q = a.length;
    double[][] m = new double[q][];
    for (int i = 0; i < q; i++) m[i] = a[i].clone();
    boolean[] done = new boolean[q], dep = new boolean[q];
    double[] diag0 = new double[q];
    for (int i = 0; i < q; i++) diag0[i] = a[i][i];
    for (int step = 0; step < q; step++) {
      int piv = -1;
      double best = 0;
      for (int i = 0; i < q; i++) if (!done[i] && !dep[i] && m[i][i] > best) { best = m[i][i]; piv = i; }
      if (piv < 0) break;
      done[piv] = true;
      double d = Math.sqrt(m[piv][piv]);
      for (int i = 0; i < q; i++) {
        if (done[i] || dep[i]) continue;
        double l = m[i][piv] / d;
        for (int j = 0; j < q; j++) if (!done[j] && !dep[j]) m[i][j] -= l * (m[j][piv] / d);
      }
      for (int i = 0; i < q; i++) if (!done[i] && !dep[i] && m[i][i] <= 1e-9 * diag0[i]) dep[i] = true;
    }
    return dep;
  }

  private static double[][] sum(double[][][] a, int[] pick) {
    int q = a[0].length;
    double[][] s = new double[q][q];
    int n = pick == null ? a.length : pick.length;
    for (int r = 0; r < n; r++) {
      double[][] x = a[pick == null ? r : pick[r]];
      for (int i = 0; i < q; i++) for (int j = 0; j < q; j++) s[i][j] += x[i][j];
    }
    return s;
  }

  private static double[] sumV(double[][] b, int[] pick) {
    double[] s = new double[b[0].length];
    int n = pick == null ? b.length : pick.length;
    for (int r = 0; r < n; r++) {
      double[] x = b[pick == null ? r : pick[r]];
      for (int i = 0; i < s.length; i++) s[i] += x[i];
    }
    return s;
  }

  private static String label(List<Integer> members, List<CostFigure> cand) {
    StringBuilder b = new StringBuilder();
    for (int k : members) b.append(b.length() == 0 ? "" : " + ").append(cand.get(k).key);
    return b.toString();
  }

  /** Values as the profile file holds them: whole numbers (the same text on every JDK). */
  static double round(CostFigure f, double v) {
    return Math.rint(v);
  }

  static String runNames(List<Run> runs) {
    StringBuilder b = new StringBuilder();
    for (Run r : runs) b.append(b.length() == 0 ? "" : ", ").append(r.name());
    return b.toString();
  }

  private static int countQemu(List<Run> runs) {
    int n = 0;
    for (Run r : runs) if (r.observed().hasQemu()) n++;
    return n;
  }

  private static String qemuRunNames(List<Run> runs) {
    StringBuilder b = new StringBuilder();
    for (Run r : runs) if (r.observed().hasQemu()) b.append(b.length() == 0 ? "" : ", ").append(r.name());
    return b.toString();
  }
}
