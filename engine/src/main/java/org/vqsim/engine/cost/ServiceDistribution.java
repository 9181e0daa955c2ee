package org.vqsim.engine.cost;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How a backend's per-request service latency varies around the profile's {@code backend_latency_ns},
 * the mean: a request's latency is {@code backend_latency_ns × m}, with {@code m} (mean 1) drawn from this distribution
 * by inverting a piecewise-linear CDF at a uniform number that depends only on the replay's seed and
 * the request's number (so the same request gets the same draw whatever else changes, and a replay
 * is deterministic for its seed).
 *
 * <p>Profile syntax ({@code backend_service_distribution = …  # source: …}):
 *
 * <ul>
 *   <li>{@code none}: every request takes exactly {@code backend_latency_ns};
 *   <li>{@code lognormal P:M}: a log-normal with mean 1 through one published percentile, e.g.
 *       {@code lognormal 0.999:2.727} (the 99.9th percentile is 2.727 × the mean);
 *   <li>{@code empirical P:M P:M …}: the inverse CDF through the given points (probabilities from
 *       0 to 1, both included, increasing; multipliers non-decreasing, with mean 1 so that
 *       {@code backend_latency_ns} stays the mean), e.g. fitted by {@code vqsim calibrate} from QEMU's
 *       pop-to-fill times.
 * </ul>
 */
public final class ServiceDistribution {
  public static final ServiceDistribution NONE = new ServiceDistribution("none", new double[] {0, 1}, new double[] {1, 1});
  /** Points a log-normal is tabulated with: fine enough that p99.9 interpolates within 0.1%. */
  private static final int LOGNORMAL_POINTS = 2049;

  private final String spec;
  private final double[] p;
  private final double[] m;
  private final boolean constant;

  private ServiceDistribution(String spec, double[] p, double[] m) {
    this.spec = spec;
    this.p = p;
    this.m = m;
    boolean c = true;
    for (double x : m) c &= x == 1.0;
    this.constant = c;
  }

  /** The text a profile holds for it (parses back to the same distribution). */
  public String spec() { return spec; }

  public boolean isConstant() { return constant; }

  /** The multiplier at cumulative probability {@code u} in [0, 1]. */
  public double quantile(double u) {
    if (constant) return 1.0;
    int lo = 0, hi = p.length - 1;
    while (hi - lo > 1) {
      int mid = (lo + hi) >>> 1;
      if (p[mid] <= u) lo = mid;
      else hi = mid;
    }
    double w = p[hi] == p[lo] ? 0 : (u - p[lo]) / (p[hi] - p[lo]);
    return m[lo] + w * (m[hi] - m[lo]);
  }

  /** The multiplier of request {@code request} in a replay seeded with {@code seed}. */
  public double draw(long seed, long request) {
    if (constant) return 1.0;
    long z = mix(seed * 0x9E3779B97F4A7C15L + request + 0x632BE59BD9B4E019L);
    double u = (z >>> 11) * 0x1.0p-53;
    return quantile(u);
  }

  /**
   * The value of request {@code request} in a replay seeded with {@code seed}, from a stream of draws
   * of its own ({@code stream} ≠ 0): independent of {@link #draw(long, long)}'s, so that two
   * distributions of one request (the backend's service and the guest's jitter) are not correlated.
   */
  public double draw(long seed, long request, long stream) {
    if (constant) return 1.0;
    long z = mix(((seed * 0x9E3779B97F4A7C15L + request) ^ (stream * 0xD1B54A32D192ED03L)) + 0x632BE59BD9B4E019L);
    double u = (z >>> 11) * 0x1.0p-53;
    return quantile(u);
  }

  /** Whether this is {@code none}. */
  public boolean isNone() { return this == NONE || spec.equals("none"); }

  /** The mean multiplier (the integral of the piecewise-linear inverse CDF). */
  public double mean() {
    double s = 0;
    for (int i = 1; i < p.length; i++) s += (p[i] - p[i - 1]) * (m[i] + m[i - 1]) / 2;
    return s;
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** An empirical distribution through {@code (probs[i], mults[i])}; checked as {@link #parse} checks. */
  public static ServiceDistribution empirical(double[] probs, double[] mults) {
    StringBuilder b = new StringBuilder("empirical");
    for (int i = 0; i < probs.length; i++) b.append(' ').append(num(probs[i])).append(':').append(num(mults[i]));
    return parse(b.toString());
  }

  /** Parses the profile syntax; an error says what is wrong (the caller adds file and line). */
  public static ServiceDistribution parse(String text) {
    String t = text.strip();
    String[] w = t.split("\\s+");
    switch (w[0]) {
      case "none" -> {
        if (w.length != 1) throw new IllegalArgumentException("'none' takes no points");
        return NONE;
      }
      case "lognormal" -> {
        if (w.length != 2) throw new IllegalArgumentException("'lognormal' takes one point P:M (a percentile as a multiple of the median), e.g. lognormal 0.999:2.727");
        double[] pm = point(w[1]);
        if (!(pm[0] > 0.5 && pm[0] < 1)) throw new IllegalArgumentException("lognormal: the percentile's probability must be within (0.5, 1), not " + w[1]);
        if (!(pm[1] > 1)) throw new IllegalArgumentException("lognormal: the percentile must be above the mean (multiplier > 1), not " + w[1]);
        // mean 1: m = exp(sigma z - sigma^2 / 2), so ln M = sigma z_P - sigma^2 / 2; the smaller root
        double z = inverseNormal(pm[0]), disc = z * z - 2 * StrictMath.log(pm[1]);
        if (disc < 0) throw new IllegalArgumentException("lognormal: no log-normal with mean 1 has " + w[1] + " (at most exp(z^2/2) = " + num(StrictMath.exp(z * z / 2)) + ")");
        double sigma = z - StrictMath.sqrt(disc);
        double[] p = new double[LOGNORMAL_POINTS], m = new double[LOGNORMAL_POINTS];
        for (int i = 0; i < LOGNORMAL_POINTS; i++) {
          double u = i / (double) (LOGNORMAL_POINTS - 1);
          // the open ends are clipped at the first and last inner points' half-steps (±3.9 sigma)
          double uc = Math.min(Math.max(u, 0.5 / (LOGNORMAL_POINTS - 1) / 10), 1 - 0.5 / (LOGNORMAL_POINTS - 1) / 10);
          p[i] = u;
          m[i] = StrictMath.exp(sigma * inverseNormal(uc) - sigma * sigma / 2);
        }
        // the tabulated (clipped, interpolated) mean to exactly 1
        double mean = new ServiceDistribution("", p, m).mean();
        for (int i = 0; i < m.length; i++) m[i] /= mean;
        return new ServiceDistribution("lognormal " + w[1], p, m);
      }
      case "empirical" -> {
        if (w.length < 3) throw new IllegalArgumentException("'empirical' needs at least two points P:M, from probability 0 to 1");
        double[] p = new double[w.length - 1], m = new double[w.length - 1];
        for (int i = 1; i < w.length; i++) {
          double[] pm = point(w[i]);
          p[i - 1] = pm[0];
          m[i - 1] = pm[1];
          if (i > 1 && !(p[i - 1] > p[i - 2])) throw new IllegalArgumentException("empirical: probabilities must increase, " + w[i] + " follows " + w[i - 1]);
          if (i > 1 && m[i - 1] < m[i - 2]) throw new IllegalArgumentException("empirical: multipliers must not decrease, " + w[i] + " follows " + w[i - 1]);
        }
        if (p[0] != 0 || p[p.length - 1] != 1) throw new IllegalArgumentException("empirical: the points must start at probability 0 and end at 1");
        return new ServiceDistribution(t.replaceAll("\\s+", " "), p, m);
      }
      default -> throw new IllegalArgumentException("expected none, lognormal P:M or empirical P:M P:M …, not '" + (t.length() > 40 ? t.substring(0, 37) + "..." : t) + "'");
    }
  }

  private static double[] point(String s) {
    int c = s.indexOf(':');
    try {
      if (c <= 0) throw new NumberFormatException();
      double p = Double.parseDouble(s.substring(0, c)), m = Double.parseDouble(s.substring(c + 1));
      if (!(p >= 0 && p <= 1) || !(m >= 0) || !Double.isFinite(m)) throw new NumberFormatException();
      return new double[] {p, m};
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + s + "' is not a point P:M with P a probability in 0..1 and M a multiplier ≥ 0");
    }
  }

  /**
   * Six significant digits, written out in full rather than as {@code 2.02187e+06} (the same value when
   * read back), without trailing zeros after the point.
   */
  private static String num(double v) {
    String s = String.format(Locale.ROOT, "%.6g", v);
    if (s.contains("e")) s = new BigDecimal(s).toPlainString();
    if (!s.contains(".")) return s;
    s = s.replaceAll("0+$", "");
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }

  /** Acklam's rational approximation of the standard normal quantile (relative error below 1.2e-9). */
  static double inverseNormal(double p) {
    final double[] a = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00};
    final double[] b = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01};
    final double[] c = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00};
    final double[] d = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00};
    double plow = 0.02425, phigh = 1 - plow;
    if (p < plow) {
      double q = StrictMath.sqrt(-2 * StrictMath.log(p));
      return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    }
    if (p > phigh) {
      double q = StrictMath.sqrt(-2 * StrictMath.log(1 - p));
      return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    }
    double q = p - 0.5, r = q * q;
    return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  }

  /** The points, for tests and the profile writer. */
  public List<double[]> points() {
    List<double[]> l = new ArrayList<>();
    for (int i = 0; i < p.length; i++) l.add(new double[] {p[i], m[i]});
    return l;
  }
}
