package org.vqsim.analysis.report.charts;

import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import javax.imageio.ImageIO;
import org.jfree.svg.MeetOrSlice;
import org.jfree.svg.PreserveAspectRatio;
import org.jfree.svg.SVGGraphics2D;
import org.jfree.svg.ViewBox;

/** Draws a chart as an inline SVG element (JFreeSVG) or as a PNG at twice its size (for slides). */
public final class ChartImage {
  static {
    System.setProperty("java.awt.headless", "true");
  }

  private ChartImage() {}

  /**
   * The chart as an {@code <svg>} element that scales to its container (viewBox, no fixed size),
   * with ids prefixed by {@code id} so that several charts can share one page.
   */
  public static String svg(Charts.Sized c, String id) {
    SVGGraphics2D g2 = new SVGGraphics2D(c.width(), c.height());
    g2.setDefsKeyPrefix(id + "-");
    // a tenth of a CSS pixel is finer than any screen or printer shows; shorter numbers keep the page small
    g2.setGeomDoubleConverter(ChartImage::tenth);
    g2.setTransformDoubleConverter(ChartImage::tenth);
    c.chart().draw(g2, new Rectangle(0, 0, c.width(), c.height()));
    String svg = g2.getSVGElement(id, false, new ViewBox(0, 0, c.width(), c.height()), PreserveAspectRatio.XMID_YMID, MeetOrSlice.MEET);
    // an accessible name, and no namespace declaration the page does not use
    svg = svg.replace(" xmlns:jfreesvg='http://www.jfree.org/jfreesvg/svg'", "");
    int gt = svg.indexOf('>');
    return svg.substring(0, gt) + " role='img' aria-label='" + escAttr(c.title()) + "'>" + svg.substring(gt + 1);
  }

  /** Writes the chart as PNG, drawn at its size and rendered at {@code scale} times the pixels. */
  public static void png(Charts.Sized c, double scale, OutputStream out) throws IOException {
    int w = (int) Math.round(c.width() * scale), h = (int) Math.round(c.height() * scale);
    BufferedImage img = c.chart().createBufferedImage(w, h, c.width(), c.height(), null);
    if (!ImageIO.write(img, "png", out)) throw new IOException("no PNG writer available");
  }

  static String tenth(double v) {
    long t = Math.round(v * 10);
    if (t % 10 == 0) return Long.toString(t / 10);
    return (t < 0 ? "-" : "") + Math.abs(t) / 10 + "." + Math.abs(t) % 10;
  }

  private static String escAttr(String s) {
    return s.replace("&", "&amp;").replace("'", "&#39;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
