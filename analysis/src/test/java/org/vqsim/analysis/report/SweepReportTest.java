package org.vqsim.analysis.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vqsim.analysis.arrow.ResultFiles;
import org.vqsim.analysis.arrow.ResultSchemas;
import org.vqsim.analysis.arrow.SummaryRow;
import org.vqsim.engine.cost.Actor;
import org.vqsim.engine.cost.Category;
import org.vqsim.engine.cost.EventKind;

/** The sweep section: a chart per metric × swept parameter, and crossovers computed from the rows and stated in words. */
class SweepReportTest {
  @TempDir Path tmp;

  static final List<String> BS = List.of("4k", "16k", "64k", "256k");
  static final List<Integer> DEPTHS = List.of(1, 16);
  static final List<String> RINGS = List.of("split", "packed");
  static final List<String> STRATEGIES = List.of("direct", "bounce", "viommu-strict");

  /** Cycles per request: bounce costs more than viommu-strict up to 16 KiB and less from 64 KiB; p99 flips only at depth 16. */
  static double cycles(String s, int kib) {
    return switch (s) {
      case "direct" -> 20_000 + kib * 50.0;
      case "bounce" -> 200_000 + kib * 500.0;
      default -> 100_000 + kib * 3_000.0;
    };
  }

  static SummaryRow row(String s, int kib, int depth, String ring) {
    double cyc = cycles(s, kib);
    double iops = 3e9 / cyc;
    long p99 = (long) (depth == 16 && s.equals("direct") && kib >= 64 ? 5e6 : cyc * 10);
    double[] cat = new double[Category.COUNT];
    cat[Category.DEVICE.ordinal()] = cyc;
    double[] actor = new double[Actor.COUNT];
    actor[Actor.VCPU.ordinal()] = cyc;
    return new SummaryRow(s, "x86-kvm", "generated:randread," + kib + "k", ring, "qemu", depth, 1, 1, 1000, 1000L * kib * 1024, (long) (1000 / iops * 1e9), iops,
        iops * kib / 1024.0, p99 * 0.8, p99 / 2, p99, p99, p99, cyc, cyc / kib, cyc, 0, null, null, new double[EventKind.COUNT], 0, 0, 0, 0.5, 0.5, 0.9,
        lockWait(s, kib, depth), lockWait(s, kib, depth) > 0 ? "vtd.qi_lock" : "", cat, actor);
  }

  /** Only viommu-strict at depth 16 waits for a lock (the invalidation queue's), longer for larger requests. */
  static double lockWait(String s, int kib, int depth) {
    return s.equals("viommu-strict") && depth == 16 ? 1_000.0 * kib : 0;
  }

  static Path writeSweep(Path dir) throws Exception {
    java.nio.file.Files.createDirectories(dir);
    List<SummaryRow> rows = new ArrayList<>();
    List<Map<String, String>> params = new ArrayList<>();
    for (String bs : BS) {
      for (int d : DEPTHS) {
        for (String ring : RINGS) {
          SummaryRow direct = row("direct", Integer.parseInt(bs.replace("k", "")), d, ring);
          for (String s : STRATEGIES) {
            rows.add(row(s, Integer.parseInt(bs.replace("k", "")), d, ring).against(direct));
            Map<String, String> p = new LinkedHashMap<>();
            p.put("bs", bs);
            p.put("iodepth", Integer.toString(d));
            params.add(p);
          }
        }
      }
    }
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("vqsim.kind", ResultSchemas.KIND_SWEEP);
    meta.put("vqsim.version", "0.1.0-test");
    meta.put("vqsim.command", "sweep");
    meta.put("vqsim.sweep", "traces = \ngenerate = --rw randread --count 1000\nstrategy = direct, bounce, viommu-strict\nring = split, packed\n"
        + "profile = x86-kvm\nparam.bs = 4k; 16k; 64k; 256k\nparam.iodepth = 1; 16\nreplay = \n");
    ResultFiles.writeSweep(dir.resolve(ResultFiles.SWEEP), List.of("bs"), params, rows, meta);
    return dir;
  }

  @Test
  void dimensionsComeFromTheSweepFileAndTheColumns() throws Exception {
    ResultTable t = ResultTable.read(writeSweep(tmp).resolve(ResultFiles.SWEEP));
    List<SweepAnalysis.Dim> dims = SweepAnalysis.dims(t);
    assertThat(dims).extracting(SweepAnalysis.Dim::name).containsExactly("bs", "iodepth", "ring");
    assertThat(dims.get(0).values()).containsExactly("4k", "16k", "64k", "256k");
    assertThat(dims.get(0).numeric()).isTrue();
    assertThat(dims.get(0).label("64k")).isEqualTo("64 KiB");
    assertThat(dims.get(2).numeric()).isFalse();
  }

