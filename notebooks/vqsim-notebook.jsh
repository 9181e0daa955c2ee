// Helpers shared by the vqsim notebooks. Each notebook loads them after vqsim's jar:
//
//   %jars ../replay/target/vqsim.jar
//   %load vqsim-notebook.jsh
//
// The jar is vqsim's command line with everything in it (engine, capture, analysis, Arrow,
// Tablesaw, JFreeChart), so the notebooks run the same code as ./vqsim and read its Arrow files
// with vqsim's own loader (org.vqsim.analysis.report.ResultTable) and charts
// (org.vqsim.analysis.report.charts.Charts).

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.awt.Color;
import tech.tablesaw.api.*;
import org.vqsim.analysis.report.ResultTable;
import org.vqsim.analysis.report.Summaries;
import org.vqsim.analysis.report.charts.ChartImage;
import org.vqsim.analysis.report.charts.Charts;
import org.vqsim.analysis.report.charts.Palette;

System.setProperty("java.awt.headless", "true");
System.setProperty("vqsim.noProgress", "true");
Locale.setDefault(Locale.ROOT);

/** The vqsim checkout these notebooks belong to (the folder above notebooks/). */
Path VQSIM = Path.of("..").toAbsolutePath().normalize();
/** The bundled lab traces (samples/README.md). */
Path SAMPLES = VQSIM.resolve("samples");

/**
 * Where this notebook writes its results: $VQSIM_NOTEBOOK_OUT/NAME when that is set (to keep
 * them), else a fresh temporary folder. Every run starts from an empty folder.
 */
Path outputFolder(String name) throws Exception {
  String keep = System.getenv("VQSIM_NOTEBOOK_OUT");
  Path dir = keep == null || keep.isBlank() ? Files.createTempDirectory("vqsim-" + name + "-") : Path.of(keep, name);
  if (Files.exists(dir)) {
    try (var walk = Files.walk(dir)) {
      walk.sorted(java.util.Comparator.reverseOrder()).filter(p -> !p.equals(dir)).forEach(p -> p.toFile().delete());
    }
  }
  Files.createDirectories(dir);
  return dir;
}

/** The command line as a reader would type it (paths under the checkout shortened). */
String commandLine(String... args) {
  StringBuilder b = new StringBuilder("$ vqsim");
  for (String a : args) {
    String s = a.replace(VQSIM.toString() + "/", "");
    b.append(' ').append(s.isEmpty() || s.matches(".*[\\s\"'].*") ? "\"" + s.replace("\"", "\\\"") + "\"" : s);
  }
  return b.toString();
}

/**
 * Runs {@code vqsim ARGS} in this JVM (org.vqsim.replay.Main, what ./vqsim runs) and returns what it
 * printed. Prints the command line and, unless {@code quiet}, the output; a non-zero exit code
 * fails the cell with vqsim's message.
 */
String vqsimOutput(boolean quiet, String... args) {
  ByteArrayOutputStream buf = new ByteArrayOutputStream();
  PrintStream out = System.out, err = System.err;
  PrintStream capture = new PrintStream(buf, true, StandardCharsets.UTF_8);
  int code;
  System.setOut(capture);
  System.setErr(capture);
  try {
    code = org.vqsim.replay.Main.run(args);
  } finally {
    capture.flush();
    System.setOut(out);
    System.setErr(err);
  }
  String text = buf.toString(StandardCharsets.UTF_8);
  System.out.println(commandLine(args));
  if (code != 0) throw new IllegalStateException("vqsim exited with " + code + ":\n" + text);
  // the sweep's progress lines ([3/40] 8% elapsed …) are for terminals
  if (!quiet) System.out.print(text.replaceAll("(?m)^\\[\\d+/\\d+\\] .*\\R", ""));
  return text;
}

/** {@code vqsim ARGS}, printing the command line and its output. */
void vqsim(String... args) {
  vqsimOutput(false, args);
}

/** {@code vqsim ARGS}, printing the command line only. */
void vqsimQuiet(String... args) {
  vqsimOutput(true, args);
}

/** One of vqsim's Arrow result files as a Tablesaw table, with its metadata (ResultTable). */
ResultTable read(Path file) throws Exception {
  return ResultTable.read(file);
}

int chartCount = 0;

/** Draws a chart inline, as the SVG vqsim's HTML report uses (ChartImage.svg). */
void show(Charts.Sized c) {
  chartCount++;
  String svg = ChartImage.svg(c, "nbchart" + chartCount + "-" + Long.toHexString(System.nanoTime()));
  display("text/html", "<div style='max-width:" + c.width() + "px'>" + svg + "</div>");
}

/**
 * Adds a reference line at {@code value} on the value axis (a category chart's range, an XY chart's
 * y axis; {@code onX} puts it on an XY chart's x axis instead), labelled {@code label}.
 */
