package org.vqsim.analysis.report.charts;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Stroke;

/**
 * Colours that keep their meaning across every chart of a report: one hue per DMA strategy family
 * (the {@code +bounce} variants share their base's hue, darker, drawn dashed), one colour per cycle
 * category and per actor.
 */
public final class Palette {
  private Palette() {}

  /** A strategy's colour by id; unknown ids get a neutral grey. */
  public static Color strategy(String id) {
    boolean bounce = id.endsWith("+bounce");
    String base = bounce ? id.substring(0, id.length() - "+bounce".length()) : id;
    Color c = switch (base) {
      case "direct" -> new Color(0x4d4d4d);
      case "bounce" -> new Color(0x8c6d31);
      case "viommu-strict" -> new Color(0xd62728);
      case "viommu-lazy" -> new Color(0xff7f0e);
      case "viommu-passthrough" -> new Color(0xe377c2);
      case "virtio-iommu" -> new Color(0x1f77b4);
      case "virtio-iommu-lazy" -> new Color(0x17becf);
      case "virtio-iommu-bypass" -> new Color(0x2ca02c);
      case "virtio-iommu-identity" -> new Color(0x98df8a);
      case "tce" -> new Color(0x9467bd);
      case "tce-ddw" -> new Color(0xbc80bd);
      case "tce-bypass" -> new Color(0xa6a61b);
      default -> new Color(0x7f7f7f);
    };
    return bounce ? darker(c) : c;
  }

  /** The line of a strategy in a line chart: dashed for the {@code +bounce} variants. */
  public static Stroke strategyStroke(String id) {
    if (id.endsWith("+bounce") || id.equals("bounce")) {
      return new BasicStroke(2.0f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f, new float[] {6f, 3f}, 0f);
    }
    return new BasicStroke(2.0f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND);
  }

  // Tableau 10 plus two: twelve colours no two of which are easily confused.
  private static final Color[] CATEGORICAL = {
      new Color(0x4e79a7), new Color(0xf28e2b), new Color(0xe15759), new Color(0x76b7b2), new Color(0x59a14f), new Color(0xedc948),
      new Color(0xb07aa1), new Color(0xff9da7), new Color(0x9c755f), new Color(0xbab0ac), new Color(0x2f4b7c), new Color(0x5c5c5c)};

  /** The {@code i}-th colour of a 12-colour categorical scheme (cycle categories, event kinds). */
  public static Color categorical(int i) {
    return CATEGORICAL[Math.floorMod(i, CATEGORICAL.length)];
  }

  private static Color darker(Color c) {
    return new Color((int) (c.getRed() * 0.62), (int) (c.getGreen() * 0.62), (int) (c.getBlue() * 0.62));
  }
}
