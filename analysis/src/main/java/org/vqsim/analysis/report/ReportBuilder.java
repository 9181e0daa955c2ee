package org.vqsim.analysis.report;

import static org.vqsim.analysis.report.Html.esc;

import java.awt.Color;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.vqsim.analysis.report.charts.ChartImage;
import org.vqsim.analysis.report.charts.Charts;
import org.vqsim.analysis.report.charts.Palette;
import org.vqsim.engine.Version;
import org.vqsim.engine.cost.Actor;
import org.vqsim.engine.cost.Category;
import org.vqsim.engine.cost.EventKind;
import tech.tablesaw.api.Row;
import tech.tablesaw.api.Table;

/**
 * Builds the self-contained HTML report of a result folder: inline CSS, inline SVG charts
 * (JFreeChart drawn through JFreeSVG), no script, no external resource, printable. The charts are
 * also returned so that the caller can write them as PNG.
 */
public final class ReportBuilder {
  private ReportBuilder() {}

  /** The page and the charts on it (named for PNG export). */
  public record Rendered(String html, List<Charts.Sized> charts) {}

  /** Points per latency CDF: enough for a smooth curve, few enough that a report stays small. */
  static final int CDF_POINTS = 300;

  /** The report of {@code in}; {@code generated} is shown as the date (null: no date). */
  public static Rendered build(ReportInputs in, Instant generated) {
    List<Charts.Sized> charts = new ArrayList<>();
    Html h = new Html();
    String title = title(in);
    head(h, title);
    h.open("header", "");
    h.el("h1", "", title);
    ResultTable any = in.any();
    String when = generated == null ? "" : " on " + DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT).format(generated.atZone(ZoneOffset.UTC));
    h.el("p", "class='sub'", "Folder " + in.root().toAbsolutePath().normalize() + " · results written by vqsim " + any.meta("vqsim.version", "?")
        + " (" + any.meta("vqsim.command", "?") + ") · report made by vqsim " + Version.VERSION + when);
    h.close("header");

