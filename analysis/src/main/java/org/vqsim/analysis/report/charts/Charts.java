package org.vqsim.analysis.report.charts;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.text.NumberFormat;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.block.BlockBorder;
import org.jfree.chart.labels.CategoryItemLabelGenerator;
import org.jfree.chart.labels.ItemLabelAnchor;
import org.jfree.chart.labels.ItemLabelPosition;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StackedBarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.HorizontalAlignment;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.CategoryDataset;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The report's charts, built from plain arrays (the report does the table work with Tablesaw and
 * hands the numbers over). Bars run horizontally so that long strategy names stay readable; every
 * value axis names its unit.
 */
public final class Charts {
  static {
    System.setProperty("java.awt.headless", "true");
  }

  private Charts() {}

  /** Width every chart is drawn at, in CSS pixels. */
  public static final int WIDTH = 880;

  static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 15);
  static final Font LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
  static final Font TICK = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
  static final Font SMALL = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
  private static final Color GRID = new Color(0xdddddd);

  /** A chart with the size it should be drawn at. */
  public record Sized(String name, String title, JFreeChart chart, int width, int height) {}

  /** One strategy's bar in the throughput chart. */
  public record Throughput(String id, String label, double iops, double mibPerS) {}

  /** One strategy's latency CDF: x in µs (increasing), y the fraction of requests at most x. */
  public record Curve(String id, String label, double[] xUs, double[] y) {}

  static NumberFormat grouped(String pattern) {
    return new DecimalFormat(pattern, DecimalFormatSymbols.getInstance(Locale.ROOT));
  }

  /** Height of a horizontal bar chart with {@code rows} categories, plus room for axis, title and legend lines. */
  static int barHeight(int rows, int perRow, int legendLines) {
    return 110 + rows * perRow + legendLines * 20;
  }

  /** Throughput per strategy: one horizontal bar each, labelled with IOPS and MiB/s. */
  public static Sized throughput(String name, String title, List<Throughput> rows) {
    DefaultCategoryDataset ds = new DefaultCategoryDataset();
    for (Throughput t : rows) ds.addValue(t.iops(), "IOPS", t.label());
    JFreeChart chart = org.jfree.chart.ChartFactory.createBarChart(title, null, "IOPS (requests per simulated second)", ds,
        PlotOrientation.HORIZONTAL, false, false, false);
    style(chart);
    CategoryPlot plot = chart.getCategoryPlot();
    BarRenderer r = new BarRenderer() {
      private static final long serialVersionUID = 1L;

      @Override
      public Paint getItemPaint(int row, int column) {
        return Palette.strategy(rows.get(column).id());
      }
    };
    barStyle(r);
    NumberFormat iops = grouped("#,##0"), mib = grouped("#,##0.0");
    r.setDefaultItemLabelGenerator(new Labels((dataset, row, column) ->
        iops.format(rows.get(column).iops()) + " IOPS · " + mib.format(rows.get(column).mibPerS()) + " MiB/s"));
    r.setDefaultItemLabelsVisible(true);
    r.setDefaultItemLabelFont(SMALL);
    r.setDefaultPositiveItemLabelPosition(new ItemLabelPosition(ItemLabelAnchor.OUTSIDE3, TextAnchor.CENTER_LEFT));
    r.setItemLabelAnchorOffset(4);
    plot.setRenderer(r);
    NumberAxis axis = (NumberAxis) plot.getRangeAxis();
    axis.setNumberFormatOverride(grouped("#,##0"));
    axis.setUpperMargin(0.42);
    categoryAxis(plot);
    chart.setTitle(title(title));
    return new Sized(name, title, chart, WIDTH, barHeight(rows.size(), 26, 0));
  }

  /** Latency CDF per strategy on a log latency axis. */
  public static Sized latencyCdf(String name, String title, List<Curve> curves) {
    XYSeriesCollection ds = new XYSeriesCollection();
    double lo = Double.MAX_VALUE, hi = 0;
    for (Curve c : curves) {
      XYSeries s = new XYSeries(c.label(), false, true);
      for (int i = 0; i < c.xUs().length; i++) {
        s.add(c.xUs()[i], c.y()[i]);
        lo = Math.min(lo, c.xUs()[i]);
        hi = Math.max(hi, c.xUs()[i]);
      }
      ds.addSeries(s);
    }
    JFreeChart chart = org.jfree.chart.ChartFactory.createXYLineChart(title, null, null, ds, PlotOrientation.VERTICAL, true, false, false);
    style(chart);
    XYPlot plot = chart.getXYPlot();
    NiceLogAxis x = new NiceLogAxis("latency (µs, log scale)");
    if (hi > 0) x.setRange(Math.max(lo * 0.9, 1e-3), hi * 1.1);
    x.setLabelFont(LABEL);
    x.setTickLabelFont(TICK);
    x.setMinorTickMarksVisible(false);
    plot.setDomainAxis(x);
    NumberAxis y = new NumberAxis("requests completed within (cumulative %)");
    y.setRange(0, 1.0);
    y.setNumberFormatOverride(NumberFormat.getPercentInstance(Locale.ROOT));
    y.setTickUnit(new org.jfree.chart.axis.NumberTickUnit(0.1));
    y.setLabelFont(LABEL);
    y.setTickLabelFont(TICK);
    plot.setRangeAxis(y);
    XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, false);
    for (int i = 0; i < curves.size(); i++) {
      r.setSeriesPaint(i, Palette.strategy(curves.get(i).id()));
      r.setSeriesStroke(i, Palette.strategyStroke(curves.get(i).id()));
    }
    r.setDrawSeriesLineAsPath(true);
    plot.setRenderer(r);
    plot.setDomainMinorGridlinesVisible(true);
    plot.setDomainMinorGridlinePaint(new Color(0xeeeeee));
    plot.setDomainGridlinePaint(GRID);
    plot.setRangeGridlinePaint(GRID);
    plot.setDomainGridlineStroke(new BasicStroke(1f));
    plot.setRangeGridlineStroke(new BasicStroke(1f));
    chart.setTitle(title(title));
    int legendLines = (curves.size() + 3) / 4;
    return new Sized(name, title, chart, WIDTH, 430 + legendLines * 20);
  }

  /** Lines of y against a numeric x, one per strategy (sweeps); the x axis turns logarithmic when x spans 100× or more. */
  public static Sized lines(String name, String title, String xLabel, String yLabel, List<Curve> curves) {
    XYSeriesCollection ds = new XYSeriesCollection();
    double lo = Double.MAX_VALUE, hi = 0;
    for (Curve c : curves) {
      XYSeries s = new XYSeries(c.label(), true, true);
      for (int i = 0; i < c.xUs().length; i++) {
        s.addOrUpdate(c.xUs()[i], c.y()[i]);
        lo = Math.min(lo, c.xUs()[i]);
        hi = Math.max(hi, c.xUs()[i]);
      }
      ds.addSeries(s);
    }
    JFreeChart chart = org.jfree.chart.ChartFactory.createXYLineChart(title, xLabel, yLabel, ds, PlotOrientation.VERTICAL, true, false, false);
    style(chart);
    XYPlot plot = chart.getXYPlot();
    if (lo > 0 && hi / lo >= 100) {
      NiceLogAxis x = new NiceLogAxis(xLabel + " (log scale)");
      x.setRange(lo * 0.9, hi * 1.1);
      plot.setDomainAxis(x);
    }
    plot.getDomainAxis().setLabelFont(LABEL);
    plot.getDomainAxis().setTickLabelFont(TICK);
    plot.getRangeAxis().setLabelFont(LABEL);
    plot.getRangeAxis().setTickLabelFont(TICK);
    ((NumberAxis) plot.getRangeAxis()).setNumberFormatOverride(grouped("#,##0"));
    XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
    for (int i = 0; i < curves.size(); i++) {
      r.setSeriesPaint(i, Palette.strategy(curves.get(i).id()));
      r.setSeriesStroke(i, Palette.strategyStroke(curves.get(i).id()));
    }
    plot.setRenderer(r);
    plot.setDomainGridlinePaint(GRID);
    plot.setRangeGridlinePaint(GRID);
    chart.setTitle(title(title));
    return new Sized(name, title, chart, WIDTH, 420 + ((curves.size() + 3) / 4) * 20);
  }

  /** One panel of a small-multiples line chart: its label (the fixed values it shows) and one curve per strategy. */
  public record Panel(String label, List<Curve> curves) {}

  /**
   * Small multiples side by side, sharing one y axis: in each panel, y against the swept x with a line
   * per strategy (the same strategies, colours and dashes in every panel, one legend). The x axis has
   * ticks exactly at {@code xValues} labelled {@code xLabels}, on a log scale when {@code logX}; the y
   * axis turns logarithmic when {@code logY}. Missing points (NaN) are left out of the line.
   */
  public static Sized panels(String name, String title, String xLabel, double[] xValues, List<String> xLabels, boolean logX,
      String yLabel, boolean logY, NumberFormat yFormat, List<Panel> panels) {
    double lo = Double.MAX_VALUE, hi = -Double.MAX_VALUE;
    for (Panel p : panels) {
      for (Curve c : p.curves()) {
        for (double v : c.y()) {
          if (Double.isNaN(v) || (logY && v <= 0)) continue;
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
      }
    }
    org.jfree.chart.axis.ValueAxis y;
    if (logY && lo > 0 && lo < Double.MAX_VALUE) {
      NiceLogAxis l = new NiceLogAxis(yLabel);
      l.setRange(lo / 1.25, hi * 1.25);
      y = l;
    } else {
      NumberAxis n = new NumberAxis(yLabel);
      n.setAutoRangeIncludesZero(true);
      n.setNumberFormatOverride(yFormat);
      y = n;
    }
    y.setLabelFont(LABEL);
    y.setTickLabelFont(TICK);
    org.jfree.chart.plot.CombinedRangeXYPlot plot = new org.jfree.chart.plot.CombinedRangeXYPlot(y);
    plot.setGap(22);
    org.jfree.chart.LegendItemCollection legend = null;
    for (Panel p : panels) {
      XYSeriesCollection ds = new XYSeriesCollection();
      for (Curve c : p.curves()) {
        XYSeries s = new XYSeries(c.label(), true, true);
        for (int i = 0; i < c.xUs().length; i++) if (!Double.isNaN(c.y()[i]) && !(logY && c.y()[i] <= 0)) s.addOrUpdate(c.xUs()[i], c.y()[i]);
        ds.addSeries(s);
      }
      String axisLabel = p.label().isEmpty() ? xLabel : xLabel + "  (" + p.label() + ")";
      org.jfree.chart.axis.ValueAxis x = FixedTicks.axis(axisLabel, xValues, xLabels, logX);
      x.setLabelFont(panels.size() > 3 ? SMALL : LABEL);
      x.setTickLabelFont(panels.size() > 3 ? SMALL : TICK);
      XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
      for (int i = 0; i < p.curves().size(); i++) {
        r.setSeriesPaint(i, Palette.strategy(p.curves().get(i).id()));
        r.setSeriesStroke(i, Palette.strategyStroke(p.curves().get(i).id()));
        r.setSeriesShape(i, new java.awt.geom.Ellipse2D.Double(-3, -3, 6, 6));
      }
      XYPlot sub = new XYPlot(ds, x, null, r);
      sub.setBackgroundPaint(Color.WHITE);
      sub.setOutlinePaint(GRID);
      sub.setDomainGridlinePaint(GRID);
      sub.setRangeGridlinePaint(GRID);
      sub.setDomainGridlineStroke(new BasicStroke(1f));
      sub.setRangeGridlineStroke(new BasicStroke(1f));
      plot.add(sub, 1);
      if (legend == null) legend = sub.getLegendItems();
    }
    if (legend != null) plot.setFixedLegendItems(legend);
    JFreeChart chart = new JFreeChart(title, TITLE, plot, true);
    style(chart);
    chart.setTitle(title(title));
    int strategies = panels.isEmpty() ? 0 : panels.get(0).curves().size();
    return new Sized(name, title, chart, WIDTH, 360 + ((strategies + 3) / 4) * 20);
  }

  /**
   * Horizontal stacked bars: one bar per strategy ({@code rows}), one segment per series; series
   * whose values are all zero are left out of the legend.
   */
  public static Sized stacked(String name, String title, String axisLabel, List<String> rows, List<String> series, double[][] values,
      List<Color> colors) {
    DefaultCategoryDataset ds = new DefaultCategoryDataset();
    int[] kept = keptSeries(series, values);
    for (int s : kept) for (int r = 0; r < rows.size(); r++) ds.addValue(values[r][s], series.get(s), rows.get(r));
    JFreeChart chart = org.jfree.chart.ChartFactory.createStackedBarChart(title, null, axisLabel, ds, PlotOrientation.HORIZONTAL, true, false, false);
    style(chart);
    CategoryPlot plot = chart.getCategoryPlot();
    StackedBarRenderer r = new StackedBarRenderer();
    barStyle(r);
    for (int i = 0; i < kept.length; i++) r.setSeriesPaint(i, colors.get(kept[i]));
    plot.setRenderer(r);
    ((NumberAxis) plot.getRangeAxis()).setNumberFormatOverride(grouped("#,##0"));
    categoryAxis(plot);
    chart.setTitle(title(title));
    int legendLines = (int) Math.ceil(kept.length / 4.0);
    return new Sized(name, title, chart, WIDTH, barHeight(rows.size(), 26, legendLines));
  }

  /** Horizontal grouped bars: per strategy ({@code rows}), one bar per series that is not zero everywhere. */
  public static Sized grouped(String name, String title, String axisLabel, List<String> rows, List<String> series, double[][] values,
      List<Color> colors) {
    DefaultCategoryDataset ds = new DefaultCategoryDataset();
    int[] kept = keptSeries(series, values);
    for (int s : kept) for (int r = 0; r < rows.size(); r++) ds.addValue(values[r][s], series.get(s), rows.get(r));
    JFreeChart chart = org.jfree.chart.ChartFactory.createBarChart(title, null, axisLabel, ds, PlotOrientation.HORIZONTAL, true, false, false);
    style(chart);
    CategoryPlot plot = chart.getCategoryPlot();
    BarRenderer r = new BarRenderer();
    barStyle(r);
    r.setItemMargin(0.0);
    for (int i = 0; i < kept.length; i++) r.setSeriesPaint(i, colors.get(kept[i]));
    plot.setRenderer(r);
    ((NumberAxis) plot.getRangeAxis()).setNumberFormatOverride(grouped("#,##0.##"));
    categoryAxis(plot);
    plot.getDomainAxis().setCategoryMargin(0.25);
    chart.setTitle(title(title));
    int legendLines = (int) Math.ceil(kept.length / 4.0);
    return new Sized(name, title, chart, WIDTH, barHeight(rows.size(), Math.max(26, 7 * kept.length + 10), legendLines));
  }

  /** Horizontal bars of signed changes in percent (comparison): worse in red, better in green. */
  public static Sized changes(String name, String title, List<String> rows, double[] pct, boolean[] worse) {
    DefaultCategoryDataset ds = new DefaultCategoryDataset();
    for (int i = 0; i < rows.size(); i++) ds.addValue(Double.isFinite(pct[i]) ? pct[i] : 0, "change", rows.get(i));
    JFreeChart chart = org.jfree.chart.ChartFactory.createBarChart(title, null, "change from base to new (%)", ds,
        PlotOrientation.HORIZONTAL, false, false, false);
    style(chart);
    CategoryPlot plot = chart.getCategoryPlot();
    BarRenderer r = new BarRenderer() {
      private static final long serialVersionUID = 1L;

      @Override
      public Paint getItemPaint(int row, int column) {
        return worse[column] ? new Color(0xc0392b) : new Color(0x2e8b57);
      }
    };
    barStyle(r);
    plot.setRenderer(r);
    NumberAxis axis = (NumberAxis) plot.getRangeAxis();
    axis.setNumberFormatOverride(grouped("+#,##0.#;−#,##0.#"));
    double span = 1;
    for (double p : pct) if (Double.isFinite(p)) span = Math.max(span, Math.abs(p));
    axis.setRange(-span * 1.15, span * 1.15);
    plot.setRangeZeroBaselineVisible(true);
    categoryAxis(plot);
    plot.getDomainAxis().setMaximumCategoryLabelWidthRatio(0.45f);
    chart.setTitle(title(title));
    return new Sized(name, title, chart, WIDTH, barHeight(rows.size(), 22, 0));
  }

  private static int[] keptSeries(List<String> series, double[][] values) {
    return java.util.stream.IntStream.range(0, series.size()).filter(s -> {
      for (double[] row : values) if (row[s] != 0 && !Double.isNaN(row[s])) return true;
      return false;
    }).toArray();
  }

  private static TextTitle title(String text) {
    TextTitle t = new TextTitle(text, TITLE);
    t.setHorizontalAlignment(HorizontalAlignment.LEFT);
    t.setPadding(new RectangleInsets(4, 8, 8, 4));
    return t;
  }

  private static void style(JFreeChart chart) {
    chart.setBackgroundPaint(Color.WHITE);
    chart.setAntiAlias(true);
    chart.setTextAntiAlias(true);
    chart.setPadding(new RectangleInsets(4, 4, 4, 12));
    LegendTitle legend = chart.getLegend();
    if (legend != null) {
      legend.setItemFont(TICK);
      legend.setFrame(BlockBorder.NONE);
      legend.setPosition(RectangleEdge.BOTTOM);
      legend.setItemLabelPadding(new RectangleInsets(2, 4, 2, 12));
    }
    if (chart.getPlot() instanceof CategoryPlot p) {
      p.setBackgroundPaint(Color.WHITE);
      p.setOutlineVisible(false);
      p.setRangeGridlinePaint(GRID);
      p.setRangeGridlineStroke(new BasicStroke(1f));
      p.getRangeAxis().setLabelFont(LABEL);
      p.getRangeAxis().setTickLabelFont(TICK);
    } else if (chart.getPlot() instanceof XYPlot p) {
      p.setBackgroundPaint(Color.WHITE);
      p.setOutlineVisible(false);
    }
  }

  private static void barStyle(BarRenderer r) {
    r.setBarPainter(new StandardBarPainter());
    r.setShadowVisible(false);
    r.setDrawBarOutline(false);
    r.setMaximumBarWidth(0.9);
  }

  private static void categoryAxis(CategoryPlot plot) {
    plot.setRangeAxisLocation(org.jfree.chart.axis.AxisLocation.BOTTOM_OR_RIGHT);
    CategoryAxis a = plot.getDomainAxis();
    a.setTickLabelFont(TICK);
    a.setMaximumCategoryLabelWidthRatio(0.35f);
    a.setCategoryMargin(0.2);
    a.setLowerMargin(0.01);
    a.setUpperMargin(0.01);
    a.setTickMarksVisible(false);
  }

  /** An item label generator from a lambda. */
  private record Labels(Fn fn) implements CategoryItemLabelGenerator, java.io.Serializable {
    interface Fn extends java.io.Serializable {
      String label(CategoryDataset d, int row, int column);
    }

    @Override
    public String generateRowLabel(CategoryDataset dataset, int row) { return dataset.getRowKey(row).toString(); }

    @Override
    public String generateColumnLabel(CategoryDataset dataset, int column) { return dataset.getColumnKey(column).toString(); }

    @Override
    public String generateLabel(CategoryDataset dataset, int row, int column) { return fn.label(dataset, row, column); }
  }
}
