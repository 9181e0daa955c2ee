package org.vqsim.analysis.report;

import static org.vqsim.analysis.report.Html.esc;

import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.text.NumberFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.vqsim.analysis.report.SweepAnalysis.Crossover;
import org.vqsim.analysis.report.SweepAnalysis.Dim;
import org.vqsim.analysis.report.SweepAnalysis.Metric;
import org.vqsim.analysis.report.charts.Charts;
import tech.tablesaw.api.Table;

/**
 * The sweep section of the report: what was swept, the crossovers in words, then per swept
 * parameter one chart per metric (a line per strategy; small multiples across a second swept
 * parameter, any others held at their first value), and every row in a table.
 */
final class SweepSection {
  private SweepSection() {}

  /** At most this many panels per chart (a parameter with more values shows an evenly spaced subset). */
  static final int MAX_PANELS = 4;
  /** At most this many crossover sentences per metric and parameter; the rest are counted. */
  static final int MAX_SENTENCES = 8;

  static void write(Html h, ResultTable sweep, List<Charts.Sized> charts) {
    Table t = sweep.table();
    List<Dim> dims = SweepAnalysis.dims(sweep);
    List<String> strategies = t.rowCount() == 0 ? List.of() : SweepAnalysis.strategies(t);
    h.raw("<section id='sweep'>");
    h.el("h2", "", "Sweep");
    facts(h, sweep, dims, strategies);
    if (t.rowCount() == 0) {
      h.el("p", "", "The sweep table has no rows.");
      h.raw("</section>\n");
      return;
    }
    // x axes: numeric parameters and categorical ones with 3+ values; two-valued categories (ring) become panels or fixed values
    List<Dim> xs = new ArrayList<>();
    for (Dim d : dims) if (d.numeric() || d.values().size() >= 3) xs.add(d);
    if (xs.isEmpty()) xs.addAll(dims);

    h.el("h3", "", "Crossovers");
    h.el("p", "muted", "Where the order of two strategies flips along a swept parameter, the other parameters held at each of their values in turn. "
        + "Values within " + Fmt.pct(SweepAnalysis.TIE) + " of each other count as a tie, not an order.");
    h.open("ul", "class='reading' id='crossovers'");
    for (String s : readings(t, dims, xs, SweepAnalysis.Units.of(t))) h.raw("<li>" + s + "</li>");
    h.close("ul");

    SweepAnalysis.Units units = SweepAnalysis.Units.of(t);
    List<Metric> metrics = new ArrayList<>(SweepAnalysis.compared(units));
    if (units == SweepAnalysis.Units.NET) metrics.add(2, SweepAnalysis.GBIT);
    if (t.numberColumn("slowdown_vs_direct").countMissing() < t.rowCount()) metrics.add(SweepAnalysis.SLOWDOWN);
    for (Dim x : xs) {
      List<Dim> others = new ArrayList<>(dims);
      others.remove(x);
      Dim panel = panelDim(others);
      List<String> panelValues = panel == null ? List.of("") : pick(panel.values(), MAX_PANELS);
      List<String> fixedText = new ArrayList<>();
      for (Dim d : others) if (d != panel) fixedText.add(d.phrase(d.values().get(0)));
      h.raw("<h3 id='sweep-" + esc(slug(x.name())) + "'>Against " + esc(x.name()) + "</h3>");
      String layout = "One line per strategy" + (panel == null ? "" : "; one panel per " + panel.name()
          + (panelValues.size() < panel.values().size() ? " (" + panelValues.size() + " of its " + panel.values().size() + " values)" : ""))
          + (fixedText.isEmpty() ? "" : "; " + SweepAnalysis.join(fixedText, "and") + " held fixed (the table below has every row)") + ".";
      h.el("p", "muted", layout);
      for (Metric m : metrics) {
        figure(h, charts, t, dims, x, panel, panelValues, others, strategies, m, layout);
      }
    }
    table(h, t, dims);
    h.raw("</section>\n");
  }

