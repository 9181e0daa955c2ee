package org.vqsim.analysis.report;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import tech.tablesaw.api.Table;

/**
 * What a sweep table holds and says: its swept dimensions (the {@code --param}s, rings and traces
 * that took more than one value), the rows of one slice, and the crossovers — where the ordering of
 * two strategies by a metric flips along a swept parameter, the other parameters held fixed.
 */
final class SweepAnalysis {
  private SweepAnalysis() {}

  /** Parameters whose values are byte sizes (shown as KiB/MiB). */
  static final Set<String> BYTE_PARAMS = Set.of("bs", "swiotlb.pool", "offset-range");

  /**
   * A swept dimension: its name (as in {@code --param}, or {@code ring}, {@code trace}), the table
   * column that holds it, its values (numeric ones in increasing order, others in the sweep's order).
   */
  record Dim(String name, String column, List<String> values, boolean numeric, double[] numbers) {
    String label(String value) {
      if (numeric && BYTE_PARAMS.contains(name)) {
        Double v = ReportBuilder.parseNumber(value);
        if (v != null) return bytes(v);
      }
      return value;
    }

    /** "iodepth 16", "ring packed", "bs 64 KiB". */
    String phrase(String value) {
      return name + " " + label(value);
    }

    int index(String value) {
      return values.indexOf(value);
    }
  }

  /** A metric charted and compared along the swept parameters. */
  record Metric(String column, String title, String axis, boolean lowerIsBetter, String becomes, String measure, double scale) {
    double of(Table t, int row) {
      double v = t.numberColumn(column).getDouble(row);
      return v == Long.MIN_VALUE ? Double.NaN : v * scale;
    }
  }

  static final Metric CYCLES = new Metric("cycles_per_request", "Cycles per request", "cycles per request", true, "becomes cheaper than", " in cycles per request", 1);
  static final Metric IOPS = new Metric("iops", "IOPS", "IOPS", false, "becomes faster than", " in IOPS", 1);
  static final Metric P99 = new Metric("lat_p99_ns", "p99 latency", "p99 latency (µs)", true, "gets a lower p99 latency than", "", 1e-3);
  static final Metric SLOWDOWN = new Metric("slowdown_vs_direct", "Slowdown vs direct", "slowdown vs direct", true, "is less slowed down than", "", 1);

  /** The metrics whose orderings are compared (slowdown orders as IOPS does, so it has no crossovers of its own). */
  static final List<Metric> COMPARED = List.of(CYCLES, IOPS, P99);

  /** What a row of the sweep is: block units count requests, network units packets (sweep.arrow's pps is set); a sweep may hold both. */
  enum Units {
    BLOCK, NET, MIXED;

    static Units of(Table t) {
      if (!t.columnNames().contains("pps") || t.rowCount() == 0) return BLOCK;
      int missing = t.numberColumn("pps").countMissing();
      return missing == t.rowCount() ? BLOCK : missing == 0 ? NET : MIXED;
    }

    /** A request, a packet, or both. */
    String unit() {
      return this == BLOCK ? "request" : this == NET ? "packet" : "request or packet";
    }

    String plural() {
      return this == BLOCK ? "requests" : this == NET ? "packets" : "requests or packets";
    }
  }

  /** The rate in the units' words: IOPS for block units, packets per second for network units (sweep.arrow's iops column either way). */
  static Metric rate(Units u) {
    return switch (u) {
      case BLOCK -> IOPS;
      case NET -> new Metric("iops", "Packets per second", "packets/s", false, "becomes faster than", " in packets per second", 1);
      case MIXED -> new Metric("iops", "IOPS or packets per second", "IOPS (block) or packets/s (network)", false, "becomes faster than",
          " in IOPS or packets per second", 1);
    };
  }

  /** Cycles per request, or per packet. */
  static Metric cycles(Units u) {
    if (u == Units.BLOCK) return CYCLES;
    String per = u.unit();
    return new Metric("cycles_per_request", "Cycles per " + per, "cycles per " + per, true, "becomes cheaper than", " in cycles per " + per, 1);
  }

