package org.vqsim.analysis.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.vqsim.analysis.arrow.SummaryRow;
import tech.tablesaw.api.Row;
import tech.tablesaw.api.Table;

/**
 * One-line explanations of results a reader would otherwise doubt, computed from the rows: strategies
 * that behave as another one (and why, in the guest kernel's terms), strategies that come out faster
 * than {@code direct} or with a lower p99 (batching when the VMM thread is the bottleneck), and a
 * tail that equals the 99th percentile. Printed under the replay's table and in the report.
 */
public final class RunNotes {
  private RunNotes() {}

  /** What the notes need of a summary row. */
  public record Line(String strategy, double iops, double cycles, long p99, long p999, double vmmUtil, double exits, double interrupts) {}

  public static List<Line> lines(List<SummaryRow> rows) {
    List<Line> l = new ArrayList<>();
    for (SummaryRow r : rows) {
      l.add(new Line(r.strategy(), r.iops(), r.cyclesPerRequest(), r.latP99Ns(), r.latP999Ns(), r.vmmUtilMax(),
          r.eventsPerRequest()[org.vqsim.engine.cost.EventKind.EXITS.ordinal()], r.eventsPerRequest()[org.vqsim.engine.cost.EventKind.INTERRUPTS.ordinal()]));
    }
    return l;
  }

  public static List<Line> lines(Table summary) {
    List<Line> l = new ArrayList<>();
    boolean util = summary.columnNames().contains("vmm_util_max");
    for (Row r : summary) {
      l.add(new Line(r.getString("strategy"), r.getDouble("iops"), r.getDouble("cycles_per_request"), r.getLong("lat_p99_ns"), r.getLong("lat_p999_ns"),
          util ? r.getDouble("vmm_util_max") : Double.NaN, r.getDouble("exits_per_request"), r.getDouble("interrupts_per_request")));
    }
    return l;
  }

