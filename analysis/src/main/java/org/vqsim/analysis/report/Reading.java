package org.vqsim.analysis.report;

import static org.vqsim.analysis.report.Html.esc;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.vqsim.engine.cost.Actor;
import org.vqsim.engine.cost.Category;
import tech.tablesaw.api.Row;
import tech.tablesaw.api.Table;

/**
 * The plain-language reading of a run or a fleet, generated from the numbers: which strategy costs
 * most and where its extra cycles go (the ledger's categories and actors against {@code direct}).
 * Each sentence is HTML (strategy names in {@code <code>}).
 */
final class Reading {
  private Reading() {}

  static String code(String strategy) {
    return "<code>" + esc(Summaries.label(strategy)) + "</code>";
  }

  /** Sentences about one replay's summary. */
  static List<String> run(Table summary) {
    List<String> out = new ArrayList<>();
    if (summary.rowCount() == 0) return out;
    String base = Summaries.BASELINE;
    Table directRow = Summaries.row(summary, base);
    boolean hasDirect = directRow.rowCount() > 0;
    Table ranked = Summaries.rankedByCost(summary);
    if (hasDirect) {
      Row d = directRow.row(0);
      out.add(code(base) + " (no ACCESS_PLATFORM, no DMA API) does " + Fmt.count(d.getDouble("iops")) + " IOPS at "
          + Fmt.count(d.getDouble("cycles_per_request")) + " cycles per request; p99 latency " + Fmt.us(d.getNumber("lat_p99_ns")) + " µs.");
    } else {
      out.add("<code>direct</code> was not run, so there are no slowdowns to compare against; the strategies are ranked by cycles per request.");
    }
    Table others = ranked.where(ranked.stringColumn("strategy").isNotEqualTo(base));
    if (others.rowCount() == 0) return out;
    Row top = others.row(0);
    String s = top.getString("strategy");
    StringBuilder b = new StringBuilder("The costliest strategy is ").append(code(s)).append(": ")
        .append(Fmt.count(top.getDouble("cycles_per_request"))).append(" cycles per request");
    if (hasDirect) {
      b.append(" (").append(Fmt.ratio(top.getDouble("cycles_vs_direct"))).append(" direct's) and ").append(Fmt.count(top.getDouble("iops")))
          .append(" IOPS, ").append(slowdownWords(top.getDouble("slowdown_vs_direct")));
    } else {
      b.append(" and ").append(Fmt.count(top.getDouble("iops"))).append(" IOPS");
    }
    b.append('.');
    out.add(b.toString());
    String why = hasDirect ? why(summary, s, base) : null;
    if (why != null) out.add(why);
    if (others.rowCount() > 2) {
      List<String> next = new ArrayList<>();
      for (int i = 1; i < Math.min(4, others.rowCount()); i++) {
        Row r = others.row(i);
        next.add(code(r.getString("strategy")) + " " + Fmt.count(r.getDouble("cycles_per_request")));
      }
      out.add("Next by cycles per request: " + String.join(", ", next) + ".");
    }
    if (hasDirect && others.rowCount() > 1) {
      Row cheap = others.row(others.rowCount() - 1);
      out.add("The cheapest alternative to " + code(base) + " is " + code(cheap.getString("strategy")) + ": "
          + Fmt.ratio(cheap.getDouble("cycles_vs_direct")) + " direct's cycles, " + slowdownWords(cheap.getDouble("slowdown_vs_direct")) + ".");
      // costs more cycles but keeps the throughput
      List<String> hidden = new ArrayList<>();
      for (Row r : others) {
        if (r.getDouble("cycles_vs_direct") >= 1.2 && r.getDouble("slowdown_vs_direct") < 1.05) hidden.add(code(r.getString("strategy")));
      }
      if (!hidden.isEmpty()) {
        out.add(String.join(", ", hidden) + (hidden.size() == 1 ? " spends" : " spend")
            + " at least 1.2× direct's cycles yet keeps within 5% of its IOPS: at this depth the extra work does not limit throughput,"
            + " but it is CPU time the host and guest lose.");
      }
    }
    // latency spread
    Table byP99 = summary.sortAscendingOn("lat_p99_ns");
    if (byP99.rowCount() > 1) {
      Row lo = byP99.row(0), hi = byP99.row(byP99.rowCount() - 1);
      out.add("p99 latency ranges from " + Fmt.us(lo.getNumber("lat_p99_ns")) + " µs (" + code(lo.getString("strategy")) + ") to "
          + Fmt.us(hi.getNumber("lat_p99_ns")) + " µs (" + code(hi.getString("strategy")) + ").");
    }
    List<String> preds = new ArrayList<>();
    for (String id : Summaries.strategies(summary)) if (Summaries.prediction(id)) preds.add("<code>" + esc(id) + "</code>");
    if (!preds.isEmpty()) {
      out.add("† " + String.join(", ", preds) + (preds.size() == 1 ? " is a prediction" : " are predictions")
          + ": no lab trace can check " + (preds.size() == 1 ? "it" : "them") + "; read the figures as what the model expects, not as measurements.");
    }
    return out;
  }

