package org.vqsim.analysis.report;

import java.util.Locale;

/** Number formats of the report: {@link Locale#ROOT}, thousands separators, units chosen once here. */
final class Fmt {
  private Fmt() {}

  /** A count or rate with thousands separators: {@code 210,087}. */
  static String count(double v) {
    if (Double.isNaN(v)) return "–";
    return String.format(Locale.ROOT, "%,.0f", v);
  }

  /** A value with {@code digits} decimals and thousands separators. */
  static String num(double v, int digits) {
    if (Double.isNaN(v) || Double.isInfinite(v)) return "–";
    return String.format(Locale.ROOT, "%,." + digits + "f", v);
  }

  /** A small mean (events per request): 2 significant decimals, "0" for zero. */
  static String small(double v) {
    if (Double.isNaN(v)) return "–";
    if (v == 0) return "0";
    if (Math.abs(v) >= 100) return num(v, 0);
    if (Math.abs(v) >= 10) return num(v, 1);
    return num(v, 2);
  }

  /** Nanoseconds as microseconds: {@code 152.3}. */
  static String us(double ns) {
    if (Double.isNaN(ns) || ns == Long.MIN_VALUE) return "–";
    double us = ns / 1000.0;
    return num(us, us >= 1000 ? 0 : 1);
  }

  /** A ratio as {@code 12.67×}. */
  static String ratio(double r) {
    if (Double.isNaN(r)) return "–";
    return String.format(Locale.ROOT, "%.2f×", r);
  }

  /** A signed percentage change: {@code +4.2%}. */
  static String change(double pct) {
    if (Double.isNaN(pct)) return "–";
    if (Double.isInfinite(pct)) return pct > 0 ? "+∞" : "−∞";
    return String.format(Locale.ROOT, "%+.1f%%", pct).replace('-', '−');
  }

  /** A share as a whole percentage: {@code 61%}. */
  static String pct(double fraction) {
    return String.format(Locale.ROOT, "%.0f%%", fraction * 100);
  }
}