  /**
   * The notes for one replay's rows.
   *
   * @param options the run's options as recorded ({@code guest-kernel}, {@code viommu-batching})
   */
  public static List<String> of(List<Line> rows, Map<String, String> options) {
    Map<String, Line> by = new LinkedHashMap<>();
    for (Line r : rows) by.put(r.strategy(), r);
    List<String> notes = new ArrayList<>();
    String kernel = options.getOrDefault("guest-kernel", "6.1");
    boolean batching = Boolean.parseBoolean(options.getOrDefault("viommu-batching", "false"));
    List<String> sameAsStrict = new ArrayList<>();
    for (String[] pair : new String[][] {{"viommu-lazy", "viommu-strict"}, {"viommu-lazy+bounce", "viommu-strict+bounce"}}) {
      if (same(by.get(pair[0]), by.get(pair[1])) && !batching) sameAsStrict.add(pair[0]);
    }
    if (!sameAsStrict.isEmpty()) {
      notes.add(String.join(" and ", sameAsStrict) + " = strict: Linux 6.1 refuses to defer IOTLB flushes under a caching-mode vIOMMU "
          + "(\"IOMMU batching disallowed due to virtualization\"), so lazy falls back to strict; --viommu-batching models a host that allows it.");
    }
    List<String> vio = new ArrayList<>();
    for (String[] pair : new String[][] {{"virtio-iommu-lazy", "virtio-iommu"}, {"virtio-iommu-lazy+bounce", "virtio-iommu+bounce"}}) {
      if (same(by.get(pair[0]), by.get(pair[1]))) vio.add(pair[0]);
    }
    if (!vio.isEmpty()) {
      notes.add(String.join(" and ", vio) + " = strict: the guest's virtio-iommu driver has no flush queue before Linux 6.8 (this run: "
          + kernel + "), so lazy falls back to strict; --guest-kernel 6.8 models a newer guest.");
    }
    Line direct = by.get("direct");
    List<String> asDirect = new ArrayList<>();
    for (String s : new String[] {"viommu-passthrough", "virtio-iommu-bypass", "tce-bypass"}) if (same(by.get(s), direct)) asDirect.add(s);
    if (!asDirect.isEmpty()) {
      notes.add(String.join(", ", asDirect) + (asDirect.size() == 1 ? " costs" : " cost") + " what direct costs: the device's DMA is untranslated "
          + "and the guest maps nothing (dma-direct without bouncing).");
    }
    if (direct != null && direct.iops() > 0) {
      // each strategy against what it adds work to: X+bounce against X, the rest against direct
      List<String> faster = new ArrayList<>(), lowerTail = new ArrayList<>();
      double util = Double.NaN;
      for (Line r : rows) {
        String baseId = r.strategy().endsWith("+bounce") ? r.strategy().substring(0, r.strategy().length() - "+bounce".length()) : "direct";
        Line base = by.get(baseId);
        if (base == null || r == base || r.iops() <= 0 || r.cycles() <= base.cycles() * 1.001) continue;
        double slowdown = base.iops() / r.iops();
        if (slowdown < 0.995) {
          faster.add(String.format(Locale.ROOT, "%s (%.3f× of %s; exits %.2f → %.2f and interrupts %.2f → %.2f per request%s)", r.strategy(), slowdown, baseId,
              base.exits(), r.exits(), base.interrupts(), r.interrupts(), Double.isNaN(r.vmmUtil()) ? ""
              : String.format(Locale.ROOT, ", VMM thread busy %.1f%% → %.1f%%", 100 * base.vmmUtil(), 100 * r.vmmUtil())));
          util = base.vmmUtil();
        }
        if (r.p99() < base.p99() * 0.98) {
          lowerTail.add(String.format(Locale.ROOT, "%s (%s µs against %s's %s µs)", r.strategy(), Fmt.us(r.p99()), baseId, Fmt.us(base.p99())));
          if (Double.isNaN(util)) util = base.vmmUtil();
        }
      }
      boolean vmmBound = !Double.isNaN(util) && util >= 0.9;
      String busy = Double.isNaN(util) ? "" : String.format(Locale.ROOT, " (busy %.0f%%)", 100 * util);
      if (!faster.isEmpty()) {
        notes.add("Faster although they spend more cycles: " + String.join(", ", faster) + ". "
            + (vmmBound ? "The VMM thread limits throughput here, so throughput follows how much work it does per request and how much it idles: "
                + "a slower guest changes how requests batch per kick and interrupt (fewer of them per request leave the VMM less to do). "
                : "The difference comes from how requests batch per kick and interrupt, which a slower guest changes. ")
            + "Differences this small are batching, not DMA cost.");
      }
      if (!lowerTail.isEmpty()) {
        notes.add("A lower p99 although they spend more cycles: " + String.join(", ", lowerTail) + ". "
            + (vmmBound ? "Latency here is mostly queueing for the VMM thread" + busy + ", and how long a request queues depends on how submissions and "
                + "completions batch, which a slower guest changes: the order of the tails is batching, not DMA cost."
                : "How long a request waits depends on how submissions and completions batch, which a slower guest changes: the order of the tails is batching, not DMA cost."));
      }
    }
    long flat = rows.stream().filter(r -> r.p99() == r.p999()).count();
    if (rows.size() > 1 && flat * 2 >= rows.size()) {
      notes.add(String.format(Locale.ROOT, "p99 = p99.9 in %d of %d rows: every request of a kind costs the same here and the backend's latency "
          + "varies little or not at all (the profile's backend_service_distribution, and its guest_jitter_distribution if it has one), so the tail comes from queueing and batching alone.", flat, rows.size()));
    }
    return notes;
  }

  private static boolean same(Line a, Line b) {
    return a != null && b != null && Math.abs(a.cycles() - b.cycles()) < 0.5 && Math.abs(a.iops() - b.iops()) <= 1e-9 * Math.max(1, a.iops())
        && a.p99() == b.p99();
  }
}
