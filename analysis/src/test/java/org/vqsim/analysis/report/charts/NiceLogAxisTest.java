package org.vqsim.analysis.report.charts;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.util.List;
import org.jfree.chart.axis.AxisState;
import org.jfree.chart.axis.NumberTick;
import org.jfree.chart.ui.RectangleEdge;
import org.junit.jupiter.api.Test;

class NiceLogAxisTest {
  private static List<String> labels(double lo, double hi) {
    NiceLogAxis a = new NiceLogAxis("latency");
    a.setRange(lo, hi);
    var g = new BufferedImage(10, 10, BufferedImage.TYPE_INT_RGB).createGraphics();
    @SuppressWarnings("unchecked")
    List<NumberTick> ticks = a.refreshTicks(g, new AxisState(), new java.awt.geom.Rectangle2D.Double(0, 0, 600, 300), RectangleEdge.BOTTOM);
    return ticks.stream().map(NumberTick::getText).filter(t -> !t.isEmpty()).toList();
  }

  @Test
  void aLabTracesNarrowLatencyRangeGetsSeveralLabels() {
    // a lab trace at depth 1: every latency between 86.8 and 152.7 µs, the axis 10% wider
    assertThat(labels(78, 168)).hasSizeGreaterThanOrEqualTo(3);
    assertThat(labels(78, 95)).containsExactly("80", "85", "90", "95");
  }

  @Test
  void wideRangesKeepOneTwoFiveLabels() {
    assertThat(labels(50, 5000)).contains("100", "200", "500", "1,000", "2,000").doesNotContain("300");
  }
}
