package org.vqsim.analysis.report;

import static org.vqsim.analysis.report.Html.esc;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.vqsim.analysis.report.charts.ChartImage;
import org.vqsim.analysis.report.charts.Charts;
import org.vqsim.engine.Version;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.Row;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Two result folders side by side: per run, strategy and metric the base value, the new value and
 * the change, with the direction that counts as worse (lower IOPS and MiB/s; higher latency and
 * cycles). The summaries are joined with Tablesaw on (run, strategy).
 */
public final class Comparison {
  private Comparison() {}

  /** A compared metric: its summary column, how it reads, its unit and which direction is worse. */
  public enum Metric {
    IOPS("iops", "IOPS", "req/s", true),
    MIB_PER_S("mib_per_s", "MiB/s", "MiB/s", true),
    P50("lat_p50_ns", "p50 latency", "µs", false),
    P99("lat_p99_ns", "p99 latency", "µs", false),
    P999("lat_p999_ns", "p99.9 latency", "µs", false),
    CYCLES("cycles_per_request", "cycles per request", "cycles", false),
    CYCLES_PER_KIB("cycles_per_kib", "cycles per KiB", "cycles/KiB", false),
    // a network replay's summary (per packet)
    PPS("pps", "packets/s", "packets/s", true),
    GBIT_PER_S("gbit_per_s", "Gb/s", "Gb/s", true),
    NET_LAT_MEAN("latency_mean_ns", "mean packet latency", "µs", false),
    NET_P99("latency_p99_ns", "p99 packet latency", "µs", false),
    GUEST_CYCLES_PER_PACKET("cycles_guest_per_packet", "guest cycles per packet", "cycles", false),
    HOST_CYCLES_PER_PACKET("cycles_host_per_packet", "host cycles per packet", "cycles", false);

    public final String column;
    public final String label;
    public final String unit;
    /** True when a larger value is better (throughput); false when smaller is (latency, cycles). */
    public final boolean higherIsBetter;

    Metric(String column, String label, String unit, boolean higherIsBetter) {
      this.column = column;
      this.label = label;
      this.unit = unit;
      this.higherIsBetter = higherIsBetter;
    }

    String format(double v) {
      return switch (this) {
        case P50, P99, P999, NET_LAT_MEAN, NET_P99 -> Fmt.us(v);
        case MIB_PER_S -> Fmt.num(v, 1);
        case GBIT_PER_S -> Fmt.num(v, 3);
        default -> Fmt.count(v);
      };
    }
  }

  /** One metric of one strategy. {@code changePct} is (new − base) / base × 100. */
  public record Line(String run, String strategy, Metric metric, double base, double next, double changePct, boolean worse, boolean failed) {
    /** The change in the direction that counts as worse, in percent (positive = worse). */
    public double worsening() {
      return metric.higherIsBetter ? -changePct : changePct;
    }
  }

  /** The comparison; {@code failAbovePct} is NaN when no threshold was given. */
  public record Result(ReportInputs base, ReportInputs next, List<Line> lines, List<String> onlyInBase, List<String> onlyInNew, double failAbovePct) {
    public List<Line> failures() {
      return lines.stream().filter(Line::failed).toList();
    }
  }

  /** Compares the summaries of two result folders; a metric fails when it worsens by more than {@code failAbovePct} (NaN: none fail). */
  public static Result compare(ReportInputs base, ReportInputs next, double failAbovePct) {
    Table b = keyed(base), n = keyed(next);
    Table right = n.copy();
    for (Metric m : Metric.values()) right.column(m.column).setName(m.column + "_new");
    Table j = b.joinOn("run", "strategy").with(right).join();
    List<Line> lines = new ArrayList<>();
    for (Row r : j) {
      for (Metric m : Metric.values()) {
        double bv = r.getNumber(m.column), nv = r.getNumber(m.column + "_new");
        if (Double.isNaN(bv) || Double.isNaN(nv)) continue;
        double pct = bv == 0 ? (nv == 0 ? 0 : Math.copySign(Double.POSITIVE_INFINITY, nv)) : (nv - bv) / Math.abs(bv) * 100;
        double worsening = m.higherIsBetter ? -pct : pct;
        boolean worse = worsening > 0.05;
        boolean failed = !Double.isNaN(failAbovePct) && worsening > failAbovePct;
        lines.add(new Line(r.getString("run"), r.getString("strategy"), m, bv, nv, pct, worse, failed));
      }
    }
    return new Result(base, next, lines, missing(b, n), missing(n, b), failAbovePct);
  }