Charts.Sized refLine(Charts.Sized c, double value, String label, boolean onX) {
  var m = new org.jfree.chart.plot.ValueMarker(value, new Color(0x555555), new java.awt.BasicStroke(1.2f, java.awt.BasicStroke.CAP_BUTT,
      java.awt.BasicStroke.JOIN_MITER, 10f, new float[] {5f, 4f}, 0f));
  if (label != null) {
    m.setLabel(label);
    m.setLabelFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 11));
    m.setLabelPaint(new Color(0x333333));
    m.setLabelAnchor(onX ? org.jfree.chart.ui.RectangleAnchor.TOP_RIGHT : org.jfree.chart.ui.RectangleAnchor.BOTTOM_RIGHT);
    m.setLabelTextAnchor(onX ? org.jfree.chart.ui.TextAnchor.TOP_LEFT : org.jfree.chart.ui.TextAnchor.TOP_RIGHT);
  }
  var plot = c.chart().getPlot();
  if (plot instanceof org.jfree.chart.plot.CategoryPlot cp) cp.addRangeMarker(m, org.jfree.chart.ui.Layer.FOREGROUND);
  else if (plot instanceof org.jfree.chart.plot.XYPlot xp) {
    if (onX) xp.addDomainMarker(m, org.jfree.chart.ui.Layer.FOREGROUND);
    else xp.addRangeMarker(m, org.jfree.chart.ui.Layer.FOREGROUND);
  }
  return c;
}

String esc(String s) {
  return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
}

/** A number as a reader wants it: thousands separators, fewer decimals the larger it is, "–" when missing. */
String fmt(double v) {
  if (Double.isNaN(v) || v == Long.MIN_VALUE) return "–";
  double a = Math.abs(v);
  if (a == 0) return "0";
  if (a >= 1000) return String.format(Locale.ROOT, "%,.0f", v);
  if (a >= 100) return String.format(Locale.ROOT, "%.1f", v);
  if (a >= 1) return String.format(Locale.ROOT, "%.2f", v);
  return String.format(Locale.ROOT, "%.3g", v);
}

/** A ratio as {@code 13.62×}. */
String times(double r) {
  return Double.isNaN(r) ? "–" : String.format(Locale.ROOT, "%.2f×", r);
}

/** A fraction as a percentage with one decimal. */
String pct(double fraction) {
  return Double.isNaN(fraction) ? "–" : String.format(Locale.ROOT, "%.1f%%", fraction * 100);
}

/** A Tablesaw table as an HTML table (numbers right-aligned and formatted with fmt). */
void show(Table t) {
  StringBuilder b = new StringBuilder("<table style='font-size:13px'><thead><tr>");
  for (var c : t.columns())
    b.append("<th style='text-align:").append(c instanceof NumericColumn<?> ? "right" : "left").append("'>").append(esc(c.name())).append("</th>");
  b.append("</tr></thead><tbody>");
  for (int r = 0; r < t.rowCount(); r++) {
    b.append("<tr>");
    for (var col : t.columns()) {
      if (col instanceof NumericColumn<?> n) {
        b.append("<td style='text-align:right'>").append(n.isMissing(r) ? "–" : esc(fmt(n.getDouble(r)))).append("</td>");
      } else {
        b.append("<td style='text-align:left'>").append(esc(col.getString(r))).append("</td>");
      }
    }
    b.append("</tr>");
  }
  display("text/html", b.append("</tbody></table>").toString());
}

/** Markdown rendered in the output (used for the conclusions, written from the computed numbers). */
void say(String markdown) {
  display("text/markdown", markdown);
}

/** The rows of {@code t} whose columns equal the given values: where(t, "strategy", "direct", "iodepth", "32"). */
Table where(Table t, String... columnValuePairs) {
  Table r = t;
  for (int i = 0; i < columnValuePairs.length; i += 2) {
    var col = r.column(columnValuePairs[i]);
    String v = columnValuePairs[i + 1];
    if (col instanceof StringColumn s) r = r.where(s.isEqualTo(v));
    else if (col instanceof NumericColumn<?> n) r = r.where(n.isEqualTo(Double.parseDouble(v)));
    else if (col instanceof BooleanColumn b) r = r.where(Boolean.parseBoolean(v) ? b.isTrue() : b.isFalse());
    else throw new IllegalArgumentException("cannot select on " + col.name());
  }
  return r;
}

/** The one value of {@code column} in the rows selected as in where(); fails unless exactly one row matches. */
double value(Table t, String column, String... columnValuePairs) {
  Table r = where(t, columnValuePairs);
  if (r.rowCount() != 1) throw new IllegalStateException(r.rowCount() + " rows match " + Arrays.toString(columnValuePairs) + " in " + t.name());
  return r.numberColumn(column).getDouble(0);
}

/** The distinct values of a string column, in the order they first appear. */
List<String> distinct(Table t, String column) {
  List<String> l = new ArrayList<>();
  for (String s : t.stringColumn(column)) if (!l.contains(s)) l.add(s);
  return l;
}

/** {@code n} colours of the report's categorical palette. */
List<Color> palette(int n) {
  List<Color> l = new ArrayList<>();
  for (int i = 0; i < n; i++) l.add(Palette.categorical(i));
  return l;
}
