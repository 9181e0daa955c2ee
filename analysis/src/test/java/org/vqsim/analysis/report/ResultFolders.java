package org.vqsim.analysis.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vqsim.analysis.arrow.FleetRow;
import org.vqsim.analysis.arrow.ResultFiles;
import org.vqsim.analysis.arrow.ResultSchemas;
import org.vqsim.analysis.arrow.SummaryRow;
import org.vqsim.analysis.arrow.TableWriter;
import org.vqsim.engine.cost.Actor;
import org.vqsim.engine.cost.Category;
import org.vqsim.engine.cost.EventKind;

/** Small result folders written with the real writers, with figures chosen so that every report claim can be checked. */
final class ResultFolders {
  private ResultFolders() {}

  /** A strategy's figures: IOPS, p99 in ns, and cycles per request by category (the rest derived). */
  record Fig(String strategy, double iops, long p99Ns, Map<Category, Double> cycles) {}

  static Map<String, String> meta(String kind, String profile) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("vqsim.kind", kind);
    m.put("vqsim.version", "0.1.0-test");
    m.put("vqsim.command", "replay");
    m.put("vqsim.options", "--trace=t.arrow --strategy=direct,viommu-strict,tce-bypass --profile=" + profile + " --iodepth=32 --queue-size=256 --ring=split");
    m.put("vqsim.seed", "7");
    m.put("vqsim.trace", "t.arrow");
    m.put("vqsim.profile", profile);
    m.put("vqsim.profile.figures", "cpu_ghz=3\nkick_exit_cycles=2500\n");
    m.put("vqsim.profile.sources", "cpu_ghz: assumption: nominal clock\nkick_exit_cycles: derived: kvm-unit-tests outl_to_kernel\n");
    m.put("vqsim.cost_overrides", "");
    return m;
  }

  /** The default three-strategy run: direct, an emulated vIOMMU dominated by invalidations, and a predicted bypass. */
  static List<Fig> threeStrategies(double scale) {
    return List.of(
        new Fig("direct", 200_000 * scale, 200_000, Map.of(Category.RING, 1000.0, Category.NOTIFY, 4000.0, Category.DEVICE, 10_000.0)),
        new Fig("viommu-strict", 20_000 * scale, 1_000_000, Map.of(Category.RING, 1000.0, Category.NOTIFY, 4000.0, Category.DEVICE, 10_000.0,
            Category.INVALIDATE, 150_000.0, Category.MAP, 30_000.0, Category.IOTLB_WALK, 5_000.0)),
        new Fig("tce-bypass", 199_000 * scale, 201_000, Map.of(Category.RING, 1000.0, Category.NOTIFY, 4000.0, Category.DEVICE, 10_500.0)));
  }

  static List<SummaryRow> rows(String profile, List<Fig> figs) {
    long n = 10_000;
    List<SummaryRow> rows = new ArrayList<>();
    SummaryRow direct = null;
    for (Fig f : figs) {
      double[] cat = new double[Category.COUNT];
      double total = 0;
      for (var e : f.cycles().entrySet()) {
        cat[e.getKey().ordinal()] = e.getValue();
        total += e.getValue();
      }
      double[] actor = new double[Actor.COUNT];
      actor[Actor.VCPU.ordinal()] = total * 0.3;
      actor[Actor.VMM.ordinal()] = total * 0.2;
      actor[Actor.IOMMU.ordinal()] = total * 0.4;
      actor[Actor.BACKEND.ordinal()] = total * 0.1;
      double[] events = new double[EventKind.COUNT];
      events[EventKind.EXITS.ordinal()] = 1;
      events[EventKind.INTERRUPTS.ordinal()] = 1;
      if (f.strategy().startsWith("viommu")) {
        events[EventKind.MAPS.ordinal()] = 3;
        events[EventKind.UNMAPS.ordinal()] = 3;
        events[EventKind.INVALIDATIONS.ordinal()] = 6;
      }
      long bytes = n * 4096;
      long simNs = (long) (n / f.iops() * 1e9);
      SummaryRow r = new SummaryRow(f.strategy(), profile, "t.arrow", "split", "qemu", 32, 1, 1, n, bytes, simNs, f.iops(), f.iops() * 4096 / 1048576.0,
          f.p99Ns() * 0.8, (long) (f.p99Ns() * 0.75), f.p99Ns(), (long) (f.p99Ns() * 1.2), (long) (f.p99Ns() * 1.5),
          total, total / 4, total * 0.3, total * 0.7, null, null, events, 0.5, 0, 0, 0.5, 0.5, 0.9, 0, "", cat, actor);
      if (f.strategy().equals("direct")) direct = r;
      rows.add(r);
    }
    List<SummaryRow> out = new ArrayList<>();
    for (SummaryRow r : rows) out.add(direct == null ? r : r.against(direct));
    return out;
  }

  /** Writes summary.arrow and latency.arrow (a spread of buckets around each strategy's p99) into {@code dir}. */
  static List<SummaryRow> writeRun(Path dir, String profile, List<Fig> figs) throws IOException {
    java.nio.file.Files.createDirectories(dir);
    List<SummaryRow> rows = rows(profile, figs);
    ResultFiles.writeSummary(dir.resolve(ResultFiles.SUMMARY), rows, meta(ResultSchemas.KIND_SUMMARY, profile));
    try (TableWriter w = new TableWriter(dir.resolve(ResultFiles.LATENCY), ResultSchemas.latency(meta(ResultSchemas.KIND_LATENCY, profile)))) {
      for (SummaryRow r : rows) {
        long total = r.requests(), cum = 0;
        int buckets = 400;
        for (int b = 0; b < buckets; b++) {
          long count = total / buckets + (b < total % buckets ? 1 : 0);
          long low = r.latP50Ns() / 2 + b * (r.latP99Ns() / buckets), high = low + 63;
          cum += count;
          w.setString(0, r.strategy());
          w.setLong(1, low);
          w.setLong(2, high);
          w.setLong(3, count);
          w.setLong(4, cum);
          w.setDouble(5, (double) cum / total);
          w.endRow();
        }
      }
    }
    return rows;
  }

  /** A fleet folder: fleet.arrow over two platforms, with an x86 and a POWER profile sub-folder. */
  static void writeFleet(Path dir) throws IOException {
    writeRun(dir.resolve("x86-kvm"), "x86-kvm", threeStrategies(1).subList(0, 2));
    writeRun(dir.resolve("power9-kvm"), "power9-kvm", List.of(threeStrategies(1).get(0), threeStrategies(1).get(2)));
    List<FleetRow> rows = new ArrayList<>();
    for (String p : List.of("x86-intel-iommu", "pseries-tce-bypass")) {
      String prof = p.startsWith("x86") ? "x86-kvm" : "power9-kvm";
      String with = p.startsWith("x86") ? "viommu-strict" : "tce-bypass";
      double slow = p.startsWith("x86") ? 10.0 : 200_000 / 199_000.0;
      rows.add(new FleetRow(p, false, "legacy", "OK", "direct", "no ACCESS_PLATFORM", prof, 200_000.0, 1.0));
      rows.add(new FleetRow(p, false, "secure-old", "BROKEN", null, "device is handed private memory", prof, null, null));
      rows.add(new FleetRow(p, true, "legacy", "FAILED", null, "FEATURES_OK is refused", prof, null, null));
      rows.add(new FleetRow(p, true, "secure-old", "OK", with, "DMA API", prof, 200_000 / slow, slow));
    }
    Map<String, String> m = meta(ResultSchemas.KIND_FLEET, "");
    m.put("vqsim.command", "fleet");
    m.put("vqsim.options", "--trace=t.arrow --platform=all --guest=all");
    ResultFiles.writeFleet(dir.resolve(ResultFiles.FLEET), rows, m);
  }
}