  /** The (run, strategy) keys of {@code a} that {@code other} lacks. */
  private static List<String> missing(Table a, Table other) {
    List<String> l = new ArrayList<>();
    for (Row r : a) {
      Table hit = other.where(other.stringColumn("run").isEqualTo(r.getString("run")).and(other.stringColumn("strategy").isEqualTo(r.getString("strategy"))));
      if (hit.rowCount() == 0) l.add(key(r.getString("run"), r.getString("strategy")));
    }
    return l;
  }

  static String key(String run, String strategy) {
    return run.isEmpty() ? strategy : run + "/" + strategy;
  }

  /**
   * Every run's summary rows with a run column (the sub-folder, "" for the folder itself) and the
   * compared metrics as doubles. A sweep folder (no summary, a sweep.arrow) is keyed row by row: the
   * run is the row's swept parameters, ring and trace ("bs=4k iodepth=1 split"), so two sweeps of
   * the same grid compare combination by combination.
   */
  private static Table keyed(ReportInputs in) {
    Table all = null;
    List<Table> sources = new ArrayList<>();
    List<List<String>> runNames = new ArrayList<>();
    if (runsOf(in).isEmpty() && in.sweep() != null) {
      Table s = in.sweep().table();
      sources.add(s);
      runNames.add(sweepRunNames(s));
    }
    for (ReportInputs.Run r : runsOf(in)) {
      sources.add(r.summary().table());
      runNames.add(java.util.Collections.nCopies(r.summary().table().rowCount(), r.name()));
    }
    for (int k = 0; k < sources.size(); k++) {
      Table s = sources.get(k);
      Table t = Table.create("keyed");
      t.addColumns(StringColumn.create("run", runNames.get(k)), s.stringColumn("strategy").copy());
      for (Metric m : Metric.values()) {
        DoubleColumn d = DoubleColumn.create(m.column, s.rowCount());
        // a block summary has no packet columns and a network one no request columns: those stay NaN and are not compared
        boolean has = s.columnNames().contains(m.column);
        for (int i = 0; i < s.rowCount(); i++) d.set(i, has ? s.numberColumn(m.column).getDouble(i) : Double.NaN);
        t.addColumns(d);
      }
      if (all == null) all = t;
      else all.append(t);
    }
    if (all == null) {
      all = Table.create("keyed", StringColumn.create("run"), StringColumn.create("strategy"));
      for (Metric m : Metric.values()) all.addColumns(DoubleColumn.create(m.column));
    }
    return all;
  }

  /** The block and network runs of a folder. */
  static List<ReportInputs.Run> runsOf(ReportInputs in) {
    List<ReportInputs.Run> l = new ArrayList<>(in.runs());
    l.addAll(in.netRuns());
    return l;
  }

  /** "bs=4k iodepth=1 split" per sweep row: its swept parameters (the columns before the summary's), ring, and trace when there are several. */
  private static List<String> sweepRunNames(Table sweep) {
    List<String> params = new ArrayList<>();
    for (String c : sweep.columnNames()) {
      if (c.equals("strategy")) break;
      params.add(c);
    }
    // the trace names a row only when the parameters do not (a generated workload's label repeats its swept block size)
    java.util.Map<String, java.util.Set<String>> tracesPerCell = new java.util.HashMap<>();
    for (Row r : sweep) {
      StringBuilder cell = new StringBuilder(r.getString("ring")).append('/').append(r.getString("strategy"));
      for (String p : params) cell.append('/').append(r.getString(p));
      tracesPerCell.computeIfAbsent(cell.toString(), k -> new java.util.HashSet<>()).add(r.getString("trace"));
    }
    boolean traces = tracesPerCell.values().stream().anyMatch(t -> t.size() > 1);
    List<String> names = new ArrayList<>();
    for (Row r : sweep) {
      List<String> parts = new ArrayList<>();
      if (traces) parts.add(r.getString("trace"));
      for (String p : params) parts.add(p + "=" + r.getString(p));
      parts.add(r.getString("ring"));
      names.add(String.join(" ", parts));
    }
    return names;
  }

