package org.vqsim.analysis.report;

import static org.vqsim.analysis.report.Html.esc;

import java.awt.Color;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.vqsim.analysis.report.charts.Charts;
import org.vqsim.analysis.report.charts.Palette;
import tech.tablesaw.api.Table;

/**
 * The report section of {@code vqsim reproduce}: which published results the model matches, which
 * it misses and why, and which it cannot run yet — per scenario its source in a sentence, the
 * published and modelled figures as paired bars, and the figures still waiting for a capability,
 * then every figure in one table. Readable without the papers.
 */
final class ReproduceSection {
  private ReproduceSection() {}

  static final Color PUBLISHED = Palette.categorical(9), MODELLED = Palette.categorical(0);

  /** A scenario's facts as the reproduce command records them in the file's metadata. */
  record About(String id, String title, String citation, String url, String summary) {}

  static Map<String, About> scenarios(ResultTable r) {
    Map<String, About> m = new LinkedHashMap<>();
    for (String line : r.meta("vqsim.reproduce.scenarios", "").split("\n")) {
      String[] p = line.split("\t", -1);
      if (p.length == 5) m.put(p[0], new About(p[0], p[1], p[2], p[3], p[4]));
    }
    return m;
  }

  static void write(Html h, ResultTable r, List<Charts.Sized> charts) {
    Table t = r.table();
    Map<String, About> about = scenarios(r);
    int rep = 0, off = 0, notYet = 0;
    for (String s : t.stringColumn("status")) {
      if (s.equals("reproduced")) rep++;
      else if (s.equals("off")) off++;
      else notYet++;
    }
    h.raw("<section id='reproduce'>");
    h.el("h2", "", "The model against the literature");
    h.el("p", "", String.format(Locale.ROOT, "%d published figures from %d experiments: %d reproduced, %d off, %d not yet reproducible. "
        + "Each experiment is a scenario file in published/ that records the figures exactly as published, the setup as published, how vqsim "
        + "maps it onto its options and why, and the tolerance that counts as reproduced, fixed before the scenario was first run. "
        + "Figures are mostly ratios between strategies, because absolute numbers depend on the hardware.",
        t.rowCount(), new java.util.LinkedHashSet<>(t.stringColumn("scenario").asList()).size(), rep, off, notYet));
    h.el("p", "muted", "Reproduced: the modelled value meets the figure's rule. Off: it does not; the reason says by how much and, where known, why. "
        + "Not yet reproducible: the experiment needs something vqsim does not model yet (named); it runs as soon as that lands. "
        + "A figure marked unverified was not read in its source text (it is second-hand).");
    List<String> order = new ArrayList<>();
    for (String s : t.stringColumn("scenario")) if (!order.contains(s)) order.add(s);
    for (String id : order) scenario(h, t, id, about.get(id), charts);
    table(h, t);
    h.raw("</section>\n");
  }