  private static void facts(Html h, ResultTable sweep, List<Dim> dims, List<String> strategies) {
    Table t = sweep.table();
    h.open("dl", "class='facts'");
    List<String> shape = new ArrayList<>();
    shape.add(strategies.size() + " strateg" + (strategies.size() == 1 ? "y" : "ies"));
    for (Dim d : dims) shape.add(d.values().size() + " " + d.name() + (d.name().equals("trace") ? "s" : d.name().equals("ring") ? "s" : " values"));
    h.raw("<dt>Replays</dt><dd>" + t.rowCount() + " = " + esc(String.join(" × ", shape)) + "</dd>\n");
    List<String> ss = new ArrayList<>();
    for (String s : strategies) ss.add(Reading.code(s));
    h.raw("<dt>Strategies</dt><dd>" + String.join(" ", ss) + "</dd>\n");
    for (Dim d : dims) {
      List<String> vs = new ArrayList<>();
      for (String v : d.values()) vs.add(d.label(v));
      h.raw("<dt>" + esc(d.name()) + "</dt><dd>" + esc(String.join(", ", vs)) + "</dd>\n");
    }
    if (t.rowCount() > 0) {
      java.util.LinkedHashSet<String> traces = new java.util.LinkedHashSet<>();
      String gen = sweepValue(sweep.meta("vqsim.sweep", ""), "generate");
      for (String tr : t.stringColumn("trace")) traces.add(tr.startsWith("generated:") && !gen.isEmpty() ? "generated: " + gen : tr);
      String tr = traces.size() <= 3 ? String.join(", ", traces) : traces.size() + " traces";
      h.raw("<dt>Trace</dt><dd><code>" + esc(tr) + "</code>, profile <code>" + esc(String.join(", ", new java.util.LinkedHashSet<>(t.stringColumn("profile").asList())))
          + "</code>, " + Fmt.count(t.numberColumn("requests").getDouble(0)) + " " + SweepAnalysis.Units.of(t).plural() + " per replay"
          + (SweepAnalysis.Units.of(t) == SweepAnalysis.Units.MIXED ? " (the first row's)" : "") + "</dd>\n");
    }
    String toml = sweep.meta("vqsim.sweep", "");
    if (!toml.isEmpty()) {
      StringBuilder b = new StringBuilder();
      for (String l : toml.split("\n")) if (!l.startsWith("#")) b.append(l).append('\n');
      h.raw("<dt>Sweep file</dt><dd><code class='opts'>" + esc(b.toString().strip()) + "</code></dd>\n");
    }
    h.raw("<dt>vqsim</dt><dd>" + esc(sweep.meta("vqsim.version", "?")) + ", command <code>" + esc(sweep.meta("vqsim.command", "?")) + "</code>"
        + (sweep.meta("vqsim.engine", "").isEmpty() ? "" : ", engine " + esc(sweep.meta("vqsim.engine", ""))) + "</dd>\n");
    h.close("dl");
  }

  /** The crossover sentences, and for each compared metric along each parameter without one, that the order holds. */
  static List<String> readings(Table t, List<Dim> dims, List<Dim> xs) {
    return readings(t, dims, xs, SweepAnalysis.Units.of(t));
  }

