package org.vqsim.analysis.report.charts;

import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.text.NumberFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.axis.AxisState;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTick;
import org.jfree.chart.axis.TickType;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.TextAnchor;

/**
 * A base-10 log axis labelled at 1-2-5 steps (every decade only when the range spans more than
 * three; every integer multiple when at most six lie in the range), with unlabelled minor ticks at
 * the other integers for gridlines; a range too narrow for three such ticks (86 to 152 µs) gets
 * labels at a nice linear step. JFreeChart's own {@link LogAxis} labels only powers of ten, which
 * leaves a latency axis from 90 to 400 µs with a single label.
 */
final class NiceLogAxis extends LogAxis {
  private static final long serialVersionUID = 1L;
  private final NumberFormat format = new DecimalFormat("#,##0.###", DecimalFormatSymbols.getInstance(Locale.ROOT));

  NiceLogAxis(String label) {
    super(label);
    setBase(10);
    setSmallestValue(1e-3);
  }

  @Override
  @SuppressWarnings({"rawtypes", "unchecked"})
  public List refreshTicks(Graphics2D g2, AxisState state, Rectangle2D dataArea, RectangleEdge edge) {
    double lo = getLowerBound(), hi = getUpperBound();
    int d0 = (int) Math.floor(Math.log10(lo)), d1 = (int) Math.ceil(Math.log10(hi));
    int decades = d1 - d0;
    int[] labelled = decades > 3 ? new int[] {1} : decades > 1 ? new int[] {1, 2, 5} : new int[] {1, 2, 3, 5, 7};
    boolean vertical = RectangleEdge.isLeftOrRight(edge);
    TextAnchor anchor = vertical ? (edge == RectangleEdge.LEFT ? TextAnchor.CENTER_RIGHT : TextAnchor.CENTER_LEFT)
        : (edge == RectangleEdge.TOP ? TextAnchor.BOTTOM_CENTER : TextAnchor.TOP_CENTER);
    List ticks = new ArrayList();
    int inRange = 0;
    for (int d = d0; d <= d1; d++) {
      for (int m = 1; m <= 9; m++) if (m * Math.pow(10, d) >= lo && m * Math.pow(10, d) <= hi) inRange++;
    }
    if (inRange < 3) {
      // a narrow range (86 to 152 µs: only 90 and 100 lie in it) gets labels at a nice linear step instead
      double step = niceStep((hi - lo) / 4);
      for (double v = Math.ceil(lo / step) * step; v <= hi; v += step) {
        ticks.add(new NumberTick(TickType.MAJOR, v, format.format(v), anchor, TextAnchor.CENTER, 0.0));
      }
      return ticks;
    }
    for (int d = d0; d <= d1; d++) {
      double p = Math.pow(10, d);
      for (int m = 1; m <= 9; m++) {
        double v = m * p;
        if (v < lo || v > hi) continue;
        boolean major = inRange <= 6;
        for (int l : labelled) major |= l == m;
        ticks.add(new NumberTick(major ? TickType.MAJOR : TickType.MINOR, v, major ? format.format(v) : "", anchor, TextAnchor.CENTER, 0.0));
      }
    }
    return ticks;
  }

  /** 1, 2 or 5 × a power of ten, at least {@code raw}. */
  static double niceStep(double raw) {
    if (!(raw > 0)) return 1;
    double p = Math.pow(10, Math.floor(Math.log10(raw)));
    double r = raw / p;
    return (r <= 1 ? 1 : r <= 2 ? 2 : r <= 5 ? 5 : 10) * p;
  }
}