  private static String slowdownWords(double slowdown) {
    if (Double.isNaN(slowdown)) return "no slowdown figure";
    if (slowdown >= 1.005) return Fmt.ratio(slowdown) + " slower than direct";
    if (slowdown <= 0.995) return "faster than direct (" + Fmt.ratio(slowdown) + ")";
    return "as fast as direct";
  }

  /**
   * Where a strategy's extra cycles go, by category and by actor. The total is the net difference
   * from direct (what the summary table shows); categories that shrink are named with their saving,
   * so the shares of the ones that grow can add up to more than 100%.
   */
  static String why(Table summary, String strategy, String base) {
    Table cat = Summaries.extraOver(Summaries.cyclesByCategoryLong(summary), strategy, base);
    double net = 0, grown = 0;
    for (Row r : cat) {
      net += r.getDouble("extra");
      grown += Math.max(0, r.getDouble("extra"));
    }
    if (net <= 0 || grown <= 0) return null;
    List<String> parts = new ArrayList<>();
    List<String> shrunk = new ArrayList<>();
    double covered = 0;
    for (Row r : cat) {
      double e = r.getDouble("extra");
      Category c = category(r.getString("variable"));
      String name = esc(c == null ? r.getString("variable") : c.description) + " (" + esc(c == null ? "" : c.id) + ")";
      if (e < 0) {
        if (-e >= 0.005 * net) shrunk.add(esc(c == null ? r.getString("variable") : c.id) + " " + Fmt.count(e));
        continue;
      }
      if (e <= 0 || parts.size() == 3 || covered >= 0.9) continue;
      parts.add(Fmt.pct(e / net) + " " + name);
      covered += e / grown;
    }
    Table act = Summaries.extraOver(Summaries.cyclesByActorLong(summary), strategy, base);
    Row topActor = act.row(0);
    Actor a = actor(topActor.getString("variable"));
    double actorShare = Math.max(0, topActor.getDouble("extra")) / net;
    return "Why: of the " + Fmt.count(net) + " cycles per request it adds over direct, " + String.join(", ", parts)
        + (shrunk.isEmpty() ? "" : "; less is spent on " + String.join(", ", shrunk)) + ". "
        + Fmt.pct(actorShare) + " of the extra is spent by the " + esc(a == null ? topActor.getString("variable") : a.description) + ".";
  }

  private static Category category(String column) {
    for (Category c : Category.values()) if (("cycles_" + c.id).equals(column)) return c;
    return null;
  }

  private static Actor actor(String column) {
    for (Actor a : Actor.values()) if (("cycles_" + a.id).equals(column)) return a;
    return null;
  }

  /** Sentences about a fleet table: per guest kind, what happens with and without ACCESS_PLATFORM. */
  static List<String> fleet(Table fleet) {
    List<String> out = new ArrayList<>();
    int platforms = fleet.stringColumn("platform").countUnique();
    for (boolean ap : new boolean[] {true, false}) {
      Table part = fleet.where(ap ? fleet.booleanColumn("access_platform").isTrue() : fleet.booleanColumn("access_platform").isFalse());
      List<String> lines = new ArrayList<>();
      for (Table g : part.splitOn("guest").asTableList()) {
        String guest = g.stringColumn("guest").get(0);
        Map<String, Integer> outcomes = new TreeMap<>();
        for (String o : g.stringColumn("outcome")) outcomes.merge(o, 1, Integer::sum);
        Table ok = g.where(g.stringColumn("outcome").isEqualTo("OK"));
        StringBuilder b = new StringBuilder("<code>").append(esc(guest)).append("</code>: ");
        List<String> parts = new ArrayList<>();
        for (var e : outcomes.entrySet()) {
          if (e.getKey().equals("OK")) continue;
          parts.add("<b class='" + e.getKey().toLowerCase(java.util.Locale.ROOT) + "'>" + esc(e.getKey()) + "</b> on "
              + (e.getValue() == platforms ? "every platform" : e.getValue() + " of " + platforms));
        }
        if (ok.rowCount() > 0) {
          Table sorted = ok.sortAscendingOn("slowdown_vs_direct");
          Row best = sorted.row(0), worst = sorted.row(sorted.rowCount() - 1);
          String runs = (ok.rowCount() == platforms ? "runs everywhere" : "runs on " + ok.rowCount() + " of " + platforms);
          if (Math.abs(worst.getDouble("slowdown_vs_direct") - best.getDouble("slowdown_vs_direct")) < 0.005) {
            runs += " at " + Fmt.ratio(best.getDouble("slowdown_vs_direct"));
          } else {
            runs += ", from " + Fmt.ratio(best.getDouble("slowdown_vs_direct")) + " (" + esc(best.getString("platform")) + ", "
                + code(best.getString("strategy")) + ") to " + Fmt.ratio(worst.getDouble("slowdown_vs_direct")) + " slower ("
                + esc(worst.getString("platform")) + ", " + code(worst.getString("strategy")) + ")";
          }
          parts.add(0, runs);
        }
        b.append(String.join("; ", parts)).append('.');
        lines.add(b.toString());
      }
      out.add("<b>" + (ap ? "The host offers ACCESS_PLATFORM" : "The host does not offer ACCESS_PLATFORM") + ":</b><ul><li>"
          + String.join("</li><li>", lines) + "</li></ul>");
    }
    return out;
  }
}