    // contents, when there is more than one section
    List<String[]> toc = new ArrayList<>();
    if (in.fleet() != null) toc.add(new String[] {"fleet", "Fleet: guest kind × platform"});
    if (in.sweep() != null) toc.add(new String[] {"sweep", "Sweep: curves and crossovers"});
    if (in.reproduce() != null) toc.add(new String[] {"reproduce", "The model against the literature"});
    if (in.validation() != null) toc.add(new String[] {"validation", "Observed vs modelled"});
    for (int i = 0; i < in.runs().size(); i++) toc.add(new String[] {"run" + i, runHeading(in.runs().get(i))});
    if (!in.netRuns().isEmpty()) toc.add(new String[] {"net", "Network runs (virtio-net)"});
    if (!in.runs().isEmpty()) toc.add(new String[] {"profiles", "Cost profiles: every figure and its source"});
    toc.add(new String[] {"notes", "How to read this report"});
    if (toc.size() > 3) {
      h.open("nav", "");
      h.el("h2", "", "Contents");
      h.open("ol", "");
      for (String[] t : toc) h.raw("<li><a href='#" + t[0] + "'>" + esc(t[1]) + "</a></li>");
      h.close("ol");
      h.close("nav");
    }
    if (in.fleet() != null) fleetSection(h, in, charts);
    if (in.sweep() != null) sweepSection(h, in.sweep(), charts);
    if (in.reproduce() != null) ReproduceSection.write(h, in.reproduce(), charts);
    if (in.validation() != null) validationSection(h, in.validation());
    for (int i = 0; i < in.runs().size(); i++) runSection(h, in.runs().get(i), "run" + i, in.runs().size() > 1, charts);
    if (!in.netRuns().isEmpty()) netSection(h, in);
    if (!in.runs().isEmpty()) profilesSection(h, in); // a sweep alone carries no profile figures
    notes(h);
    h.raw("</main></body></html>\n");
    return new Rendered(h.toString(), List.copyOf(charts));
  }

  /** Network replays: per strategy packets per second, Gb/s, latency and the per-packet costs and events. */
  private static void netSection(Html h, ReportInputs in) {
    h.raw("<section id='net'>");
    h.el("h2", "", "Network runs (virtio-net)");
    h.el("p", "class='muted'", "Each table is one packet trace replayed under every strategy (summary.arrow of the folder): packets per simulated second, "
        + "frame Gb/s, mean packet latency, cycles per packet on the guest's vCPUs and on the host, and DMA events per packet (transmitted + received).");
    String[][] cols = {{"strategy", "strategy"}, {"pps", "pps"}, {"gbit_per_s", "Gb/s"}, {"latency_mean_ns", "latency µs"}, {"cycles_guest_per_packet", "guest cyc/pkt"},
        {"cycles_host_per_packet", "host cyc/pkt"}, {"maps_per_packet", "maps"}, {"bounces_per_packet", "bounces"}, {"invalidations_per_packet", "invalidations"},
        {"kicks_per_packet", "kicks"}, {"device_interrupts_per_packet", "interrupts"}, {"refill_failures", "refill failures"}};
    for (ReportInputs.Run r : in.netRuns()) {
      Table t = r.summary().table();
      String opts = r.summary().meta("vqsim.options", "");
      Matcher m = Pattern.compile("--trace=(\\S+)").matcher(opts);
      Matcher pr = Pattern.compile("--profile=(\\S+)").matcher(opts);
      Matcher be = Pattern.compile("--backend=(\\S+)").matcher(opts);
      h.el("h3", "", (r.name().isEmpty() ? "" : r.name() + ": ") + (m.find() ? m.group(1) : "?") + " on " + r.summary().meta("vqsim.profile", pr.find() ? pr.group(1) : "?")
          + (be.find() ? ", " + be.group(1) + " backend" : ""));
      StringBuilder b = new StringBuilder("<table><thead><tr>");
      for (String[] c : cols) b.append("<th>").append(esc(c[1])).append("</th>");
      b.append("</tr></thead><tbody>");
      for (int i = 0; i < t.rowCount(); i++) {
        b.append("<tr>");
        for (String[] c : cols) {
          if (!t.columnNames().contains(c[0])) {
            b.append("<td>-</td>");
            continue;
          }
          var col = t.column(c[0]);
          String v;
          if (c[0].equals("strategy")) v = String.valueOf(col.get(i));
          else {
            double d = ((Number) col.get(i)).doubleValue();
            if (c[0].equals("latency_mean_ns")) d /= 1000.0;
            v = c[0].equals("pps") || c[0].startsWith("cycles") || c[0].equals("refill_failures") ? String.format(Locale.ROOT, "%,.0f", d)
                : String.format(Locale.ROOT, "%.2f", d);
          }
          b.append(c[0].equals("strategy") ? "<td>" : "<td class='num'>").append(esc(v)).append("</td>");
        }
        b.append("</tr>");
      }
      b.append("</tbody></table>");
      h.raw(b.toString());
      if (r.locks() != null) netLocks(h, t, r.locks().table());
    }
    h.raw("</section>");
  }

  /** A network run's locks.arrow: per strategy the lock it waited for most, and its wait per packet. */
  private static void netLocks(Html h, Table summary, Table locks) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < summary.rowCount(); i++) {
      String strategy = summary.stringColumn("strategy").get(i);
      long packets = summary.longColumn("packets").get(i);
      String most = null;
      long wait = 0;
      for (Row k : locks) {
        if (!k.getString("strategy").equals(strategy) || k.getLong("wait_ns_total") <= wait) continue;
        wait = k.getLong("wait_ns_total");
        most = k.getString("lock");
      }
      if (most == null) continue;
      b.append(b.length() == 0 ? "" : "; ").append("<code>").append(esc(Summaries.label(strategy))).append("</code> on <code>").append(esc(most))
          .append("</code> (").append(Fmt.count(packets == 0 ? 0 : wait / (double) packets)).append(" ns per packet)");
    }
    h.raw(b.length() == 0 ? "<p class='muted'>Locks (locks.arrow): no strategy waited for any lock.</p>"
        : "<p class='muted'>Lock each strategy waited for most (locks.arrow): " + b + ".</p>");
  }

  static String title(ReportInputs in) {
    if (in.fleet() != null) {
      String trace = in.fleet().meta("vqsim.options", "");
      Matcher m = Pattern.compile("--trace=(\\S+)").matcher(trace);
      return "vqsim fleet report" + (m.find() ? ": " + m.group(1) : "");
    }
    if (in.sweep() != null && in.runs().isEmpty()) return "vqsim sweep report";
    if (in.reproduce() != null && in.runs().isEmpty() && in.netRuns().isEmpty()) return "vqsim reproduce: published experiments beside the model";
    if (in.validation() != null && in.runs().isEmpty() && in.netRuns().isEmpty()) return "vqsim validation report";
    if (in.runs().isEmpty() && !in.netRuns().isEmpty()) return "vqsim network report: " + in.netRuns().size() + " run" + (in.netRuns().size() == 1 ? "" : "s");
    if (in.runs().size() == 1 && in.netRuns().isEmpty()) return "vqsim report: " + in.runs().get(0).trace() + " on " + in.runs().get(0).profile();
    int net = in.netRuns().size();
    return "vqsim report: " + (in.runs().size() + net) + " runs" + (net == 0 ? "" : " (" + net + " network)");
  }

  private static String runHeading(ReportInputs.Run r) {
    String base = r.trace() + " on " + r.profile();
    return r.name().isEmpty() || r.name().equals(r.profile()) ? base : r.name() + ": " + base;
  }

  // ---------------------------------------------------------------- page

  private static void head(Html h, String title) {
    h.raw("<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>\n");
    h.raw("<meta name='viewport' content='width=device-width, initial-scale=1'>\n");
    h.raw("<meta name='generator' content='vqsim " + esc(Version.VERSION) + "'>\n");
    h.el("title", "", title);
    h.raw("\n<style>\n").raw(CSS).raw("</style></head>\n<body><main>\n");
  }

  static final String CSS = """
      :root { --fg:#1d1d1f; --muted:#5f6368; --line:#d9d9de; --bg-alt:#f6f7f9; --ok:#e6f4ea; --warn:#fef3d6; --bad:#fde2df;
              --failed:#b3261e; --broken:#a15c00; }
      * { box-sizing: border-box; }
      body { margin: 0; color: var(--fg); background: #fff; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; }
      main { max-width: 1000px; margin: 0 auto; padding: 24px 28px 48px; }
      h1 { font-size: 26px; margin: 0 0 4px; }
      h2 { font-size: 21px; margin: 40px 0 10px; padding-top: 12px; border-top: 2px solid var(--fg); }
      h3 { font-size: 16px; margin: 26px 0 8px; }
      p.sub, .muted, figcaption { color: var(--muted); }
      p.sub { margin: 0 0 16px; font-size: 13px; }
      code { font: 13px/1.3 "DejaVu Sans Mono", ui-monospace, monospace; background: var(--bg-alt); padding: 0 3px; border-radius: 3px; }
      nav ol { margin: 0; padding-left: 22px; columns: 2; }
      nav h2 { border: 0; margin-top: 8px; }
      dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 3px 16px; margin: 0; }
      dl.facts dt { font-weight: 600; }
      dl.facts dd { margin: 0; overflow-wrap: anywhere; }
      dd code.opts { display: block; white-space: pre-wrap; font-size: 12px; padding: 4px 6px; }
      ul.reading { padding-left: 20px; margin: 6px 0; }
      ul.reading li { margin: 3px 0; }
      table { border-collapse: collapse; width: 100%; font-size: 13.5px; margin: 6px 0 4px; font-variant-numeric: tabular-nums; }
      th, td { padding: 4px 8px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
      th { background: var(--bg-alt); font-weight: 600; border-bottom: 2px solid var(--line); }
      th.num, td.num { text-align: right; white-space: nowrap; }
      th[scope=row] { background: none; font-weight: 400; border-bottom: 1px solid var(--line); white-space: nowrap; }
      tr.baseline td, tr.baseline th { background: #f1f3f4; }
      dd code { white-space: nowrap; }
      dd code.opts { white-space: pre-wrap; }
      td.slow { font-weight: 600; }
      td.slow.warn { background: var(--warn); }
      td.slow.bad { background: var(--bad); }
      td.worse { background: var(--bad); font-weight: 600; }
      td.better { background: var(--ok); }
      table.events th, table.events td { padding: 4px 5px; font-size: 12.5px; }
      table.events th.num { white-space: normal; }
      table.compare td { font-size: 12.5px; line-height: 1.35; padding: 4px 5px; }
      tr.run th { background: var(--bg-alt); text-align: left; font-weight: 600; }
      .unit { font-weight: 400; color: var(--muted); font-size: 12px; }
      figure { margin: 18px 0 8px; break-inside: avoid; page-break-inside: avoid; }
      figure svg { width: 100%; height: auto; display: block; max-width: 880px; }
      figcaption { font-size: 13px; margin-top: 2px; }
      table.matrix { table-layout: fixed; }
      table.matrix col.platform { width: 190px; } table.matrix col.ap { width: 120px; }
      table.matrix td { text-align: center; font-size: 13px; }
      table.matrix th[scope=row] { white-space: nowrap; }
      table.matrix td .st { display: block; font-size: 11.5px; color: var(--muted); overflow-wrap: anywhere; }
      table.matrix td .sd { font-weight: 600; font-size: 14px; }
      td.cell-ok { background: var(--ok); }
      td.cell-warn { background: var(--warn); }
      td.cell-bad { background: var(--bad); }
      td.cell-failed { background: repeating-linear-gradient(135deg, #fff, #fff 5px, #f7d4d0 5px, #f7d4d0 10px); color: var(--failed); font-weight: 700; }
      td.cell-broken { background: repeating-linear-gradient(45deg, #fff, #fff 5px, #f8e2c4 5px, #f8e2c4 10px); color: var(--broken); font-weight: 700; }
      b.failed { color: var(--failed); } b.broken { color: var(--broken); }
      ol.reasons { font-size: 13px; color: var(--muted); }
      .legend span { display: inline-block; padding: 1px 8px; margin-right: 6px; font-size: 12.5px; border: 1px solid var(--line); }
      table.profile td:nth-child(3) { color: var(--muted); font-size: 12.5px; }
      .warning { border-left: 4px solid var(--broken); background: var(--warn); padding: 6px 10px; }
      section { break-before: auto; }
      @media print {
        main { max-width: none; padding: 0; }
        body { font-size: 11pt; }
        h2 { break-after: avoid; } h3 { break-after: avoid; }
        tr, figure, dl.facts { break-inside: avoid; }
        nav { display: none; }
        a { color: inherit; text-decoration: none; }
      }
      """;

  // ---------------------------------------------------------------- one replay

  private static void runSection(Html h, ReportInputs.Run run, String id, boolean several, List<Charts.Sized> charts) {
    Table s = run.summary().table();
    String prefix = several ? (run.name().isEmpty() ? id : run.name()) + "-" : "";
    h.raw("<section id='" + id + "'>");
    h.el("h2", "", runHeading(run));
    whatWasRun(h, run);
    h.el("h3", "", "Reading");
    h.open("ul", "class='reading'");
    for (String sentence : Reading.run(s)) h.raw("<li>" + sentence + "</li>");
    for (String note : RunNotes.of(RunNotes.lines(s), options(run.summary().meta("vqsim.options", "")))) h.raw("<li>" + Html.esc(note) + "</li>");
    h.close("ul");
    if (run.latency() != null) latencyCheck(h, run);
    h.el("h3", "", "Headline per strategy");
    headline(h, s);
    if (s.rowCount() == 0) {
      h.raw("</section>");
      return;
    }
    List<String> ids = Summaries.strategies(s);
    List<String> labels = ids.stream().map(Summaries::label).toList();
    String runTitle = several ? " — " + (run.name().isEmpty() ? run.profile() : run.name()) : "";

    List<Charts.Throughput> tp = new ArrayList<>();
    for (Row r : s) tp.add(new Charts.Throughput(r.getString("strategy"), Summaries.label(r.getString("strategy")), r.getDouble("iops"), r.getDouble("mib_per_s")));
    figure(h, charts, Charts.throughput(prefix + "throughput", "Throughput per strategy" + runTitle, tp),
        "Simulated requests per second (bar) and MiB/s (label) for the same trace under each DMA strategy. Higher is better.");

    if (run.latency() != null) {
      List<Charts.Curve> curves = new ArrayList<>();
      for (String sid : ids) {
        double[][] c = Summaries.cdf(run.latency().table(), sid, CDF_POINTS);
        if (c[0].length > 0) curves.add(new Charts.Curve(sid, Summaries.label(sid), c[0], c[1]));
      }
      figure(h, charts, Charts.latencyCdf(prefix + "latency-cdf", "Latency CDF per strategy" + runTitle, curves),
          "Share of requests completed within a given latency (from latency.arrow's histogram buckets, 3 significant digits). "
              + "Curves further left are faster; the top of each curve is the tail. Dashed: strategies that bounce through swiotlb. "
              + "Strategies with the same latencies draw over each other (the headline table lists them all).");
    }

    List<String> catNames = new ArrayList<>();
    List<Color> catColors = new ArrayList<>();
    for (Category c : Category.values()) {
      catNames.add(c.id);
      catColors.add(Palette.categorical(c.ordinal()));
    }
    figure(h, charts, Charts.stacked(prefix + "cycles-by-category", "Where the cycles go, by category" + runTitle, "cycles per request (guest + host)",
        labels, catNames, matrix(s, Category.values().length, i -> "cycles_" + Category.values()[i].id), catColors),
        "Cycles per request from the cycle ledger, by what they are spent on (categories with no cycles in any strategy are left out). "
            + "See the notes at the end for what each category counts.");

    List<String> actorNames = new ArrayList<>();
    List<Color> actorColors = List.of(new Color(0x4e79a7), new Color(0xf28e2b), new Color(0xe15759), new Color(0x76b7b2));
    for (Actor a : Actor.values()) actorNames.add(actorLabel(a));
    figure(h, charts, Charts.stacked(prefix + "cycles-by-actor", "Where the cycles go, by actor" + runTitle, "cycles per request",
        labels, actorNames, matrix(s, Actor.values().length, i -> "cycles_" + Actor.values()[i].id), actorColors),
        "The same cycles split by who spends them: the guest vCPU, the VMM (QEMU or vhost) device model, the host's IOMMU emulation, and the storage backend.");

    List<EventKind> kinds = Summaries.eventKinds();
    List<String> kindNames = kinds.stream().map(k -> k.id).toList();
    List<Color> kindColors = new ArrayList<>();
    for (int i = 0; i < kinds.size(); i++) kindColors.add(Palette.categorical(i));
    double[][] events = matrix(s, kinds.size(), i -> kinds.get(i).id + "_per_request");
    figure(h, charts, Charts.stacked(prefix + "dma-events", "DMA-path events per request" + runTitle, "events per request (mean), stacked by kind",
        labels, kindNames, events, kindColors),
        "Mean count per request of each DMA-path event, stacked: the bar's length is all events a request causes. "
            + "Kinds that never occur are left out; the table below gives each mean.");
    eventsTable(h, s, kinds);
    if (run.locks() != null) contention(h, run, s, prefix, runTitle, labels, charts);
    h.raw("</section>\n");
  }

  /**
   * Scaling and contention: per strategy, how busy the vCPUs and the VMM threads were, the time spent
   * waiting for each lock per request (a chart), and the lock that limits it: the one it waits for most.
   */
  private static void contention(Html h, ReportInputs.Run run, Table s, String prefix, String runTitle, List<String> labels, List<Charts.Sized> charts) {
    Table locks = run.locks().table();
    if (locks.rowCount() == 0) return;
    List<String> ids = Summaries.strategies(s);
    List<String> names = new ArrayList<>();
    for (String n : locks.stringColumn("lock")) if (!names.contains(n)) names.add(n);
    double[][] waits = new double[ids.size()][names.size()];
    String[] limiting = new String[ids.size()];
    double[] limitingNs = new double[ids.size()];
    for (Row r : locks) {
      int i = ids.indexOf(r.getString("strategy"));
      if (i < 0) continue;
      double requests = Summaries.row(s, r.getString("strategy")).row(0).getLong("requests");
      double perReq = requests == 0 ? 0 : r.getLong("wait_ns_total") / requests;
      waits[i][names.indexOf(r.getString("lock"))] = perReq;
      if (perReq > limitingNs[i]) {
        limitingNs[i] = perReq;
        limiting[i] = r.getString("lock");
      }
    }
    h.el("h3", "", "Scaling and contention");
    Row first = s.row(0);
    h.el("p", "", "The guest has " + first.getInt("vcpus") + (first.getInt("vcpus") == 1 ? " vCPU" : " vCPUs") + " and the device " + first.getInt("queues")
        + (first.getInt("queues") == 1 ? " queue" : " queues") + ". A server near 100% busy limits throughput; the lock a strategy waits for most is the one "
        + "that limits it as vCPUs are added (a guest spinlock's wait is vCPU cycles, a QEMU mutex's is time).");
    h.raw("<table class='events'><thead><tr><th>strategy</th>" + th("busiest vCPU", "busy") + th("vCPUs", "mean busy") + th("busiest VMM thread", "busy")
        + th("lock wait", "ns / request") + "<th>waits most for</th></tr></thead><tbody>\n");
    for (int i = 0; i < ids.size(); i++) {
      Row r = Summaries.row(s, ids.get(i)).row(0);
      h.raw("<tr><th scope='row'><code>" + esc(labels.get(i)) + "</code></th>");
      cell(h, "vcpu_util_max", r.getDouble("vcpu_util_max"), Fmt.pct(r.getDouble("vcpu_util_max")), "");
      cell(h, "vcpu_util_mean", r.getDouble("vcpu_util_mean"), Fmt.pct(r.getDouble("vcpu_util_mean")), "");
      cell(h, "vmm_util_max", r.getDouble("vmm_util_max"), Fmt.pct(r.getDouble("vmm_util_max")), "");
      cell(h, "lock_wait_ns_per_request", r.getDouble("lock_wait_ns_per_request"), Fmt.count(r.getDouble("lock_wait_ns_per_request")), "");
      h.raw("<td>" + (limiting[i] == null ? "<span class='muted'>no lock waited for</span>" : "<code>" + esc(limiting[i]) + "</code> ("
          + Fmt.count(limitingNs[i]) + " ns per request)") + "</td></tr>\n");
    }
    h.raw("</tbody></table>\n");
    boolean anyWait = false;
    for (double[] w : waits) for (double v : w) anyWait |= v > 0;
    if (!anyWait) {
      h.el("p", "class='muted'", "No strategy waited for any lock: nothing contends at this size.");
      return;
    }
    List<Color> colors = new ArrayList<>();
    for (int k = 0; k < names.size(); k++) colors.add(Palette.categorical(k));
    figure(h, charts, Charts.stacked(prefix + "lock-wait", "Lock waits per request" + runTitle, "ns waited per request, by lock", labels, names, waits, colors),
        "Time each request spent waiting for each lock (locks.arrow: wait_ns_total over the requests), stacked by lock. "
            + "Spinlocks are the guest's (their waits are vCPU cycles, cycles_lock_wait); mutexes are QEMU's (their waits add latency only).");
  }

  private static void eventsTable(Html h, Table s, List<EventKind> kinds) {
    List<EventKind> shown = new ArrayList<>();
    for (EventKind k : kinds) if (s.numberColumn(k.id + "_per_request").max() > 0) shown.add(k);
    shown.add(EventKind.BOUNCE_BYTES);
    h.raw("<table class='events'><thead><tr><th>strategy</th>");
    for (EventKind k : shown) h.raw(th(k.id.replace('_', ' '), k == EventKind.BOUNCE_BYTES ? "bytes / request" : "per request"));
    h.raw("</tr></thead><tbody>\n");
    for (Row r : s) {
      h.raw("<tr><th scope='row'><code>" + esc(Summaries.label(r.getString("strategy"))) + "</code></th>");
      for (EventKind k : shown) {
        double v = r.getDouble(k.id + "_per_request");
        cell(h, k.id + "_per_request", v, k == EventKind.BOUNCE_BYTES ? Fmt.count(v) : Fmt.small(v), "");
      }
      h.raw("</tr>\n");
    }
    h.raw("</tbody></table>\n");
  }

  static String actorLabel(Actor a) {
    return switch (a) {
      case VCPU -> "guest vCPU";
      case VMM -> "VMM / vhost";
      case IOMMU -> "IOMMU emulation";
      case BACKEND -> "storage backend";
    };
  }

  private interface ColumnName {
    String of(int i);
  }

  private static double[][] matrix(Table s, int n, ColumnName name) {
    double[][] v = new double[s.rowCount()][n];
    for (int i = 0; i < n; i++) {
      var col = s.numberColumn(name.of(i));
      for (int r = 0; r < s.rowCount(); r++) v[r][i] = col.getDouble(r);
    }
    return v;
  }

  static void figure(Html h, List<Charts.Sized> charts, Charts.Sized c, String caption) {
    charts.add(c);
    h.raw("<figure id='fig-" + esc(c.name()) + "'>");
    h.raw(ChartImage.svg(c, "c" + charts.size()));
    h.el("figcaption", "", caption);
    h.raw("</figure>\n");
  }

  private static void whatWasRun(Html h, ReportInputs.Run run) {
    Table s = run.summary().table();
    ResultTable rt = run.summary();
    Map<String, String> opts = options(rt.meta("vqsim.options", ""));
    h.el("h3", "", "What was run");
    h.open("dl", "class='facts'");
    long requests = s.rowCount() == 0 ? 0 : (long) s.numberColumn("requests").getDouble(0);
    long bytes = s.rowCount() == 0 ? 0 : (long) s.numberColumn("bytes").getDouble(0);
    String shape = Fmt.count(requests) + " requests per strategy" + (requests > 0 ? ", mean " + Fmt.num(bytes / 1024.0 / requests, 1) + " KiB, "
        + Fmt.num(bytes / 1048576.0, 1) + " MiB in all" : "");
    fact(h, "Trace", "<code>" + esc(run.trace()) + "</code> — " + esc(shape));
    if (s.rowCount() > 0) {
      Row r0 = s.row(0);
      String loop = opts.getOrDefault("arrival", "closed");
      fact(h, "Queue", esc(r0.getString("ring")) + " ring" + (opts.containsKey("queue-size") ? ", " + esc(opts.get("queue-size")) + " entries" : "")
          + (opts.containsKey("event-idx") ? ", event index " + onOff(opts.get("event-idx")) : "")
          + (opts.containsKey("indirect") ? ", indirect descriptors " + onOff(opts.get("indirect")) : "")
          + "; " + (loop.equals("captured") ? "arrival as captured (the trace's issue times, at most " + r0.getInt("iodepth") + " in flight as observed)"
              : esc(loop) + " loop, iodepth " + r0.getInt("iodepth")));
      fact(h, "Backend", esc(r0.getString("backend")) + (opts.containsKey("guest-kernel") ? "; guest kernel " + esc(opts.get("guest-kernel")) : ""));
    }
    List<String> strat = new ArrayList<>();
    for (String id : Summaries.strategies(s)) strat.add("<code>" + esc(Summaries.label(id)) + "</code>");
    fact(h, "Strategies", s.rowCount() + ": " + String.join(" ", strat));
    String overrides = rt.meta("vqsim.cost_overrides", "");
    fact(h, "Cost profile", "<code>" + esc(run.profile()) + "</code>" + (overrides.isEmpty() ? " (no --cost overrides)" : " with --cost " + esc(overrides))
        + " — <a href='#profile-" + esc(run.profile()) + "'>every figure and its source</a>");
    fact(h, "Seed", esc(rt.meta("vqsim.seed", "?")));
    fact(h, "vqsim", esc(rt.meta("vqsim.version", "?")) + ", command <code>" + esc(rt.meta("vqsim.command", "?")) + "</code>");
    fact(h, "Options", "<code class='opts'>" + esc(rt.meta("vqsim.options", "")) + "</code>");
    h.close("dl");
  }

  private static String onOff(String v) {
    return "true".equals(v) ? "on" : "false".equals(v) ? "off" : esc(v);
  }

  private static void fact(Html h, String term, String html) {
    h.raw("<dt>" + esc(term) + "</dt><dd>" + html + "</dd>\n");
  }

  /** {@code --key=value} options of the metadata (values run to the next option). */
  static Map<String, String> options(String s) {
    Map<String, String> m = new LinkedHashMap<>();
    Matcher mt = Pattern.compile("(?:^|\\s)--([A-Za-z0-9_.-]+)=(.*?)(?=\\s--[A-Za-z0-9_.-]+=|$)").matcher(s);
    while (mt.find()) m.put(mt.group(1), mt.group(2).strip());
    return m;
  }

  /** A warning when latency.arrow does not count the same requests as summary.arrow (a damaged or mixed folder). */
  private static void latencyCheck(Html h, ReportInputs.Run run) {
    Table totals = Summaries.latencyTotals(run.latency().table());
    Table s = run.summary().table();
    List<String> off = new ArrayList<>();
    for (Row r : s) {
      Table t = totals.where(totals.stringColumn("strategy").isEqualTo(r.getString("strategy")));
      double n = t.rowCount() == 0 ? 0 : t.numberColumn(1).getDouble(0);
      if ((long) n != (long) r.getNumber("requests")) off.add(r.getString("strategy"));
    }
    if (!off.isEmpty()) {
      h.raw("<p class='warning'>latency.arrow does not count the requests summary.arrow reports for " + esc(String.join(", ", off))
          + ": the two files may come from different runs.</p>");
    }
  }

  private static void headline(Html h, Table s) {
    h.raw("<table class='headline'><thead><tr><th>strategy</th>"
        + th("IOPS", "req/s") + th("MiB/s", "") + th("p50", "µs") + th("p99", "µs") + th("p99.9", "µs")
        + th("cycles", "per request") + th("cycles", "per KiB") + th("slowdown", "vs direct") + "</tr></thead><tbody>\n");
    for (Row r : s) {
      String id = r.getString("strategy");
      boolean base = id.equals(Summaries.BASELINE);
      h.raw("<tr data-strategy='" + esc(id) + "'" + (base ? " class='baseline'" : "") + "><th scope='row'><code>" + esc(Summaries.label(id)) + "</code></th>");
      cell(h, "iops", r.getDouble("iops"), Fmt.count(r.getDouble("iops")), "");
      cell(h, "mib_per_s", r.getDouble("mib_per_s"), Fmt.num(r.getDouble("mib_per_s"), 1), "");
      cell(h, "lat_p50_ns", r.getNumber("lat_p50_ns"), Fmt.us(r.getNumber("lat_p50_ns")), "");
      cell(h, "lat_p99_ns", r.getNumber("lat_p99_ns"), Fmt.us(r.getNumber("lat_p99_ns")), "");
      cell(h, "lat_p999_ns", r.getNumber("lat_p999_ns"), Fmt.us(r.getNumber("lat_p999_ns")), "");
      cell(h, "cycles_per_request", r.getDouble("cycles_per_request"), Fmt.count(r.getDouble("cycles_per_request")), "");
      cell(h, "cycles_per_kib", r.getDouble("cycles_per_kib"), Fmt.count(r.getDouble("cycles_per_kib")), "");
      double slow = r.getDouble("slowdown_vs_direct");
      String cls = Double.isNaN(slow) ? "" : slow >= 2 ? " slow bad" : slow >= 1.2 ? " slow warn" : "";
      cell(h, "slowdown_vs_direct", slow, Fmt.ratio(slow), cls);
      h.raw("</tr>\n");
    }
    h.raw("</tbody></table>\n");
    h.raw("<p class='muted'>Slowdown = direct's IOPS ÷ this strategy's IOPS on the same trace and profile. Cycles are guest plus host cycles "
        + "from the cycle ledger. Latencies from HdrHistogram (3 significant digits). † a prediction no lab trace can check.</p>\n");
  }

  private static String th(String name, String unit) {
    return "<th class='num'>" + esc(name) + (unit.isEmpty() ? "" : "<br><span class='unit'>" + esc(unit) + "</span>") + "</th>";
  }

  static void cell(Html h, String col, double raw, String shown, String cls) {
    h.raw("<td class='num" + cls + "' data-col='" + col + "' data-value='" + (Double.isNaN(raw) ? "" : String.format(Locale.ROOT, "%s", raw)) + "'>"
        + esc(shown) + "</td>");
  }

  // ---------------------------------------------------------------- fleet

  private static void fleetSection(Html h, ReportInputs in, List<Charts.Sized> charts) {
    Table fleet = in.fleet().table();
    h.raw("<section id='fleet'>");
    h.el("h2", "", "Fleet: what each guest kind gets on each platform");
    h.el("p", "", "Each platform is replayed with and without the host offering VIRTIO_F_ACCESS_PLATFORM; the guest kind decides what it "
        + "negotiates and which DMA strategy it ends up with. Options: " + in.fleet().meta("vqsim.options", ""));
    h.el("h3", "", "Reading");
    h.open("ul", "class='reading'");
    for (String s : Reading.fleet(fleet)) h.raw("<li>" + s + "</li>");
    h.close("ul");

    Table joined = fleet;
    if (!in.runs().isEmpty()) {
      List<Table> sums = new ArrayList<>();
      for (ReportInputs.Run r : in.runs()) sums.add(r.summary().table());
      joined = Summaries.fleetWithSummaries(fleet, Summaries.union(sums));
    }
    List<String> platforms = fleet.stringColumn("platform").unique().asList();
    List<String> order = new ArrayList<>();
    for (String p : fleet.stringColumn("platform")) if (!order.contains(p)) order.add(p);
    List<String> guests = new ArrayList<>();
    for (String g : fleet.stringColumn("guest")) if (!guests.contains(g)) guests.add(g);
    List<String> reasons = new ArrayList<>();
    h.el("h3", "", "Outcome and slowdown against direct on the same platform");
    h.raw("<p class='legend'><span class='cell-ok' style='background:var(--ok)'>under 1.2×</span><span style='background:var(--warn)'>1.2× to 2×</span>"
        + "<span style='background:var(--bad)'>2× or more</span><span class='failed' style='color:var(--failed);font-weight:700'>FAILED: the device does not come up</span>"
        + "<span style='color:var(--broken);font-weight:700'>BROKEN: it comes up and cannot work</span></p>");
    h.raw("<table class='matrix'><colgroup><col class='platform'><col class='ap'>" + "<col>".repeat(guests.size()) + "</colgroup>");
    h.raw("<thead><tr><th>platform</th><th>ACCESS_<wbr>PLATFORM</th>");
    for (String g : guests) h.raw("<th>" + esc(g) + "</th>");
    h.raw("</tr></thead><tbody>\n");
    for (String p : order.isEmpty() ? platforms : order) {
      for (boolean ap : new boolean[] {false, true}) {
        h.raw("<tr><th scope='row'>" + esc(p) + "</th><td>" + (ap ? "offered" : "not offered") + "</td>");
        for (String g : guests) {
          Table cell = joined.where(joined.stringColumn("platform").isEqualTo(p)
              .and(ap ? joined.booleanColumn("access_platform").isTrue() : joined.booleanColumn("access_platform").isFalse())
              .and(joined.stringColumn("guest").isEqualTo(g)));
          if (cell.rowCount() == 0) {
            h.raw("<td>–</td>");
            continue;
          }
          Row c = cell.row(0);
          String outcome = c.getString("outcome");
          String attrs = "data-platform='" + esc(p) + "' data-ap='" + ap + "' data-guest='" + esc(g) + "' data-outcome='" + esc(outcome) + "'";
          if (!outcome.equals("OK")) {
            String reason = c.getString("reason");
            int k = reasons.indexOf(reason);
            if (k < 0) {
              reasons.add(reason);
              k = reasons.size() - 1;
            }
            h.raw("<td class='cell-" + outcome.toLowerCase(Locale.ROOT) + "' " + attrs + ">" + esc(outcome) + "<sup>" + (k + 1) + "</sup></td>");
            continue;
          }
          double slow = c.getDouble("slowdown_vs_direct");
          String cls = Double.isNaN(slow) ? "" : slow >= 2 ? "cell-bad" : slow >= 1.2 ? "cell-warn" : "cell-ok";
          StringBuilder b = new StringBuilder("<td class='" + cls + "' " + attrs + "><span class='sd'>" + esc(Fmt.ratio(slow)) + "</span>");
          b.append("<span class='st'>").append(esc(Summaries.label(c.getString("strategy")))).append("</span>");
          if (joined.columnNames().contains("lat_p99_ns")) {
            double p99 = c.getNumber("lat_p99_ns");
            if (p99 > 0) b.append("<span class='st'>p99 ").append(esc(Fmt.us(p99))).append(" µs</span>");
          }
          h.raw(b.append("</td>").toString());
        }
        h.raw("</tr>\n");
      }
    }
    h.raw("</tbody></table>\n");
    if (!reasons.isEmpty()) {
      h.open("ol", "class='reasons'");
      for (String r : reasons) h.el("li", "", r);
      h.close("ol");
    }
    h.raw("<p class='muted'>Slowdown = direct's IOPS ÷ the guest's IOPS on the platform's cost profile. p99 from that profile's summary.arrow. "
        + "† a prediction no lab trace can check. The per-profile sections below hold every strategy the fleet replayed.</p>");
    h.raw("</section>\n");
  }

  // ---------------------------------------------------------------- sweep

  private static void sweepSection(Html h, ResultTable sweep, List<Charts.Sized> charts) {
    SweepSection.write(h, sweep, charts);
  }

  /** A number, with k/m/g suffixes (4k = 4096); null when it is not one. */
  static Double parseNumber(String s) {
    if (s == null || s.isBlank()) return null;
    String v = s.strip().toLowerCase(Locale.ROOT);
    long mult = 1;
    char last = v.charAt(v.length() - 1);
    if (last == 'k' || last == 'm' || last == 'g') {
      mult = last == 'k' ? 1024L : last == 'm' ? 1024L * 1024 : 1024L * 1024 * 1024;
      v = v.substring(0, v.length() - 1);
    }
    try {
      return Double.parseDouble(v) * mult;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  // ---------------------------------------------------------------- profiles and notes

  private static void profilesSection(Html h, ReportInputs in) {
    h.raw("<section id='profiles'>");
    h.el("h2", "", "Cost profiles: every figure and its source");
    h.el("p", "muted", "Each cost figure the model charges, with its value and where it comes from (a measurement, a derivation or a stated "
        + "assumption), as recorded in summary.arrow's metadata (vqsim.profile.figures, vqsim.profile.sources).");
    java.util.Set<String> shown = new java.util.HashSet<>();
    for (ReportInputs.Run r : in.runs()) {
      String name = r.profile();
      String figures = r.summary().meta("vqsim.profile.figures", "");
      String key = name + "\n" + figures + "\n" + r.summary().meta("vqsim.cost_overrides", "");
      if (!shown.add(key)) continue;
      boolean first = shown.stream().noneMatch(k -> !k.equals(key) && k.startsWith(name + "\n"));
      h.raw("<h3 id='" + (first ? "profile-" + esc(name) : "") + "'>" + esc(name) + "</h3>");
      Map<String, String> values = new LinkedHashMap<>();
      for (String line : figures.split("\n")) {
        int eq = line.indexOf('=');
        if (eq > 0) values.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
      }
      Map<String, String> sources = new LinkedHashMap<>();
      for (String line : r.summary().meta("vqsim.profile.sources", "").split("\n")) {
        int colon = line.indexOf(": ");
        if (colon > 0) sources.put(line.substring(0, colon).strip(), line.substring(colon + 2).strip());
      }
      String overrides = r.summary().meta("vqsim.cost_overrides", "");
      if (!overrides.isEmpty()) h.raw("<p>Overridden with <code>--cost " + esc(overrides) + "</code>.</p>");
      h.raw("<table class='profile'><thead><tr><th>figure</th><th class='num'>value</th><th>source</th></tr></thead><tbody>\n");
      java.util.Set<String> keys = new java.util.LinkedHashSet<>(values.keySet());
      keys.addAll(sources.keySet());
      for (String k : keys) {
        h.raw("<tr><td><code>" + esc(k) + "</code></td><td class='num'>" + esc(values.getOrDefault(k, "")) + "</td><td>"
            + esc(sources.getOrDefault(k, "")) + "</td></tr>\n");
      }
      h.raw("</tbody></table>\n");
    }
    if (in.runs().isEmpty()) h.el("p", "", "No summary.arrow in this folder, so no profile to show.");
    h.raw("</section>\n");
  }

  /** validation.arrow: what the captured run observed against what the model did, events and (validate --timing) time. */
  private static void validationSection(Html h, ResultTable v) {
    h.raw("<section id='validation'>");
    h.el("h2", "", "Observed vs modelled");
    String opts = v.meta("vqsim.options", "");
    h.el("p", "muted", "vqsim validate compared a captured run with the model (" + opts + "). Event rows are means per request; the timing rows "
        + "(latency_mean_ns, latency_p50_ns, latency_p99_ns per request kind, throughput_per_s) are the run's figures, observed in the capture "
        + "and modelled by replaying it with the profile. Error = (modelled − observed) / observed.");
    h.raw("<table><thead><tr><th>metric</th><th>source</th><th>strategy</th><th class='num'>observed</th><th class='num'>modelled</th>"
        + "<th class='num'>error</th></tr></thead><tbody>\n");
    for (Row r : v.table()) {
      double err = r.getDouble("error_pct");
      boolean timing = r.getString("metric").startsWith("latency_") || r.getString("metric").startsWith("throughput_");
      String cls = Double.isNaN(err) ? "" : Math.abs(err) <= 10 ? " style='background:var(--ok)'" : Math.abs(err) <= 25 ? " style='background:var(--warn)'"
          : " style='background:var(--bad)'";
      h.raw("<tr><td><code>" + esc(r.getString("metric")) + "</code></td><td>" + esc(r.getString("source")) + "</td><td>" + esc(r.getString("strategy"))
          + "</td><td class='num'>" + esc(num(r.getDouble("observed_per_request"), timing)) + "</td><td class='num'>"
          + esc(num(r.getDouble("modelled_per_request"), timing)) + "</td><td class='num'" + cls + ">"
          + (Double.isNaN(err) ? "–" : esc(String.format(Locale.ROOT, "%+.1f%%", err))) + "</td></tr>\n");
    }
    h.raw("</tbody></table>\n");
    h.raw("</section>\n");
  }

  private static String num(double v, boolean timing) {
    if (Double.isNaN(v)) return "–";
    if (timing) return v >= 1e3 && !Double.isInfinite(v) ? Fmt.count(v) : String.format(Locale.ROOT, "%.1f", v);
    return String.format(Locale.ROOT, v == Math.rint(v) ? "%.0f" : "%.2f", v);
  }

  private static void notes(Html h) {
    h.raw("<section id='notes'>");
    h.el("h2", "", "How to read this report");
    h.open("ul", "class='reading'");
    h.raw("<li>All figures are simulated: vqsim replays the trace through a cycle-accounted model of the virtqueue and the DMA path, once per "
        + "strategy. IOPS and MiB/s are requests and bytes per simulated second; latencies are submission to completion as the guest sees them.</li>");
    h.raw("<li>In a network run a request is a packet: its rates are packets/s and Gb/s (frame bytes per simulated second), and its "
        + "per-request figures are per packet, transmitted and received together.</li>");
    h.raw("<li>Latency percentiles spread only as far as the profile lets them: by the backend's service-time distribution and, in a "
        + "calibrated profile, the guest's jitter distribution (both drawn per request from the seed). A profile with neither gives "
        + "every request of a kind the same latency, so p50, p99 and p99.9 then coincide.</li>");
    h.raw("<li><b>Cycles</b> are CPU cycles of guest and host together, per request, from the cycle ledger; <b>per KiB</b> divides by the data moved.</li>");
    h.raw("<li><b>Slowdown vs direct</b> = direct's IOPS ÷ this strategy's IOPS on the same trace and profile (1.00× = as fast).</li>");
    h.raw("<li>† marks a prediction: a strategy no lab trace can check (for example the proposed POWER TCE bypass for virtio-pci).</li>");
    h.raw("</ul>");
    h.raw("<table><thead><tr><th>name</th><th>what it counts</th></tr></thead><tbody>");
    for (Category c : Category.values()) h.raw("<tr><td><code>" + esc(c.id) + "</code></td><td>" + esc(c.description) + "</td></tr>");
    for (Actor a : Actor.values()) h.raw("<tr><td>" + esc(actorLabel(a)) + "</td><td>actor: " + esc(a.description) + "</td></tr>");
    for (EventKind e : EventKind.values()) h.raw("<tr><td><code>" + esc(e.id) + "</code></td><td>event: " + esc(e.description) + "</td></tr>");
    h.raw("</tbody></table></section>\n");
  }
}