  /**
   * What makes two result folders' numbers not comparable: a different trace, a different profile,
   * a different platform (each "what: base vs new"). Empty when they compare like with like.
   */
  public static List<String> differences(ReportInputs base, ReportInputs next) {
    List<String> d = new ArrayList<>();
    String[] what = {"trace", "profile"};
    for (String col : what) {
      java.util.Set<String> b = values(base, col), n = values(next, col);
      if (!b.isEmpty() && !n.isEmpty() && !b.equals(n)) d.add(col + ": " + String.join(", ", b) + " vs " + String.join(", ", n));
    }
    java.util.Set<String> bp = platforms(base), np = platforms(next);
    if (!bp.isEmpty() && !np.isEmpty() && !bp.equals(np)) d.add("platform: " + String.join(", ", bp) + " vs " + String.join(", ", np));
    return d;
  }

  private static java.util.Set<String> values(ReportInputs in, String column) {
    java.util.Set<String> v = new java.util.TreeSet<>();
    for (ReportInputs.Run r : runsOf(in)) {
      Table t = r.summary().table();
      if (t.columnNames().contains(column)) v.addAll(t.stringColumn(column).asList());
      else if (column.equals("trace") || column.equals("profile")) v.add(r.summary().meta("vqsim." + column, "?")); // a network summary keeps them as metadata
    }
    if (runsOf(in).isEmpty() && in.sweep() != null) v.addAll(in.sweep().table().stringColumn(column).asList());
    return v;
  }

  /** The platforms a folder's runs were replayed for (x86, power): the profile's, or what its strategies imply. */
  private static java.util.Set<String> platforms(ReportInputs in) {
    java.util.Set<String> v = new java.util.TreeSet<>();
    for (ReportInputs.Run r : runsOf(in)) {
      String p = r.summary().meta("vqsim.profile.platform", "");
      if (!p.isEmpty()) v.add(p);
    }
    if (runsOf(in).isEmpty() && in.sweep() != null) {
      String p = in.sweep().meta("vqsim.profile.platform", "");
      if (!p.isEmpty()) v.add(p);
    }
    if (!v.isEmpty()) return v;
    for (String s : values(in, "strategy")) {
      org.vqsim.engine.dma.StrategyId id;
      try {
        id = org.vqsim.engine.dma.StrategyId.of(s);
      } catch (IllegalArgumentException e) {
        continue;
      }
      if (!id.platforms.contains(",")) v.add(id.platforms); // direct and bounce run on both
    }
    return v;
  }

  /** The comparison as aligned text lines for the terminal: header, one line per strategy and metric. */
  public static List<String[]> textRows(Result r) {
    List<String[]> rows = new ArrayList<>();
    for (Line l : r.lines()) {
      String flag = l.failed() ? String.format(Locale.ROOT, "WORSE by more than %s%%", trim(r.failAbovePct())) : l.worse() && Math.abs(l.changePct()) >= 1 ? "worse" : "";
      rows.add(new String[] {key(l.run(), l.strategy()), (l.metric().label.equals(l.metric().unit) ? l.metric().label : l.metric().label + " (" + l.metric().unit + ")"), l.metric().format(l.base()),
          l.metric().format(l.next()), Fmt.change(l.changePct()), flag});
    }
    return rows;
  }

  static String trim(double v) {
    return v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%s", v);
  }