  static List<String> readings(Table t, List<Dim> dims, List<Dim> xs, SweepAnalysis.Units units) {
    List<String> out = new ArrayList<>();
    for (Dim x : xs) {
      if (!x.numeric()) continue;
      List<Dim> others = new ArrayList<>(dims);
      others.remove(x);
      int total = SweepAnalysis.slices(t, others).size();
      List<String> items = new ArrayList<>();
      for (Metric m : SweepAnalysis.compared(units)) {
        List<Crossover> cs = SweepAnalysis.crossovers(t, dims, x, m);
        if (cs.isEmpty()) {
          items.add("No two strategies swap places in " + esc(lower(m.title())) + (total > 1 ? " at any " + esc(otherNames(others)) : "")
              + (isCycles(m) ? "; costliest first: " + order(t, dims, x, others, m) : "."));
          continue;
        }
        for (int i = 0; i < Math.min(MAX_SENTENCES, cs.size()); i++) items.add(SweepAnalysis.sentence(cs.get(i), others, total));
        if (cs.size() > MAX_SENTENCES) {
          items.add("… and " + (cs.size() - MAX_SENTENCES) + " more flips in " + esc(lower(m.title())) + " that hold in fewer combinations (the table has every row).");
        }
      }
      out.add("<b>Along " + esc(x.name()) + ":</b><ul><li>" + String.join("</li><li>", items) + "</li></ul>");
    }
    // two-valued categories (ring, a pair of traces): how much they change the cost
    for (Dim d : dims) {
      if (xs.contains(d)) continue;
      String s = spread(t, dims, d, units);
      if (s != null) out.add(s);
    }
    if (out.isEmpty()) out.add("No numeric parameter was swept, so there is nothing to cross over; the charts compare the values side by side.");
    return out;
  }

  private static String sweepValue(String toml, String key) {
    for (String l : toml.split("\n")) {
      int eq = l.indexOf('=');
      if (eq > 0 && l.substring(0, eq).strip().equals(key)) return l.substring(eq + 1).strip();
    }
    return "";
  }

  private static String lower(String title) {
    return title.startsWith("IOPS") ? title : title.equals("Gb/s") ? title : title.substring(0, 1).toLowerCase(Locale.ROOT) + title.substring(1);
  }

  private static String otherNames(List<Dim> others) {
    return SweepAnalysis.join(others.stream().map(Dim::name).toList(), "or");
  }

  /** The order by cost at the first point of the first slice, costliest first. */
  private static String order(Table t, List<Dim> dims, Dim x, List<Dim> others, Metric m) {
    Map<String, String> slice = SweepAnalysis.slices(t, others).get(0);
    var index = SweepAnalysis.index(t, dims);
    List<String> s = new ArrayList<>(SweepAnalysis.strategies(t));
    List<double[]> c = new ArrayList<>();
    for (String id : s) c.add(SweepAnalysis.curve(t, index, dims, x, slice, id, m));
    List<Integer> idx = new ArrayList<>();
    for (int i = 0; i < s.size(); i++) idx.add(i);
    idx.sort((a, b) -> Double.compare(c.get(b)[0], c.get(a)[0]));
    List<String> names = new ArrayList<>();
    for (int i : idx) names.add(Reading.code(s.get(i)));
    return String.join(" &gt; ", names) + ".";
  }

  /** How much a two-valued dimension changes cycles per request: the largest relative difference over all rows. */
  private static String spread(Table t, List<Dim> dims, Dim d, SweepAnalysis.Units units) {
    if (d.values().size() != 2) return null;
    var index = SweepAnalysis.index(t, dims);
    double worst = 0;
    String where = "";
    for (int r = 0; r < t.rowCount(); r++) {
      if (!SweepAnalysis.value(t, r, d).equals(d.values().get(0))) continue;
      List<String> k = SweepAnalysis.key(t, r, dims);
      k.set(dims.indexOf(d), d.values().get(1));
      Integer o = index.get(k);
      if (o == null) continue;
      double a = SweepAnalysis.CYCLES.of(t, r), b = SweepAnalysis.CYCLES.of(t, o);
      double rel = Math.abs(b - a) / Math.max(Math.abs(a), Math.abs(b));
      if (rel > worst) {
        worst = rel;
        where = t.stringColumn("strategy").get(r);
      }
    }
    String a = d.label(d.values().get(0)), b = d.label(d.values().get(1));
    String what = "<b>" + esc(d.name()) + "</b> (" + esc(a) + " or " + esc(b) + ")";
    if (worst < 0.01) return what + " changes cycles per " + units.unit() + " by less than 1% anywhere in the sweep.";
    return what + " changes cycles per " + units.unit() + " by at most " + Fmt.num(worst * 100, 1) + "%, all else equal (" + Reading.code(where) + ").";
  }

