package org.vqsim.replay.reproduce;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.vqsim.engine.util.Names;

/**
 * One published experiment and how vqsim maps it onto its options: a scenario file of {@code
 * published/} (format in {@code published/README.md}), read and checked in full before anything
 * runs. Every problem is reported as {@code FILE:LINE: what is wrong}.
 *
 * @param id the file name without {@code .toml}
 * @param profileLine the line of {@code [mapping] profile}, for errors about it
 * @param requires capabilities every figure needs (a figure may add its own)
 */
public record Scenario(String id, Path file, String title, String summary, Citation citation, Map<String, String> setup, String profile,
    int profileLine, String mappingReason, List<Capability> requires, List<Run> runs, List<Figure> figures) {

  /** Where the figures were published. {@code ref} is a commit id, message id or DOI where there is one. */
  public record Citation(String authors, String title, String venue, int year, String url, String ref) {}

  /** One replay the figures read: a generated workload under one strategy. */
  public record Run(String name, String strategy, String generate, String replay, String ring, String why, int line) {}

  /** How a figure is judged: within the tolerance either side, or as a bound. */
  public enum Judge {
    WITHIN("within"), AT_MOST("at_most"), AT_LEAST("at_least");

    public final String id;

    Judge(String id) { this.id = id; }

    static Judge of(String s) {
      for (Judge j : values()) if (j.id.equals(s)) return j;
      return null;
    }
  }

  /** The kinds of published figure. */
  public static final List<String> KINDS = List.of("value", "ratio", "bound", "qualitative");

  /**
   * One published figure.
   *
   * @param text the figure exactly as published, with its unit
   * @param published the number it is compared with (for a qualitative figure: the threshold its rule states)
   * @param metric the modelled value's formula; null when the figure cannot be modelled yet
   * @param explanation why the model misses it, written after a run (never a reason to change the tolerance)
   */
  public record Figure(String id, String text, double published, String unit, String relativeTo, String kind, boolean verified, String quote,
      String mapsTo, Formula metric, Judge judge, double tolerancePct, String rule, List<Capability> requires, String explanation, int line) {

    /** The capabilities this figure needs that the model does not have yet (the scenario's and its own). */
    public List<Capability> missing(Scenario s) {
      Set<Capability> all = new LinkedHashSet<>(s.requires());
      all.addAll(requires);
      List<Capability> m = new ArrayList<>();
      for (Capability c : all) if (!c.modelled) m.add(c);
      return m;
    }
  }

  /** A scenario file that cannot be used: {@code FILE:LINE: what}. */
  public static final class BadScenario extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BadScenario(Path file, int line, String what) {
      super(file + (line > 0 ? ":" + line : "") + ": " + what);
    }
  }

  /** The runs a figure's formula needs, among those the scenario defines. */
  public Run run(String name) {
    for (Run r : runs) if (r.name().equals(name)) return r;
    return null;
  }

  /** Whether any figure can be modelled today (then the scenario's runs are replayed). */
  public boolean runnable() {
    for (Figure f : figures) if (f.missing(this).isEmpty()) return true;
    return false;
  }

  // ---------------------------------------------------------------- reading

  private static final List<String> TOP = List.of("title", "summary");
  private static final List<String> CITATION = List.of("authors", "title", "venue", "year", "url", "ref");
  private static final List<String> MAPPING = List.of("profile", "reason", "requires");
  private static final List<String> RUN = List.of("name", "strategy", "generate", "replay", "ring", "why");
  private static final List<String> FIGURE = List.of("id", "text", "published", "unit", "relative_to", "kind", "verified", "quote", "maps_to", "metric",
      "judge", "tolerance_pct", "rule", "requires", "explanation");

  /**
   * Reads and checks a scenario file. {@code columns} are the summary columns a formula may read.
   */
  public static Scenario read(Path file, Set<String> columns) throws IOException {
    String name = file.getFileName().toString();
    if (!name.endsWith(".toml")) throw new BadScenario(file, 0, "a scenario file must end in .toml");
    String id = name.substring(0, name.length() - 5);
    Toml.Table root;
    try {
      root = Toml.parse(Files.readString(file, StandardCharsets.UTF_8));
    } catch (Toml.TomlException e) {
      throw new BadScenario(file, e.line(), e.getMessage().substring(e.getMessage().indexOf(": ") + 2));
    } catch (java.nio.charset.MalformedInputException e) {
      throw new BadScenario(file, 0, "not UTF-8 text");
    }
    Reader r = new Reader(file);
    r.known(root, TOP, "the top level");
    for (String t : root.tables().keySet()) {
      if (!List.of("citation", "setup", "mapping").contains(t)) {
        throw new BadScenario(file, root.table(t).line(), "unknown table [" + t + "]" + Names.didYouMean(t, List.of("citation", "setup", "mapping"))
            + "; a scenario has [citation], [setup], [mapping], [[run]] and [[figure]]");
      }
    }
    for (String a : root.arrays().keySet()) {
      if (!List.of("run", "figure").contains(a)) {
        throw new BadScenario(file, root.array(a).get(0).line(), "unknown table array [[" + a + "]]" + Names.didYouMean(a, List.of("run", "figure")));
      }
    }
    String title = r.string(root, "title", true);
    String summary = r.string(root, "summary", true);

    Toml.Table c = r.table(root, "citation");
    r.known(c, CITATION, "[citation]");
    long year = r.integer(c, "year");
    if (year < 1990 || year > 2100) throw new BadScenario(file, c.values().get("year").line(), "year " + year + " is not a publication year");
    Citation citation = new Citation(r.string(c, "authors", true), r.string(c, "title", true), r.string(c, "venue", true), (int) year,
        r.string(c, "url", true), r.string(c, "ref", false));

    Toml.Table s = r.table(root, "setup");
    Map<String, String> setup = new LinkedHashMap<>();
    for (Map.Entry<String, Toml.Value> e : s.values().entrySet()) setup.put(e.getKey(), r.string(s, e.getKey(), true));
    for (String need : List.of("device", "workload", "hardware")) r.string(s, need, true);

    Toml.Table m = r.table(root, "mapping");
    r.known(m, MAPPING, "[mapping]");
    String profile = r.string(m, "profile", true);
    String reason = r.string(m, "reason", true);
    List<Capability> requires = r.capabilities(m);

    List<Run> runs = new ArrayList<>();
    for (Toml.Table t : root.array("run")) {
      r.known(t, RUN, "[[run]]");
      String rn = r.string(t, "name", true);
      if (!rn.matches("[A-Za-z][A-Za-z0-9_-]*")) throw new BadScenario(file, t.values().get("name").line(), "run name '" + rn + "' must be letters, digits, '_' or '-'");
      for (Run o : runs) if (o.name().equals(rn)) throw new BadScenario(file, t.values().get("name").line(), "run '" + rn + "' is defined twice");
      String ring = r.string(t, "ring", false);
      if (ring == null) ring = "split";
      if (!ring.equals("split") && !ring.equals("packed")) throw new BadScenario(file, t.values().get("ring").line(), "ring must be split or packed, not '" + ring + "'");
      String replay = r.string(t, "replay", false);
      runs.add(new Run(rn, r.string(t, "strategy", true), r.string(t, "generate", true), replay == null ? "" : replay, ring, r.string(t, "why", true), t.line()));
    }

    List<Figure> figures = new ArrayList<>();
    if (root.array("figure").isEmpty()) throw new BadScenario(file, 0, "no [[figure]]: a scenario holds at least one published figure");
    int profileLine = m.values().get("profile").line();
    Scenario partial = new Scenario(id, file, title, summary, citation, setup, profile, profileLine, reason, requires, runs, List.of());
    for (Toml.Table t : root.array("figure")) {
      r.known(t, FIGURE, "[[figure]]");
      String fid = r.string(t, "id", true);
      for (Figure o : figures) if (o.id().equals(fid)) throw new BadScenario(file, t.values().get("id").line(), "figure '" + fid + "' is defined twice");
      String kind = r.string(t, "kind", true);
      if (!KINDS.contains(kind)) throw new BadScenario(file, t.values().get("kind").line(), "kind must be one of " + String.join(", ", KINDS) + ", not '" + kind + "'");
      String judgeText = r.string(t, "judge", false);
      Judge judge = judgeText == null ? Judge.WITHIN : Judge.of(judgeText);
      if (judge == null) throw new BadScenario(file, t.values().get("judge").line(), "judge must be within, at_most or at_least, not '" + judgeText + "'");
      String rule = r.string(t, "rule", false);
      if ((kind.equals("bound") || kind.equals("qualitative")) && rule == null) {
        throw new BadScenario(file, t.line(), "figure '" + fid + "' is a " + kind + ": state the rule it is judged by (rule = \"…\")");
      }
      double tol = r.number(t, "tolerance_pct");
      if (!(tol >= 0)) throw new BadScenario(file, t.values().get("tolerance_pct").line(), "tolerance_pct must be ≥ 0");
      List<Capability> freq = r.capabilities(t);
      String metricText = r.string(t, "metric", false);
      Figure f0 = new Figure(fid, r.string(t, "text", true), r.number(t, "published"), r.string(t, "unit", true), r.string(t, "relative_to", true), kind,
          r.bool(t, "verified"), r.string(t, "quote", true), r.string(t, "maps_to", true), null, judge, tol, rule == null ? "" : rule, freq,
          r.string(t, "explanation", false), t.line());
      Formula metric = null;
      if (metricText != null) {
        int line = t.values().get("metric").line();
        try {
          metric = Formula.parse(metricText);
        } catch (IllegalArgumentException e) {
          throw new BadScenario(file, line, e.getMessage());
        }
        for (String[] ref : metric.references()) {
          if (partial.run(ref[0]) == null) {
            List<String> names = runs.stream().map(Run::name).toList();
            throw new BadScenario(file, line, "metric reads run '" + ref[0] + "', which no [[run]] defines" + Names.didYouMean(ref[0], names)
                + (names.isEmpty() ? "" : "; runs: " + String.join(", ", names)));
          }
          if (!columns.contains(ref[1])) {
            throw new BadScenario(file, line, "metric reads '" + ref[1] + "', which is not a summary column" + Names.didYouMean(ref[1], columns)
                + " (vqsim show OUT/summary.arrow lists them)");
          }
        }
      } else if (f0.missing(partial).isEmpty()) {
        throw new BadScenario(file, t.line(), "figure '" + fid + "' can be modelled (it needs nothing the model lacks): give its metric = \"RUN.COLUMN …\"");
      }
      figures.add(new Figure(f0.id(), f0.text(), f0.published(), f0.unit(), f0.relativeTo(), kind, f0.verified(), f0.quote(), f0.mapsTo(), metric, judge,
          tol, f0.rule(), freq, f0.explanation(), f0.line()));
    }
    Scenario sc = new Scenario(id, file, title, summary, citation, setup, profile, profileLine, reason, requires, List.copyOf(runs), List.copyOf(figures));
    if (sc.runnable() && runs.isEmpty()) throw new BadScenario(file, 0, "figures can be modelled but no [[run]] is defined");
    return sc;
  }

  /** Typed access to a table's keys, with errors naming the file and line. */
  private record Reader(Path file) {
    void known(Toml.Table t, List<String> keys, String where) {
      for (Map.Entry<String, Toml.Value> e : t.values().entrySet()) {
        if (!keys.contains(e.getKey())) {
          throw new BadScenario(file, e.getValue().line(), "unknown key '" + e.getKey() + "' in " + where + Names.didYouMean(e.getKey(), keys)
              + "; known: " + String.join(", ", keys));
        }
      }
    }

    Toml.Table table(Toml.Table root, String name) {
      Toml.Table t = root.table(name);
      if (t == null) throw new BadScenario(file, 0, "missing table [" + name + "]");
      return t;
    }

    private Toml.Value need(Toml.Table t, String key) {
      Toml.Value v = t.values().get(key);
      if (v == null) throw new BadScenario(file, t.line(), "missing key '" + key + "'" + (t.line() > 0 ? " in the table that starts here" : ""));
      return v;
    }

    String string(Toml.Table t, String key, boolean required) {
      Toml.Value v = t.values().get(key);
      if (v == null) {
        if (required) need(t, key);
        return null;
      }
      if (!(v.value() instanceof String s)) throw new BadScenario(file, v.line(), "'" + key + "' must be a string in double quotes");
      if (required && s.isBlank()) throw new BadScenario(file, v.line(), "'" + key + "' is empty");
      return s;
    }

    long integer(Toml.Table t, String key) {
      Toml.Value v = need(t, key);
      if (!(v.value() instanceof Long l)) throw new BadScenario(file, v.line(), "'" + key + "' must be an integer");
      return l;
    }

    double number(Toml.Table t, String key) {
      Toml.Value v = need(t, key);
      if (v.value() instanceof Long l) return l;
      if (v.value() instanceof Double d) return d;
      throw new BadScenario(file, v.line(), "'" + key + "' must be a number");
    }

    boolean bool(Toml.Table t, String key) {
      Toml.Value v = need(t, key);
      if (!(v.value() instanceof Boolean b)) throw new BadScenario(file, v.line(), "'" + key + "' must be true or false");
      return b;
    }

    List<Capability> capabilities(Toml.Table t) {
      Toml.Value v = t.values().get("requires");
      if (v == null) return List.of();
      if (!(v.value() instanceof List<?> l)) throw new BadScenario(file, v.line(), "'requires' must be an array of capability names");
      List<Capability> out = new ArrayList<>();
      for (Object o : l) {
        if (!(o instanceof String s)) throw new BadScenario(file, v.line(), "'requires' must hold capability names in double quotes");
        try {
          out.add(Capability.of(s));
        } catch (IllegalArgumentException e) {
          throw new BadScenario(file, v.line(), e.getMessage());
        }
      }
      return List.copyOf(out);
    }
  }
}
