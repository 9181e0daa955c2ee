package org.vqsim.analysis.report.charts;

import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.util.ArrayList;
import java.util.List;
import org.jfree.chart.axis.AxisState;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTick;
import org.jfree.chart.axis.TickType;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.TextAnchor;

/**
 * Axes for a sweep's x: ticks exactly at the swept values, labelled as the sweep names them
 * ("4k", "16k" or "4 KiB"), on a log scale for a geometric grid (block sizes, queue depths) and
 * linear otherwise. Axes with automatic ticks would label 4,096 and 65,536, or values nobody ran.
 */
final class FixedTicks {
  private FixedTicks() {}

  static ValueAxis axis(String label, double[] values, List<String> labels, boolean log) {
    double lo = Double.MAX_VALUE, hi = -Double.MAX_VALUE;
    for (double v : values) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    if (log) {
      Log a = new Log(label, values, labels);
      double pad = Math.pow(hi / lo, 0.12);
      a.setRange(lo / pad, hi * pad);
      return a;
    }
    Linear a = new Linear(label, values, labels);
    double pad = hi > lo ? (hi - lo) * 0.12 : Math.max(1, Math.abs(lo) * 0.1);
    a.setRange(lo - pad, hi + pad);
    return a;
  }

  @SuppressWarnings({"rawtypes", "unchecked"})
  private static List ticks(double[] values, List<String> labels, RectangleEdge edge, double lo, double hi) {
    boolean vertical = RectangleEdge.isLeftOrRight(edge);
    TextAnchor anchor = vertical ? (edge == RectangleEdge.LEFT ? TextAnchor.CENTER_RIGHT : TextAnchor.CENTER_LEFT)
        : (edge == RectangleEdge.TOP ? TextAnchor.BOTTOM_CENTER : TextAnchor.TOP_CENTER);
    List ticks = new ArrayList();
    for (int i = 0; i < values.length; i++) {
      if (values[i] < lo || values[i] > hi) continue;
      ticks.add(new NumberTick(TickType.MAJOR, values[i], labels.get(i), anchor, TextAnchor.CENTER, 0.0));
    }
    return ticks;
  }

  static final class Log extends LogAxis {
    private static final long serialVersionUID = 1L;
    private final double[] values;
    private final List<String> labels;

    Log(String label, double[] values, List<String> labels) {
      super(label);
      this.values = values.clone();
      this.labels = List.copyOf(labels);
      setBase(10);
      setSmallestValue(Math.max(1e-9, java.util.Arrays.stream(values).min().orElse(1) / 10));
      setMinorTickMarksVisible(false);
    }

    @Override
    @SuppressWarnings("rawtypes")
    public List refreshTicks(Graphics2D g2, AxisState state, Rectangle2D dataArea, RectangleEdge edge) {
      return ticks(values, labels, edge, getLowerBound(), getUpperBound());
    }
  }

  static final class Linear extends NumberAxis {
    private static final long serialVersionUID = 1L;
    private final double[] values;
    private final List<String> labels;

    Linear(String label, double[] values, List<String> labels) {
      super(label);
      this.values = values.clone();
      this.labels = List.copyOf(labels);
      setAutoRangeIncludesZero(false);
    }

    @Override
    @SuppressWarnings("rawtypes")
    public List refreshTicks(Graphics2D g2, AxisState state, Rectangle2D dataArea, RectangleEdge edge) {
      return ticks(values, labels, edge, getLowerBound(), getUpperBound());
    }
  }
}