  /** Frame Gb/s of network units. */
  static final Metric GBIT = new Metric("gbit_per_s", "Gb/s", "Gb/s (frames)", false, "moves more data than", " in Gb/s", 1);

  /** The compared metrics in the units of the table's rows. */
  static List<Metric> compared(Units u) {
    return List.of(cycles(u), rate(u), P99);
  }

  /** Two strategies swap places along {@code x}: {@code winner} is better than {@code loser} from {@code to} on, worse at {@code from}. */
  record Crossover(Metric metric, Dim x, String winner, String loser, int from, int to, List<Map<String, String>> slices) {}

  /** The swept dimensions of a sweep table, in the sweep's order (from the sweep file in its metadata, else from its columns). */
  static List<Dim> dims(ResultTable sweep) {
    Table t = sweep.table();
    List<String> names = new ArrayList<>();
    String toml = sweep.meta("vqsim.sweep", "");
    int traceSources = 0;
    if (!toml.isEmpty()) {
      for (String line : toml.split("\n")) {
        String l = line.strip();
        int eq = l.indexOf('=');
        if (l.startsWith("#") || eq <= 0) continue;
        String key = l.substring(0, eq).strip(), value = l.substring(eq + 1).strip();
        if (key.startsWith("param.")) {
          names.add(key.substring(6));
        } else if (key.equals("traces")) {
          for (String s : value.split(",")) if (!s.isBlank()) traceSources++;
        } else if (key.equals("generate") && !value.isEmpty()) {
          traceSources++;
        }
      }
      if (traceSources > 1) names.add(0, "trace");
      names.add("ring");
    } else {
      Set<String> summary = summaryColumns();
      for (String c : t.columnNames()) if (!summary.contains(c)) names.add(c);
      names.addAll(List.of("iodepth", "backend", "vcpus", "queues", "ring"));
    }
    List<Dim> dims = new ArrayList<>();
    for (String n : names) {
      String col = n;
      if (!t.columnNames().contains(col)) continue;
      LinkedHashSet<String> seen = new LinkedHashSet<>();
      for (int r = 0; r < t.rowCount(); r++) seen.add(raw(t, r, col, n));
      if (seen.size() < 2) continue;
      List<String> values = new ArrayList<>(seen);
      boolean numeric = true;
      for (String v : values) {
        Double d = ReportBuilder.parseNumber(v);
        if (d == null || d.isNaN()) numeric = false;
      }
      double[] numbers = null;
      if (numeric) {
        values.sort((a, b) -> Double.compare(ReportBuilder.parseNumber(a), ReportBuilder.parseNumber(b)));
        numbers = values.stream().mapToDouble(ReportBuilder::parseNumber).toArray();
      }
      dims.add(new Dim(n, col, List.copyOf(values), numeric, numbers));
    }
    return dims;
  }

  static Set<String> summaryColumns() {
    Set<String> s = new HashSet<>();
    for (var f : org.vqsim.analysis.arrow.ResultSchemas.summary(Map.of()).getFields()) s.add(f.getName());
    return s;
  }

  private static String raw(Table t, int row, String col, String name) {
    Object o = t.column(col).get(row);
    String s = String.valueOf(o);
    // a generated workload's label carries its options (which a generate parameter changes): one trace
    if (name.equals("trace") && s.startsWith("generated:")) return "generated";
    return s;
  }

  /** The value of {@code d} in row {@code row}. */
  static String value(Table t, int row, Dim d) {
    return raw(t, row, d.column(), d.name());
  }

  /** The strategies of the table in first-seen order. */
  static List<String> strategies(Table t) {
    return new ArrayList<>(new LinkedHashSet<>(t.stringColumn("strategy").asList()));
  }

