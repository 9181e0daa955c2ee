package org.vqsim.replay.timing;

/**
 * Non-negative least squares, min |Xs − y|² subject to s ≥ 0, by the Lawson–Hanson active-set
 * method (Lawson &amp; Hanson, <i>Solving Least Squares Problems</i>, 1974, ch. 23) on the normal
 * equations {@code A = XᵀX}, {@code b = Xᵀy}: the problems here have a handful of unknowns and tens
 * of thousands of rows, so the p × p system is what is kept and bootstrapped.
 */
final class Nnls {
  private Nnls() {}

  static double[] solve(double[][] a, double[] b) {
    int p = b.length;
    boolean[] passive = new boolean[p];
    double[] s = new double[p];
    double tol = 1e-12 * Math.max(1, maxAbs(b));
    for (int outer = 0; outer < 10 * p + 10; outer++) {
      double[] w = gradient(a, b, s);
      int best = -1;
      double bestW = tol;
      for (int j = 0; j < p; j++) if (!passive[j] && a[j][j] > 0 && w[j] > bestW) { bestW = w[j]; best = j; }
      if (best < 0) break;
      passive[best] = true;
      for (int inner = 0; inner < 10 * p + 10; inner++) {
        double[] z = solvePassive(a, b, passive);
        boolean feasible = true;
        for (int j = 0; j < p; j++) if (passive[j] && z[j] <= 0) feasible = false;
        if (feasible) {
          s = z;
          break;
        }
        double alpha = Double.POSITIVE_INFINITY;
        for (int j = 0; j < p; j++) if (passive[j] && z[j] <= 0) alpha = Math.min(alpha, s[j] - z[j] > 0 ? s[j] / (s[j] - z[j]) : 0);
        for (int j = 0; j < p; j++) {
          if (!passive[j]) continue;
          s[j] += alpha * (z[j] - s[j]);
          if (s[j] <= 1e-15) { s[j] = 0; passive[j] = false; }
        }
      }
    }
    return s;
  }

  private static double[] gradient(double[][] a, double[] b, double[] s) {
    int p = b.length;
    double[] w = new double[p];
    for (int i = 0; i < p; i++) {
      double v = b[i];
      for (int j = 0; j < p; j++) v -= a[i][j] * s[j];
      w[i] = v;
    }
    return w;
  }

  /** Least squares over the passive columns only (the others at 0), by Gaussian elimination with partial pivoting. */
  private static double[] solvePassive(double[][] a, double[] b, boolean[] passive) {
    int p = b.length;
    int[] idx = new int[p];
    int n = 0;
    for (int j = 0; j < p; j++) if (passive[j]) idx[n++] = j;
    double[][] m = new double[n][n + 1];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) m[i][j] = a[idx[i]][idx[j]];
      m[i][n] = b[idx[i]];
    }
    for (int c = 0; c < n; c++) {
      int piv = c;
      for (int r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[piv][c])) piv = r;
      double[] t = m[c]; m[c] = m[piv]; m[piv] = t;
      if (m[c][c] == 0) continue;
      for (int r = c + 1; r < n; r++) {
        double f = m[r][c] / m[c][c];
        for (int k = c; k <= n; k++) m[r][k] -= f * m[c][k];
      }
    }
    double[] x = new double[n];
    for (int i = n - 1; i >= 0; i--) {
      double v = m[i][n];
      for (int j = i + 1; j < n; j++) v -= m[i][j] * x[j];
      x[i] = m[i][i] == 0 ? 0 : v / m[i][i];
    }
    double[] z = new double[p];
    for (int i = 0; i < n; i++) z[idx[i]] = x[i];
    return z;
  }

  private static double maxAbs(double[] v) {
    double m = 0;
    for (double x : v) m = Math.max(m, Math.abs(x));
    return m;
  }
}