  private static void scenario(Html h, Table t, String id, About a, List<Charts.Sized> charts) {
    Table s = t.where(t.stringColumn("scenario").isEqualTo(id));
    h.raw("<section id='reproduce-" + esc(id) + "'>");
    h.el("h3", "", a == null ? id : a.title());
    if (a != null) {
      h.raw("<p class='muted'>" + esc(a.citation()) + (a.url().isEmpty() ? "" : " · <a href='" + esc(a.url()) + "'>source</a>")
          + " · scenario <code>" + esc(id) + "</code></p>\n");
      h.el("p", "", a.summary());
    }
    // paired bars, one chart per unit, of the figures that have a modelled value
    Map<String, List<Integer>> byUnit = new LinkedHashMap<>();
    for (int i = 0; i < s.rowCount(); i++) {
      if (s.doubleColumn("modelled").isMissing(i)) continue;
      byUnit.computeIfAbsent(s.stringColumn("unit").get(i), k -> new ArrayList<>()).add(i);
    }
    int n = 0;
    for (Map.Entry<String, List<Integer>> e : byUnit.entrySet()) {
      List<String> rows = new ArrayList<>();
      List<Integer> idx = e.getValue();
      double[][] v = new double[idx.size()][2];
      for (int k = 0; k < idx.size(); k++) {
        int i = idx.get(k);
        rows.add(s.stringColumn("figure").get(i) + " (" + s.stringColumn("status").get(i) + ")");
        v[k][0] = s.doubleColumn("published_value").get(i);
        v[k][1] = s.doubleColumn("modelled").get(i);
      }
      Charts.Sized c = Charts.grouped("reproduce-" + id + (n++ == 0 ? "" : "-" + n), "Published and modelled: " + e.getKey(), e.getKey(), rows,
          List.of("published (or the rule's threshold)", "modelled"), v, List.of(PUBLISHED, MODELLED));
      StringBuilder cap = new StringBuilder();
      for (int i : idx) {
        cap.append(s.stringColumn("figure").get(i)).append(": published “").append(s.stringColumn("published").get(i)).append("”, modelled ")
            .append(Fmt.small(s.doubleColumn("modelled").get(i))).append(' ').append(e.getKey()).append(" — ").append(s.stringColumn("status").get(i))
            .append(" (").append(tolerance(s.stringColumn("judge").get(i), s.doubleColumn("tolerance_pct").get(i))).append("). ");
      }
      ReportBuilder.figure(h, charts, c, cap.toString().strip());
    }
    List<String> items = new ArrayList<>();
    for (int i = 0; i < s.rowCount(); i++) {
      String status = s.stringColumn("status").get(i);
      String reason = s.stringColumn("reason").get(i);
      String head = "<b>" + esc(s.stringColumn("figure").get(i)) + "</b> (" + esc(s.stringColumn("published").get(i)) + "; relative to "
          + esc(s.stringColumn("relative_to").get(i)) + (s.booleanColumn("verified").get(i) ? "" : "; unverified") + "): ";
      if (status.equals("reproduced")) items.add(head + "reproduced.");
      else items.add(head + esc(status) + " — " + esc(reason));
    }
    h.open("ul", "class='reading'");
    for (String it : items) h.raw("<li>" + it + "</li>");
    h.close("ul");
    h.raw("</section>\n");
  }

  /** ±10%, ≤ +5%, ≥ −5%, or "≥ published" for a bound with no margin. */
  static String tolerance(String judge, double pct) {
    if (judge.equals("within")) return "±" + Fmt.small(pct) + "%";
    if (pct == 0) return judge.equals("at_most") ? "≤ published" : "≥ published";
    return (judge.equals("at_most") ? "≤ +" : "≥ −") + Fmt.small(pct) + "%";
  }

  private static void table(Html h, Table t) {
    h.el("h3", "", "Every figure");
    h.raw("<table class='events'><thead><tr><th>scenario</th><th>figure</th><th>kind</th><th>published</th><th>modelled</th><th>error</th>"
        + "<th>tolerance</th><th>status</th><th>verified</th></tr></thead><tbody>\n");
    for (int i = 0; i < t.rowCount(); i++) {
      boolean has = !t.doubleColumn("modelled").isMissing(i);
      String judge = t.stringColumn("judge").get(i);
      h.raw("<tr><td><code>" + esc(t.stringColumn("scenario").get(i)) + "</code></td><td>" + esc(t.stringColumn("figure").get(i)) + "</td><td>"
          + esc(t.stringColumn("published_kind").get(i)) + "</td><td>" + esc(t.stringColumn("published").get(i)) + "</td><td class='num'>"
          + (has ? esc(Fmt.small(t.doubleColumn("modelled").get(i)) + " " + t.stringColumn("unit").get(i)) : "—") + "</td><td class='num'>"
          + (t.doubleColumn("error_pct").isMissing(i) ? "—" : String.format(Locale.ROOT, "%+.1f%%", t.doubleColumn("error_pct").get(i))) + "</td><td class='num'>"
          + esc(tolerance(judge, t.doubleColumn("tolerance_pct").get(i))) + "</td><td>"
          + esc(t.stringColumn("status").get(i)) + "</td><td>" + (t.booleanColumn("verified").get(i) ? "yes" : "no") + "</td></tr>\n");
    }
    h.raw("</tbody></table>\n");
  }
}