  /** Row index by (values of {@code dims} in order, strategy). */
  static Map<List<String>, Integer> index(Table t, List<Dim> dims) {
    Map<List<String>, Integer> m = new HashMap<>();
    for (int r = 0; r < t.rowCount(); r++) m.put(key(t, r, dims), r);
    return m;
  }

  static List<String> key(Table t, int r, List<Dim> dims) {
    List<String> k = new ArrayList<>();
    for (Dim d : dims) k.add(value(t, r, d));
    k.add(t.stringColumn("strategy").get(r));
    return k;
  }

  /** The combinations of {@code others}' values present in the table, in row order. */
  static List<Map<String, String>> slices(Table t, List<Dim> others) {
    LinkedHashSet<Map<String, String>> s = new LinkedHashSet<>();
    for (int r = 0; r < t.rowCount(); r++) {
      Map<String, String> m = new LinkedHashMap<>();
      for (Dim d : others) m.put(d.name(), value(t, r, d));
      s.add(m);
    }
    return new ArrayList<>(s);
  }

  /** Key for a row: the slice's values, x's value, strategy, in {@code dims} order. */
  static List<String> key(List<Dim> dims, Map<String, String> slice, Dim x, String xValue, String strategy) {
    List<String> k = new ArrayList<>();
    for (Dim d : dims) k.add(d == x ? xValue : slice.get(d.name()));
    k.add(strategy);
    return k;
  }

  /** One strategy's metric along x in one slice (NaN where no row). */
  static double[] curve(Table t, Map<List<String>, Integer> index, List<Dim> dims, Dim x, Map<String, String> slice, String strategy, Metric m) {
    double[] y = new double[x.values().size()];
    for (int i = 0; i < y.length; i++) {
      Integer r = index.get(key(dims, slice, x, x.values().get(i), strategy));
      y[i] = r == null ? Double.NaN : m.of(t, r);
    }
    return y;
  }

  /** Relative difference below which two strategies count as tied (no ordering, no flip). */
  static final double TIE = 0.02;

  /**
   * Every flip of the ordering of two strategies by {@code m} along {@code x} (numeric), in every
   * slice of the other dimensions; flips at the same place in several slices are reported once with
   * all those slices. Ties (within {@link #TIE}) and missing points are stepped over.
   */
  static List<Crossover> crossovers(Table t, List<Dim> dims, Dim x, Metric m) {
    List<Dim> others = new ArrayList<>(dims);
    others.remove(x);
    Map<List<String>, Integer> index = index(t, dims);
    List<String> strategies = strategies(t);
    Map<List<Object>, List<Map<String, String>>> groups = new LinkedHashMap<>();
    for (Map<String, String> slice : slices(t, others)) {
      List<double[]> curves = new ArrayList<>();
      for (String s : strategies) curves.add(curve(t, index, dims, x, slice, s, m));
      for (int a = 0; a < strategies.size(); a++) {
        for (int b = a + 1; b < strategies.size(); b++) {
          int lastSign = 0, lastIdx = -1;
          for (int i = 0; i < x.values().size(); i++) {
            int s = better(curves.get(a)[i], curves.get(b)[i], m.lowerIsBetter());
            if (s == 0) continue;
            if (lastSign != 0 && s != lastSign) {
              String winner = s > 0 ? strategies.get(a) : strategies.get(b), loser = s > 0 ? strategies.get(b) : strategies.get(a);
              groups.computeIfAbsent(List.of(winner, loser, lastIdx, i), k -> new ArrayList<>()).add(slice);
            }
            lastSign = s;
            lastIdx = i;
          }
        }
      }
    }
    List<Crossover> out = new ArrayList<>();
    for (var e : groups.entrySet()) {
      List<Object> k = e.getKey();
      out.add(new Crossover(m, x, (String) k.get(0), (String) k.get(1), (Integer) k.get(2), (Integer) k.get(3), e.getValue()));
    }
    // the flips that hold in most slices first
    out.sort((p, q) -> Integer.compare(q.slices().size(), p.slices().size()));
    return out;
  }