  /** The dimension to draw as small multiples: a numeric one with the most values, else the one with the most values. */
  static Dim panelDim(List<Dim> others) {
    Dim best = null;
    for (Dim d : others) {
      if (best == null || (d.numeric() && !best.numeric()) || (d.numeric() == best.numeric() && d.values().size() > best.values().size())) best = d;
    }
    return best;
  }

  /** Up to {@code n} values, evenly spaced, first and last included. */
  static List<String> pick(List<String> values, int n) {
    if (values.size() <= n) return values;
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) out.add(values.get((int) Math.round(i * (values.size() - 1) / (double) (n - 1))));
    return out;
  }

  private static void figure(Html h, List<Charts.Sized> charts, Table t, List<Dim> dims, Dim x, Dim panel,
      List<String> panelValues, List<Dim> others, List<String> strategies, Metric m, String layout) {
    var index = SweepAnalysis.index(t, dims);
    Map<String, String> base = new java.util.LinkedHashMap<>();
    for (Dim d : others) base.put(d.name(), d.values().get(0));
    double[] xv = new double[x.values().size()];
    List<String> xl = new ArrayList<>();
    for (int i = 0; i < xv.length; i++) {
      xv[i] = x.numeric() ? x.numbers()[i] : i;
      xl.add(x.label(x.values().get(i)));
    }
    boolean logX = x.numeric() && xv[0] > 0 && xv[xv.length - 1] / xv[0] >= 8;
    List<Charts.Panel> panels = new ArrayList<>();
    double lo = Double.MAX_VALUE, hi = 0;
    for (String pv : panelValues) {
      Map<String, String> slice = new java.util.LinkedHashMap<>(base);
      if (panel != null) slice.put(panel.name(), pv);
      List<Charts.Curve> curves = new ArrayList<>();
      for (String s : strategies) {
        double[] y = SweepAnalysis.curve(t, index, dims, x, slice, s, m);
        for (double v : y) {
          if (v > 0) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
          }
        }
        curves.add(new Charts.Curve(s, Summaries.label(s), xv, y));
      }
      panels.add(new Charts.Panel(panel == null ? "" : panel.phrase(pv), curves));
    }
    boolean logY = lo < Double.MAX_VALUE && hi / lo >= 20;
    NumberFormat yf = new DecimalFormat(m == SweepAnalysis.SLOWDOWN ? "0.0×" : m == SweepAnalysis.P99 ? "#,##0.#" : "#,##0", DecimalFormatSymbols.getInstance(Locale.ROOT));
    String title = m.title() + " against " + x.name() + (panel == null ? "" : ", per " + panel.name());
    String name = "sweep-" + slug(m.column()) + "-vs-" + slug(x.name());
    String caption = m.title() + (isCycles(m) ? " (guest + host, from the cycle ledger)" : m == SweepAnalysis.SLOWDOWN
        ? " (direct's rate ÷ the strategy's, same parameters)" : m == SweepAnalysis.GBIT ? " (frame bits per simulated second)" : "") + " against " + x.name() + ". " + layout
        + (m.lowerIsBetter() ? " Lower is better." : " Higher is better.") + (logY ? " Log scale on the y axis: equal steps are equal ratios." : "") + (logX ? " The x axis is logarithmic too." : "")
        + " Dashed: strategies that bounce through swiotlb; strategies with the same values draw over each other.";
    ReportBuilder.figure(h, charts, Charts.panels(name, title, x.name(), xv, xl, logX, m.axis(), logY, yf, panels), caption);
  }

  private static boolean isCycles(Metric m) {
    return m.column().equals(SweepAnalysis.CYCLES.column());
  }

  private static void table(Html h, Table t, List<Dim> dims) {
    SweepAnalysis.Units units = SweepAnalysis.Units.of(t);
    boolean anyNet = units != SweepAnalysis.Units.BLOCK;
    // sweeps written before these columns existed have no lock figures; the table then leaves them out
    boolean locks = t.columnNames().contains("most_waited_lock") && t.columnNames().contains("lock_wait_ns_per_request");
    h.el("h3", "", "Every combination");
    if (units == SweepAnalysis.Units.MIXED) {
      h.el("p", "muted", "Block and network units together: a network unit's rate is in packets per second (a packet counts as a request), its cycles are "
          + "per packet, and it has Gb/s; a block unit's rate is IOPS.");
    }
    h.raw("<table class='sweep'><thead><tr>");
    for (Dim d : dims) h.raw("<th>" + esc(d.name()) + "</th>");
    h.raw("<th>strategy</th>" + (units == SweepAnalysis.Units.NET ? th("packets/s", "") : units == SweepAnalysis.Units.MIXED ? th("IOPS or packets/s", "")
        : th("IOPS", "req/s")) + (anyNet ? th("Gb/s", "frames") : "") + th("p99", "µs") + th("cycles", "per " + units.unit()) + th("slowdown", "vs direct")
        + (locks ? th("lock wait", "ns / " + units.unit()) + "<th>waits most for</th>" : "") + "</tr></thead><tbody>\n");
    // in the sweep's order of values (numeric ones increasing), then strategy as run
    List<Integer> rows = new ArrayList<>();
    for (int r = 0; r < t.rowCount(); r++) rows.add(r);
    List<String> strategies = SweepAnalysis.strategies(t);
    rows.sort((a, b) -> {
      for (Dim d : dims) {
        int c = Integer.compare(d.index(SweepAnalysis.value(t, a, d)), d.index(SweepAnalysis.value(t, b, d)));
        if (c != 0) return c;
      }
      return Integer.compare(strategies.indexOf(t.stringColumn("strategy").get(a)), strategies.indexOf(t.stringColumn("strategy").get(b)));
    });
    for (int r : rows) {
      h.raw("<tr>");
      for (Dim d : dims) h.raw("<td>" + esc(d.label(SweepAnalysis.value(t, r, d))) + "</td>");
      String s = t.stringColumn("strategy").get(r);
      h.raw("<td><code>" + esc(Summaries.label(s)) + "</code></td>");
      double iops = t.numberColumn("iops").getDouble(r), p99 = t.numberColumn("lat_p99_ns").getDouble(r);
      double cyc = t.numberColumn("cycles_per_request").getDouble(r), slow = t.numberColumn("slowdown_vs_direct").getDouble(r);
      boolean net = anyNet && !t.numberColumn("pps").isMissing(r);
      ReportBuilder.cell(h, "iops", iops, Fmt.count(iops) + (units == SweepAnalysis.Units.MIXED ? (net ? " pps" : " IOPS") : ""), "");
      if (anyNet) {
        double gb = net ? t.numberColumn("gbit_per_s").getDouble(r) : Double.NaN;
        if (net) ReportBuilder.cell(h, "gbit_per_s", gb, Fmt.num(gb, 2), "");
        else h.raw("<td class='num'>-</td>");
      }
      ReportBuilder.cell(h, "lat_p99_ns", p99, Fmt.us(p99), "");
      ReportBuilder.cell(h, "cycles_per_request", cyc, Fmt.count(cyc), "");
      ReportBuilder.cell(h, "slowdown_vs_direct", slow, Fmt.ratio(slow), "");
      if (locks) {
        double wait = t.numberColumn("lock_wait_ns_per_request").getDouble(r);
        String lock = t.stringColumn("most_waited_lock").get(r);
        ReportBuilder.cell(h, "lock_wait_ns_per_request", wait, Fmt.count(wait), "");
        h.raw("<td>" + (lock == null || lock.isEmpty() ? "<span class='muted'>no lock waited for</span>" : "<code>" + esc(lock) + "</code>") + "</td>");
      }
      h.raw("</tr>\n");
    }
    h.raw("</tbody></table>\n");
  }

  private static String th(String name, String unit) {
    return "<th class='num'>" + esc(name) + (unit.isEmpty() ? "" : "<br><span class='unit'>" + esc(unit) + "</span>") + "</th>";
  }

  static String slug(String s) {
    return s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
  }
}