  /** The comparison as a self-contained HTML page (inline CSS and SVG, no script). */
  public static ReportBuilder.Rendered html(Result r, Instant generated) {
    Html h = new Html();
    String title = "vqsim comparison: " + r.base().root().getFileName() + " → " + r.next().root().getFileName();
    h.raw("<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>\n<meta name='viewport' content='width=device-width, initial-scale=1'>\n");
    h.el("title", "", title);
    h.raw("\n<style>\n").raw(ReportBuilder.CSS).raw("</style></head>\n<body><main>\n<header>");
    h.el("h1", "", title);
    String when = generated == null ? "" : " on " + DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT).format(generated.atZone(ZoneOffset.UTC));
    h.el("p", "class='sub'", "Made by vqsim " + Version.VERSION + when);
    h.raw("</header>\n");
    h.el("h2", "", "What was compared");
    h.open("dl", "class='facts'");
    side(h, "Base", r.base(), true);
    ResultTable ba = r.base().any(), na = r.next().any();
    boolean same = ba != null && na != null && ba.meta("vqsim.options", "").equals(na.meta("vqsim.options", ""));
    side(h, "New", r.next(), !same);
    if (same) h.raw("<dt></dt><dd class='muted'>Both were made with the same options.</dd>\n");
    h.close("dl");
    List<String> diff = differences(r.base(), r.next());
    if (!diff.isEmpty()) {
      h.el("p", "class='warning'", "Not like with like: the two runs differ in " + String.join("; ", diff)
          + ". The changes below are not the model's alone.");
    }

    List<Line> fails = r.failures();
    h.el("h2", "", "Verdict");
    if (Double.isNaN(r.failAbovePct())) {
      long worse = r.lines().stream().filter(l -> l.worse() && Math.abs(l.changePct()) >= 1).count();
      h.el("p", "", worse + " of " + r.lines().size() + " metrics got worse by 1% or more (no --fail-above threshold given).");
    } else if (fails.isEmpty()) {
      h.el("p", "", "No metric got worse by more than " + trim(r.failAbovePct()) + "% (" + r.lines().size() + " compared).");
    } else {
      h.raw("<p class='warning'><b>" + fails.size() + " of " + r.lines().size() + " metrics got worse by more than " + esc(trim(r.failAbovePct()))
          + "%:</b> ");
      List<String> f = new ArrayList<>();
      for (Line l : fails) f.add("<code>" + esc(key(l.run(), l.strategy())) + "</code> " + esc(l.metric().label) + " " + esc(Fmt.change(l.changePct())));
      h.raw(String.join(", ", f) + "</p>\n");
    }
    if (!r.onlyInBase().isEmpty()) h.el("p", "class='muted'", "Only in base (not compared): " + String.join(", ", r.onlyInBase()));
    if (!r.onlyInNew().isEmpty()) h.el("p", "class='muted'", "Only in new (not compared): " + String.join(", ", r.onlyInNew()));