  /** +1 when a is better than b, -1 when worse, 0 when tied or either is missing. */
  static int better(double a, double b, boolean lowerIsBetter) {
    if (Double.isNaN(a) || Double.isNaN(b)) return 0;
    double scale = Math.max(Math.abs(a), Math.abs(b));
    if (scale == 0 || Math.abs(a - b) / scale < TIE) return 0;
    return (a < b) == lowerIsBetter ? 1 : -1;
  }

  /** The crossover as a sentence (HTML): "`bounce` becomes cheaper than `viommu-strict` above bs = 16 KiB …". */
  static String sentence(Crossover c, List<Dim> others, int totalSlices) {
    Dim x = c.x();
    String lo = x.label(x.values().get(c.from())), hi = x.label(x.values().get(c.to()));
    StringBuilder b = new StringBuilder();
    b.append(Reading.code(c.winner())).append(' ').append(c.metric().becomes()).append(' ').append(Reading.code(c.loser()))
        .append(Html.esc(c.metric().measure())).append(" above ").append(Html.esc(x.phrase(x.values().get(c.from()))));
    b.append(" (").append(c.to() == c.from() + 1 ? "the order flips between " : "the order flips somewhere between ").append(Html.esc(lo))
        .append(" and ").append(Html.esc(hi)).append(')');
    String where = where(c.slices(), others, totalSlices);
    if (!where.isEmpty()) b.append(", ").append(Html.esc(where));
    return b.append('.').toString();
  }

  /** Where a finding holds, compactly: "at every iodepth and ring", "at iodepth 1 and 4", or a short list. */
  static String where(List<Map<String, String>> slices, List<Dim> others, int totalSlices) {
    if (others.isEmpty()) return "";
    List<String> names = others.stream().map(Dim::name).toList();
    if (slices.size() == totalSlices) {
      return totalSlices == 1 ? "" : "at every " + join(names, "and");
    }
    // a product of value sets: name the dimensions that do not take all their values
    long product = 1;
    List<String> parts = new ArrayList<>();
    for (Dim d : others) {
      LinkedHashSet<String> vs = new LinkedHashSet<>();
      for (Map<String, String> s : slices) vs.add(s.get(d.name()));
      product *= vs.size();
      if (vs.size() == d.values().size()) continue;
      List<String> ordered = new ArrayList<>();
      for (String v : d.values()) if (vs.contains(v)) ordered.add(d.label(v));
      parts.add(d.name() + " " + join(ordered, "and"));
    }
    if (product == slices.size() && !parts.isEmpty()) return "at " + String.join(", ", parts) + " only";
    List<String> each = new ArrayList<>();
    for (int i = 0; i < Math.min(4, slices.size()); i++) {
      List<String> p = new ArrayList<>();
      for (Dim d : others) p.add(d.phrase(slices.get(i).get(d.name())));
      each.add(String.join(", ", p));
    }
    String s = "only at " + String.join("; ", each);
    if (slices.size() > 4) s += " and " + (slices.size() - 4) + " more of the " + totalSlices + " combinations";
    return s;
  }

  static String join(List<String> l, String word) {
    if (l.size() <= 1) return String.join("", l);
    return String.join(", ", l.subList(0, l.size() - 1)) + " " + word + " " + l.get(l.size() - 1);
  }

  static String bytes(double v) {
    if (v >= 1024.0 * 1024 * 1024 && v % (1024.0 * 1024 * 1024) == 0) return Fmt.num(v / (1024.0 * 1024 * 1024), 0) + " GiB";
    if (v >= 1024.0 * 1024 && v % (1024.0 * 1024) == 0) return Fmt.num(v / (1024.0 * 1024), 0) + " MiB";
    if (v >= 1024 && v % 1024 == 0) return Fmt.num(v / 1024, 0) + " KiB";
    if (v >= 1024) return Fmt.num(v / 1024, 1) + " KiB";
    return Fmt.num(v, 0) + " B";
  }
}
