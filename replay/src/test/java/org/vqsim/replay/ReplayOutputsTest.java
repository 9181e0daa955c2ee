package org.vqsim.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vqsim.replay.Cli.read;
import static org.vqsim.replay.Cli.vqsim;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vqsim.capture.canonical.CanonicalTraceReader;
import org.vqsim.engine.sim.IoOp;
import org.vqsim.engine.sim.IoRequest;

/** generate → replay → the three result files of DESIGN.md §7, with their columns, types and one row per request. */
class ReplayOutputsTest {
  private static final int COUNT = 2000;
  private static final ArrowType UTF8 = ArrowType.Utf8.INSTANCE;
  private static final ArrowType INT32 = new ArrowType.Int(32, true);
  private static final ArrowType INT64 = new ArrowType.Int(64, true);
  private static final ArrowType FLOAT64 = new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);

  @TempDir static Path dir;
  static Path trace;
  static Path out;

  @BeforeAll
  static void generateAndReplay() {
    trace = dir.resolve("randrw.arrow");
    Cli.Result g = vqsim("generate", "--rw", "randrw", "--bs", "4k:70,64k:30", "--count", COUNT, "--seed", 5, "-o", trace);
    assertThat(g.code()).as("%s", g).isZero();
    assertThat(g.out()).contains("Wrote " + COUNT + " requests");
    out = dir.resolve("out");
    Cli.Result r = vqsim("replay", trace, "--strategy", "direct", "-o", out);
    assertThat(r.code()).as("%s", r).isZero();
    assertThat(r.out()).contains("Wrote").contains("summary.arrow").contains("latency.arrow").contains("requests.arrow");
  }

  @Test
  void replayWritesSummaryLatencyLocksAndRequestsAndNothingElse() throws IOException {
    assertThat(Cli.list(out)).containsExactly("latency.arrow", "locks.arrow", "requests.arrow", "summary.arrow");
  }

  private static void assertColumns(Schema s, Map<String, ArrowType> expected) {
    for (Map.Entry<String, ArrowType> e : expected.entrySet()) {
      Field f = s.getFields().stream().filter(x -> x.getName().equals(e.getKey())).findFirst().orElse(null);
      assertThat(f).as("column %s", e.getKey()).isNotNull();
      ArrowType t = f.getDictionary() != null ? UTF8 : f.getType();
      assertThat(t).as("type of %s", e.getKey()).isEqualTo(e.getValue());
    }
  }

  @Test
  void summaryHasTheDesignColumnsWithTheirTypes() throws IOException {
    Schema s = read(out.resolve("summary.arrow")).schema();
    Map<String, ArrowType> cols = new java.util.LinkedHashMap<>();
    for (String c : List.of("strategy", "profile", "trace", "ring", "backend")) cols.put(c, UTF8);
    cols.put("iodepth", INT32);
    for (String c : List.of("requests", "bytes", "sim_time_ns", "lat_p50_ns", "lat_p99_ns", "lat_p999_ns")) cols.put(c, INT64);
    for (String c : List.of("iops", "mib_per_s", "cycles_per_request", "slowdown_vs_direct",
        "maps_per_request", "unmaps_per_request", "bounces_per_request", "bounce_bytes_per_request", "invalidations_per_request",
        "iotlb_misses_per_request", "hypercalls_per_request", "exits_per_request", "interrupts_per_request",
        "cycles_ring", "cycles_notify", "cycles_interrupt", "cycles_map", "cycles_unmap", "cycles_invalidate", "cycles_iotlb_walk",
        "cycles_translate", "cycles_bounce_copy", "cycles_bounce_alloc", "cycles_hypercall", "cycles_device",
        "cycles_vcpu", "cycles_vmm", "cycles_iommu", "cycles_backend")) {
      cols.put(c, FLOAT64);
    }
    assertColumns(s, cols);
  }

  @Test
  void requestsHasTheDesignColumnsWithInt32CountsAndInt64BounceBytes() throws IOException {
    Schema s = read(out.resolve("requests.arrow")).schema();
    Map<String, ArrowType> cols = new java.util.LinkedHashMap<>();
    cols.put("strategy", UTF8);
    cols.put("request", INT64);
    cols.put("op", UTF8);
    cols.put("offset", INT64);
    cols.put("length", INT32);
    for (String c : List.of("submit_ns", "complete_ns", "latency_ns", "guest_cycles", "host_cycles")) cols.put(c, INT64);
    for (String c : List.of("maps", "unmaps", "bounces", "invalidations", "iotlb_misses", "hypercalls", "exits", "interrupts")) cols.put(c, INT32);
    cols.put("bounce_bytes", INT64);
    assertColumns(s, cols);
  }

  @Test
  void latencyHasHistogramBucketsPerStrategy() throws IOException {
    Cli.Table t = read(out.resolve("latency.arrow"));
    assertColumns(t.schema(), Map.of("strategy", UTF8, "bucket_low_ns", INT64, "bucket_high_ns", INT64, "count", INT64, "cumulative_count", INT64));
    assertThat(t.rows()).isNotEmpty();
    assertThat(t.column("strategy")).containsOnly("direct");
    long total = t.rows().stream().mapToLong(r -> (Long) r.get("count")).sum();
    assertThat(total).isEqualTo(COUNT);
    assertThat(t.rows().get(t.rows().size() - 1).get("cumulative_count")).isEqualTo((long) COUNT);
  }

  @Test
  void everyColumnCarriesAUnitAndADescription() throws IOException {
    for (String f : List.of("summary.arrow", "requests.arrow", "latency.arrow")) {
      for (Field field : read(out.resolve(f)).schema().getFields()) {
        assertThat(field.getMetadata()).as("%s %s", f, field.getName()).containsKeys("unit", "description");
      }
    }
  }

  @Test
  void requestsHasOneRowPerRequestOfTheTraceInOrder() throws IOException {
    Cli.Table t = read(out.resolve("requests.arrow"));
    assertThat(t.rows()).hasSize(COUNT);
    List<Object[]> expected = new ArrayList<>();
    try (CanonicalTraceReader r = new CanonicalTraceReader(trace)) {
      IoRequest q = new IoRequest();
      while (r.next(q)) expected.add(new Object[] {IoOp.letter(q.op), q.offset, q.length});
    }
    List<Map<String, Object>> rows = new ArrayList<>(t.rows());
    rows.sort(java.util.Comparator.comparingLong(m -> (Long) m.get("request")));
    for (int i = 0; i < COUNT; i++) {
      Map<String, Object> row = rows.get(i);
      assertThat(row.get("request")).isEqualTo((long) i);
      assertThat(row.get("strategy")).isEqualTo("direct");
      assertThat(new Object[] {row.get("op"), row.get("offset"), row.get("length")}).as("request %d", i).containsExactly(expected.get(i));
      assertThat((Long) row.get("latency_ns")).isEqualTo((Long) row.get("complete_ns") - (Long) row.get("submit_ns")).isPositive();
    }
  }

  @Test
  void summaryCountsEveryRequestOnce() throws IOException {
    Cli.Table t = read(out.resolve("summary.arrow"));
    assertThat(t.rows()).hasSize(1);
    Map<String, Object> s = t.rows().get(0);
    assertThat(s.get("strategy")).isEqualTo("direct");
    assertThat(s.get("requests")).isEqualTo((long) COUNT);
    assertThat(s.get("trace")).isEqualTo("randrw.arrow");
    assertThat(s.get("profile")).isEqualTo("x86-kvm");
    assertThat(s.get("iodepth")).isEqualTo(1);
    assertThat(s.get("slowdown_vs_direct")).isEqualTo(1.0);
    long bytes = read(out.resolve("requests.arrow")).rows().stream().mapToLong(r -> (Integer) r.get("length")).sum();
    assertThat(s.get("bytes")).isEqualTo(bytes);
  }

  @Test
  void resultFilesRecordHowTheyWereMade() throws IOException {
    for (String f : List.of("summary.arrow", "requests.arrow", "latency.arrow")) {
      Map<String, String> m = read(out.resolve(f)).schema().getCustomMetadata();
      assertThat(m).as(f).containsEntry("vqsim.version", "0.1.0").containsEntry("vqsim.command", "replay")
          .containsEntry("vqsim.profile", "x86-kvm").containsKeys("vqsim.options", "vqsim.seed");
      assertThat(m.get("vqsim.options")).doesNotContain(out.toString());
    }
  }

  @Test
  void generatedTraceRecordsTheGeneratorOptions() throws IOException {
    try (CanonicalTraceReader r = new CanonicalTraceReader(trace)) {
      assertThat(r.metadata()).containsEntry("vqsim.version", "0.1.0").containsEntry("vqsim.command", "generate")
          .containsEntry("vqsim.seed", "5").containsEntry("vqsim.iodepth", "1").containsEntry("vqsim.arrival", "closed");
      assertThat(r.metadata().get("vqsim.options")).contains("--rw=randrw").contains("--bs=4k:70,64k:30");
    }
  }

  @Test
  void theSameReplayTwiceGivesByteIdenticalFiles() throws IOException {
    Path a = dir.resolve("det-a"), b = dir.resolve("det-b");
    assertThat(vqsim("replay", trace, "--iodepth", 8, "-o", a).code()).isZero();
    assertThat(vqsim("replay", trace, "--iodepth", 8, "-o", b).code()).isZero();
    for (String f : List.of("summary.arrow", "latency.arrow", "requests.arrow")) {
      assertThat(Files.mismatch(a.resolve(f), b.resolve(f))).as(f).isEqualTo(-1L);
    }
  }

  @Test
  void generateTwiceWithTheSameSeedGivesTheSameBytes() throws IOException {
    Path a = dir.resolve("g-a.arrow"), b = dir.resolve("g-b.arrow");
    assertThat(vqsim("generate", "--rw", "randrw", "--bs", "4k:70,64k:30", "--count", COUNT, "--seed", 5, "-o", a).code()).isZero();
    assertThat(vqsim("generate", "--rw", "randrw", "--bs", "4k:70,64k:30", "--count", COUNT, "--seed", 5, "-o", b).code()).isZero();
    assertThat(Files.mismatch(a, b)).isEqualTo(-1L);
    assertThat(Files.mismatch(a, trace)).isEqualTo(-1L);
  }

  @Test
  void summaryOnlyLeavesOutTheRequests() throws IOException {
    Path o = dir.resolve("summary-only");
    assertThat(vqsim("replay", trace, "--summary-only", "-o", o).code()).isZero();
    assertThat(Cli.list(o)).containsExactly("latency.arrow", "locks.arrow", "summary.arrow");
  }

  // --- the real lab trace and queue depth (samples/qemu-lab/README.md) ---

  @Test
  void labRandread4kAtDepthOneTakesOneKickAndOneInterruptPerRequest() throws IOException {
    Path lab = Cli.samples().resolve("qemu-lab/randread4k.direct.guest-ftrace.txt.gz");
    Path o = dir.resolve("lab");
    Cli.Result r = vqsim("replay", lab, "--strategy", "direct", "-o", o);
    assertThat(r.code()).as("%s", r).isZero();
    Map<String, Object> s = read(o.resolve("summary.arrow")).rows().get(0);
    assertThat(s.get("requests")).isEqualTo(400L);
    assertThat(s.get("iodepth")).isEqualTo(1);
    assertThat(s.get("bytes")).isEqualTo(400L * 4096);
    assertThat(s.get("exits_per_request")).isEqualTo(1.0);
    assertThat(s.get("interrupts_per_request")).isEqualTo(1.0);
    assertThat(read(o.resolve("requests.arrow")).rows()).hasSize(400)
        .allSatisfy(q -> assertThat(q).containsEntry("exits", 1).containsEntry("interrupts", 1).containsEntry("length", 4096));
  }

  @Test
  void deepQueueSuppressesKicks() throws IOException {
    Path t = dir.resolve("qd32.arrow");
    assertThat(vqsim("generate", "--rw", "randread", "--bs", "4k", "--iodepth", 32, "--count", 5000, "-o", t).code()).isZero();
    Path o = dir.resolve("qd32");
    assertThat(vqsim("replay", t, "-o", o).code()).isZero();
    Map<String, Object> s = read(o.resolve("summary.arrow")).rows().get(0);
    assertThat(s.get("iodepth")).as("the trace's own depth").isEqualTo(32);
    assertThat(s.get("requests")).isEqualTo(5000L);
    assertThat((Double) s.get("exits_per_request")).isLessThan(1.0);
  }

  @Test
  void replayIodepthOverridesTheTracesDepth() throws IOException {
    Path o = dir.resolve("qd16");
    assertThat(vqsim("replay", trace, "--iodepth", 16, "-o", o).code()).isZero();
    assertThat(read(o.resolve("summary.arrow")).rows().get(0).get("iodepth")).isEqualTo(16);
  }
}