    h.el("h2", "", "Per strategy and metric");
    h.raw("<table class='compare'><thead><tr><th>strategy</th>");
    // the metrics the two folders have (a block run's or a network run's)
    List<Metric> shown = java.util.Arrays.stream(Metric.values()).filter(m -> r.lines().stream().anyMatch(l -> l.metric() == m)).toList();
    for (Metric m : shown) {
      String[] head = switch (m) {
        case IOPS -> new String[] {"IOPS", "req/s"};
        case MIB_PER_S -> new String[] {"MiB/s", ""};
        case P50 -> new String[] {"p50", "µs"};
        case P99 -> new String[] {"p99", "µs"};
        case P999 -> new String[] {"p99.9", "µs"};
        case CYCLES -> new String[] {"cycles", "per request"};
        case CYCLES_PER_KIB -> new String[] {"cycles", "per KiB"};
        case PPS -> new String[] {"packets/s", ""};
        case GBIT_PER_S -> new String[] {"Gb/s", ""};
        case NET_LAT_MEAN -> new String[] {"mean latency", "µs"};
        case NET_P99 -> new String[] {"p99", "µs"};
        case GUEST_CYCLES_PER_PACKET -> new String[] {"guest cycles", "per packet"};
        case HOST_CYCLES_PER_PACKET -> new String[] {"host cycles", "per packet"};
      };
      h.raw("<th class='num'>" + esc(head[0]) + "<br><span class='unit'>" + esc(head[1]) + "</span></th>");
    }
    h.raw("</tr></thead><tbody>\n");
    // one row per run and strategy, in the order of the comparison; a heading row per run when there are several
    java.util.Map<String, java.util.Map<Metric, Line>> byKey = new java.util.LinkedHashMap<>();
    for (Line l : r.lines()) byKey.computeIfAbsent(l.run() + "\u0000" + l.strategy(), k -> new java.util.EnumMap<>(Metric.class)).put(l.metric(), l);
    String lastRun = null;
    for (var e : byKey.entrySet()) {
      Line any = e.getValue().values().iterator().next();
      if (!any.run().isEmpty() && !any.run().equals(lastRun)) {
        h.raw("<tr class='run'><th colspan='" + (shown.size() + 1) + "'>" + esc(any.run()) + "</th></tr>\n");
      }
      lastRun = any.run();
      h.raw("<tr data-strategy='" + esc(key(any.run(), any.strategy())) + "'><th scope='row'><code>" + esc(Summaries.label(any.strategy())) + "</code></th>");
      for (Metric m : shown) {
        Line l = e.getValue().get(m);
        if (l == null) {
          h.raw("<td class='num'>–</td>");
          continue;
        }
        String cls = l.failed() || (l.worse() && Math.abs(l.changePct()) >= 1) ? " worse" : (!l.worse() && Math.abs(l.changePct()) >= 1 ? " better" : "");
        h.raw("<td class='num" + cls + "' data-metric='" + m.column + "' data-value='" + l.changePct() + "'><b>" + esc(Fmt.change(l.changePct()))
            + (l.failed() ? " ✗" : "") + "</b><br><span class='unit'>" + esc(m.format(l.base())) + " → " + esc(m.format(l.next())) + "</span></td>");
      }
      h.raw("</tr>\n");
    }
    h.raw("</tbody></table>\n");
    h.el("p", "muted", "Each cell: the change, (new − base) ÷ base, and below it base → new. Worse means lower IOPS, MiB/s, packets/s or Gb/s, or higher latency "
        + "or cycles; red marks a change of 1% or more in the worse direction, green one in the better direction"
        + (Double.isNaN(r.failAbovePct()) ? "" : ", ✗ one beyond the --fail-above threshold") + ".");

    List<Charts.Sized> charts = new ArrayList<>();
    for (Metric m : new Metric[] {Metric.IOPS, Metric.P99, Metric.CYCLES, Metric.PPS, Metric.NET_P99, Metric.GUEST_CYCLES_PER_PACKET}) {
      if (!shown.contains(m)) continue;
      // only what changed: an unchanged strategy is a bar of zero length
      List<Line> ls = r.lines().stream().filter(l -> l.metric() == m && !(Math.abs(l.changePct()) < 0.05)).toList();
      if (ls.isEmpty()) {
        h.el("p", "muted", m.label + ": no strategy changed by 0.05% or more, so there is nothing to chart.");
        continue;
      }
      List<String> rows = ls.stream().map(l -> Summaries.label(key(l.run(), l.strategy()))).toList();
      double[] pct = ls.stream().mapToDouble(Line::changePct).toArray();
      boolean[] worse = new boolean[ls.size()];
      for (int i = 0; i < ls.size(); i++) worse[i] = ls.get(i).worse();
      Charts.Sized c = Charts.changes("change-" + m.column.replace('_', '-'), "Change in " + m.label + " (" + (m.higherIsBetter ? "higher" : "lower")
          + " is better; strategies that changed by 0.05% or more)", rows, pct, worse);
      charts.add(c);
      h.raw("<figure>" + ChartImage.svg(c, "c" + charts.size()) + "<figcaption>Change of " + esc(m.label) + " from the base run to the new one, in percent; red: worse, "
          + "green: better.</figcaption></figure>\n");
    }
    h.raw("</main></body></html>\n");
    return new ReportBuilder.Rendered(h.toString(), charts);
  }

  private static void side(Html h, String name, ReportInputs in, boolean options) {
    ResultTable any = in.any();
    h.raw("<dt>" + esc(name) + "</dt><dd><code>" + esc(in.root().toAbsolutePath().normalize().toString()) + "</code> — "
        + runsOf(in).size() + (runsOf(in).size() == 1 ? " run" : " runs") + ", vqsim " + esc(any == null ? "?" : any.meta("vqsim.version", "?"))
        + (options ? "<br><code class='opts'>" + esc(any == null ? "" : any.meta("vqsim.options", "")) + "</code>" : "") + "</dd>\n");
  }
}