  @Test
  void crossoversAreFoundWhereTheOrderFlipsAndStatedInWords() throws Exception {
    ResultTable t = ResultTable.read(writeSweep(tmp).resolve(ResultFiles.SWEEP));
    List<SweepAnalysis.Dim> dims = SweepAnalysis.dims(t);
    List<SweepAnalysis.Crossover> cyc = SweepAnalysis.crossovers(t.table(), dims, dims.get(0), SweepAnalysis.CYCLES);
    assertThat(cyc).hasSize(1);
    SweepAnalysis.Crossover c = cyc.get(0);
    assertThat(c.winner()).isEqualTo("bounce");
    assertThat(c.loser()).isEqualTo("viommu-strict");
    assertThat(c.slices()).hasSize(4);
    assertThat(SweepAnalysis.sentence(c, dims.subList(1, 3), 4)).isEqualTo("<code>bounce</code> becomes cheaper than <code>viommu-strict</code>"
        + " in cycles per request above bs 16 KiB (the order flips between 16 KiB and 64 KiB), at every iodepth and ring.");
    // p99: direct falls behind bounce at depth 16 only, from 64 KiB on
    List<SweepAnalysis.Crossover> p99 = SweepAnalysis.crossovers(t.table(), dims, dims.get(0), SweepAnalysis.P99);
    assertThat(p99).anySatisfy(x -> {
      assertThat(x.winner()).isEqualTo("bounce");
      assertThat(x.loser()).isEqualTo("direct");
      assertThat(SweepAnalysis.sentence(x, dims.subList(1, 3), 4)).contains("above bs 16 KiB").endsWith("at iodepth 16 only.");
    });
    // along iodepth nothing but p99 changes order
    assertThat(SweepAnalysis.crossovers(t.table(), dims, dims.get(1), SweepAnalysis.CYCLES)).isEmpty();
  }

  @Test
  void tiesAndMissingPointsAreNotFlips() {
    assertThat(SweepAnalysis.better(100, 101, true)).isZero();
    assertThat(SweepAnalysis.better(100, 110, true)).isEqualTo(1);
    assertThat(SweepAnalysis.better(100, 110, false)).isEqualTo(-1);
    assertThat(SweepAnalysis.better(Double.NaN, 110, true)).isZero();
  }

  @Test
  void reportHasAChartPerMetricAndParameterAndTheSentences() throws Exception {
    ReportInputs in = ReportInputs.scan(writeSweep(tmp));
    ReportBuilder.Rendered r = ReportBuilder.build(in, ReportBuilderTest.WHEN);
    String html = r.html();
    ReportBuilderTest.assertSelfContained(html);
    // bs and iodepth are numeric: 4 metrics each; ring (two values) is held fixed or drawn as panels
    assertThat(r.charts()).extracting(Charts -> Charts.name()).containsExactly(
        "sweep-cycles-per-request-vs-bs", "sweep-iops-vs-bs", "sweep-lat-p99-ns-vs-bs", "sweep-slowdown-vs-direct-vs-bs",
        "sweep-cycles-per-request-vs-iodepth", "sweep-iops-vs-iodepth", "sweep-lat-p99-ns-vs-iodepth", "sweep-slowdown-vs-direct-vs-iodepth");
    assertThat(ReportBuilderTest.countSvgsWithPaths(html)).isEqualTo(8);
    assertThat(html).contains("<code>bounce</code> becomes cheaper than <code>viommu-strict</code> in cycles per request above bs 16 KiB");
    assertThat(html).contains("<code>bounce</code> becomes faster than <code>viommu-strict</code> in IOPS above bs 16 KiB");
    assertThat(html).contains("one panel per iodepth").contains("ring split held fixed");
    assertThat(html).contains("<b>ring</b> (split or packed) changes cycles per request by less than 1%");
    assertThat(html).contains("48 = 3 strategies × 4 bs values × 2 iodepth values × 2 rings");
    assertThat(html).doesNotContain("Cost profiles: every figure");
    // every row says which lock it waited for most, and how long per request
    assertThat(html).contains("<th>waits most for</th>");
    assertThat(html).contains("data-col='lock_wait_ns_per_request' data-value='256000.0'>256,000</td><td><code>vtd.qi_lock</code></td>");
    assertThat(html.split("<code>vtd.qi_lock</code>", -1)).hasSize(4 * 2 + 1); // viommu-strict at depth 16: 4 bs × 2 rings
    assertThat(html.split("no lock waited for", -1)).hasSize(48 - 8 + 1);
  }
}
