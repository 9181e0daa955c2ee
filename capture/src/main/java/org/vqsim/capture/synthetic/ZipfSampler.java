package org.vqsim.capture.synthetic;

import java.util.SplittableRandom;

/**
 * Zipf-distributed integers in [1, n] in constant memory and time: rejection-inversion sampling
 * (W. Hörmann and G. Derflinger, "Rejection-inversion to generate variates from monotone discrete
 * distributions", ACM TOMACS 6(3), 1996), as in Apache Commons RNG's {@code
 * RejectionInversionZipfSampler}. Element k has probability ∝ 1/k^θ.
 */
final class ZipfSampler {
  private final long n;
  private final double exponent;
  private final double hIntegralX1;
  private final double hIntegralN;
  private final double s;

  ZipfSampler(long n, double exponent) {
    this.n = n;
    this.exponent = exponent;
    this.hIntegralX1 = hIntegral(1.5) - 1.0;
    this.hIntegralN = hIntegral(n + 0.5);
    this.s = 2.0 - hIntegralInverse(hIntegral(2.5) - h(2));
  }

  long sample(SplittableRandom rng) {
    while (true) {
      double u = hIntegralN + rng.nextDouble() * (hIntegralX1 - hIntegralN);
      double x = hIntegralInverse(u);
      long k = (long) (x + 0.5);
      if (k < 1) k = 1;
      else if (k > n) k = n;
      if (k - x <= s || u >= hIntegral(k + 0.5) - h(k)) return k;
    }
  }

  private double hIntegral(double x) {
    double logX = Math.log(x);
    return helper2((1.0 - exponent) * logX) * logX;
  }

  private double h(double x) {
    return Math.exp(-exponent * Math.log(x));
  }

  private double hIntegralInverse(double x) {
    double t = x * (1.0 - exponent);
    if (t < -1.0) t = -1.0;
    return Math.exp(helper1(t) * x);
  }

  /** log(1+x)/x, accurate near 0. */
  private static double helper1(double x) {
    return Math.abs(x) > 1e-8 ? Math.log1p(x) / x : 1.0 - x * (0.5 - x * (1.0 / 3.0 - 0.25 * x));
  }

  /** (exp(x)-1)/x, accurate near 0. */
  private static double helper2(double x) {
    return Math.abs(x) > 1e-8 ? Math.expm1(x) / x : 1.0 + x * 0.5 * (1.0 + x * (1.0 / 3.0) * (1.0 + 0.25 * x));
  }
}
