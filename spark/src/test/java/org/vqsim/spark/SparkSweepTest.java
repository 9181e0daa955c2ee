package org.vqsim.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vqsim.replay.Main;

/**
 * The Spark path in local mode produces exactly what the local engine produces: the same sweep.arrow
 * bytes, for a sweep over a trace file (given as a file: URI), a folder of traces (two of them with
 * the same file name) and a generated workload, under a profile file — with the driver's files
 * shipped to the executors as on a cluster; and sweep.parquet holds the same rows. Shipped files
 * reach tasks when the originals are gone; a Hadoop file system's URI is read by the executor; network
 * units (generated, a packet trace, a lab capture) give the local engine's rows. Three Spark starts
 * (their start-up dominates the time).
 */
class SparkSweepTest {
  @TempDir Path tmp;

  record Run(int code, String out, String err) {}

  static synchronized Run vqsim(Object... args) {
    String[] a = new String[args.length];
    for (int i = 0; i < args.length; i++) a[i] = String.valueOf(args[i]);
    PrintStream oldOut = System.out, oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
    int code;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8); PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      System.setOut(o);
      System.setErr(e);
      code = Main.run(a);
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void sparkLocalModeWritesTheRowsOfTheLocalEngine() throws Exception {
    Path trace = tmp.resolve("seq.arrow");
    Run g = vqsim("generate", "--rw", "read", "--bs", "16k", "--iodepth", "8", "--count", "1500", "-o", trace);
    assertThat(g.code()).as(g.err()).isZero();
    String uri = trace.toUri().toString();
    assertThat(uri).startsWith("file:");
    Path corpus = tmp.resolve("corpus");
    for (String host : List.of("host-a", "host-b")) {
      Run c = vqsim("generate", "--rw", "randwrite", "--bs", host.equals("host-a") ? "4k" : "32k", "--count", "700", "-o", corpus.resolve(host).resolve("disk.arrow"));
      assertThat(c.code()).as(c.err()).isZero();
    }
    Path profile = tmp.resolve("lab.profile");
    String builtIn = new String(org.vqsim.engine.cost.CostProfile.class.getResourceAsStream("x86-kvm.profile").readAllBytes(), StandardCharsets.UTF_8);
    Files.writeString(profile, builtIn.replace("profile = x86-kvm", "profile = x86-lab").replace("kick_exit_cycles = ", "kick_exit_cycles = 1"));
    Object[] grid = {"sweep", uri, corpus, "--generate", "--rw randread --count 1500", "--strategy", "direct,viommu-strict", "--param", "bs=4k,64k",
        "--ring", "split,packed", "--profile", profile};

    Path local = tmp.resolve("local"), spark = tmp.resolve("spark");
    Run l = vqsim(with(grid, "-o", local, "--jobs", "2"));
    assertThat(l.code()).as(l.out() + l.err()).isZero();
    long t0 = System.nanoTime();
    Run s;
    System.setProperty(SparkSweepEngine.SHIP, "true"); // as on a cluster: local mode reads the driver's files where they are
    System.setProperty("vqsim.progress.seconds", "0.2"); // progress lines often enough to see rows arrive
    try {
      s = vqsim(with(grid, "-o", spark, "--engine", "spark", "--master", "local[2]"));
    } finally {
      System.clearProperty(SparkSweepEngine.SHIP);
      System.clearProperty("vqsim.progress.seconds");
    }
    System.out.printf("spark sweep: %.1f s%n", (System.nanoTime() - t0) / 1e9);
    assertThat(s.code()).as(s.out() + s.err()).isZero();
    assertThat(s.err()).contains("Spark ").contains("on local[2]: 32 combinations").contains("shipping 4 files");
    assertThat(s.err()).as("rows reach the driver as tasks finish: progress counts them").contains("vqsim: sweep: ").contains(" of 32 combinations (");
    assertThat(s.out()).contains("32 combinations (32 run now)").contains("sweep.parquet");

    byte[] expected = Files.readAllBytes(local.resolve("sweep.arrow"));
    assertThat(Files.readAllBytes(spark.resolve("sweep.arrow"))).as("byte-identical sweep.arrow").isEqualTo(expected);
    assertThat(Files.readString(spark.resolve("sweep.toml"))).isEqualTo(Files.readString(local.resolve("sweep.toml")));
    assertThat(Files.exists(spark.resolve(".sweep-parts"))).isFalse();

    List<List<Object>> arrow = arrowRows(spark.resolve("sweep.arrow"));
    assertThat(arrow).hasSize(32);
    assertThat(parquetRows(spark.resolve("sweep.parquet"))).isEqualTo(arrow);
    Map<String, String> kv;
    try (ParquetFileReader r = ParquetFileReader.open(new LocalInputFile(spark.resolve("sweep.parquet")))) {
      kv = r.getFooter().getFileMetaData().getKeyValueMetaData();
    }
    assertThat(kv).containsEntry("vqsim.kind", "sweep").containsKey("vqsim.sweep");
    assertThat(kv.get("vqsim.units")).contains("iops=");
    assertThat(arrow.stream().map(r -> r.get(3)).distinct()).as("columns bs, strategy, profile, trace: the files and the generated workload")
        .containsExactly("seq.arrow", "disk.arrow", "generated:randread,4k", "generated:randread,64k");
    assertThat(arrow.stream().map(r -> r.get(2)).distinct()).as("the profile file's name").containsExactly("x86-lab");
  }

  /**
   * Network units on Spark: a generated packet workload (--generate "--net …"), a packet trace file and a
   * bundled lab capture of a virtio-net run (both shipped to the executors), beside a block trace. The
   * rows are the local engine's, byte for byte; network rows carry pps and Gb/s, block rows null.
   */
  @Test
  void networkUnitsRunOnSparkAsOnTheLocalEngine() throws Exception {
    Path net = tmp.resolve("traces/stream.arrow"), blk = tmp.resolve("traces/disk.arrow"), lab = tmp.resolve("traces/tcp-rr.direct.guest-ftrace.txt.gz");
    Run g = vqsim("generate", "--net", "tcp-stream", "--direction", "both", "--msg-size", "64k", "--count", "100", "-o", net);
    assertThat(g.code()).as(g.err()).isZero();
    assertThat(vqsim("generate", "--rw", "randread", "--count", "500", "-o", blk).code()).isZero();
    Files.copy(samples().resolve("qemu-lab-net/tcp-rr.direct.guest-ftrace.txt.gz"), lab);
    Object[] grid = {"sweep", net, lab, blk, "--generate", "--net udp-stream --msg-size 1400 --count 300", "--strategy", "direct,bounce,viommu-strict"};
    Path local = tmp.resolve("local"), spark = tmp.resolve("spark");
    Run l = vqsim(with(grid, "-o", local, "--jobs", "2"));
    assertThat(l.code()).as(l.out() + l.err()).isZero();
    Run s;
    System.setProperty(SparkSweepEngine.SHIP, "true");
    try {
      s = vqsim(with(grid, "-o", spark, "--engine", "spark", "--master", "local[2]"));
    } finally {
      System.clearProperty(SparkSweepEngine.SHIP);
    }
    assertThat(s.code()).as(s.out() + s.err()).isZero();
    assertThat(s.err()).contains("on local[2]: 12 combinations").contains("shipping 3 files");
    assertThat(s.out()).contains("IOPS|packets/s").contains("Gb/s");
    assertThat(Files.readAllBytes(spark.resolve("sweep.arrow"))).as("byte-identical sweep.arrow").isEqualTo(Files.readAllBytes(local.resolve("sweep.arrow")));

    List<List<Object>> arrow = arrowRows(spark.resolve("sweep.arrow"));
    assertThat(parquetRows(spark.resolve("sweep.parquet"))).isEqualTo(arrow);
    List<String> cols = org.vqsim.analysis.arrow.ArrowTables.schema(spark.resolve("sweep.arrow")).getFields().stream()
        .map(org.apache.arrow.vector.types.pojo.Field::getName).toList();
    int trace = cols.indexOf("trace"), pps = cols.indexOf("pps"), gbit = cols.indexOf("gbit_per_s"), iops = cols.indexOf("iops"), requests = cols.indexOf("requests");
    Map<String, Integer> netRows = new java.util.TreeMap<>();
    for (List<Object> r : arrow) {
      String t = (String) r.get(trace);
      if (t.equals("disk.arrow")) {
        assertThat(r.get(pps)).as("a block unit has no pps").isNull();
        assertThat(r.get(gbit)).isNull();
        continue;
      }
      netRows.merge(t, 1, Integer::sum);
      assertThat((Double) r.get(pps)).as(t).isPositive().isCloseTo((Double) r.get(iops), org.assertj.core.data.Percentage.withPercentage(1e-9));
      assertThat((Double) r.get(gbit)).as(t).isPositive();
      if (t.startsWith("tcp-rr")) assertThat(r.get(requests)).as("the lab capture's packets").isEqualTo(4008L);
    }
    assertThat(netRows).containsOnlyKeys("stream.arrow", "tcp-rr.direct.guest-ftrace.txt.gz", "generated:net,udp-stream,tx,1400").allSatisfy((k, v) -> assertThat(v).isEqualTo(3));
    Map<String, String> kv;
    try (ParquetFileReader r = ParquetFileReader.open(new LocalInputFile(spark.resolve("sweep.parquet")))) {
      kv = r.getFooter().getFileMetaData().getKeyValueMetaData();
    }
    assertThat(kv.get("vqsim.units")).contains("pps=packets/s").contains("gbit_per_s=Gb/s");
  }

  /** The repository's samples/ folder (the tests run in spark/). */
  static Path samples() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("samples/qemu-lab-net"))) return p.resolve("samples");
    }
    throw new IllegalStateException("no samples/ above " + Path.of("").toAbsolutePath());
  }

  @Test
  void shippedFilesReachTheTasksWhenTheOriginalsAreGone() throws Exception {
    Path a = tmp.resolve("one/t.arrow"), b = tmp.resolve("two/t.arrow");
    assertThat(vqsim("generate", "--rw", "read", "--count", "50", "-o", a).code()).isZero();
    assertThat(vqsim("generate", "--rw", "write", "--count", "60", "-o", b).code()).isZero();
    byte[] bytesA = Files.readAllBytes(a), bytesB = Files.readAllBytes(b);
    List<String> names = List.of(a.toString(), b.toUri().toString());
    org.vqsim.replay.SweepPlan plan = new org.vqsim.replay.SweepPlan(names, null, List.of("direct"), List.of("split"), "x86-kvm", Map.of(), "");
    var jsc = new org.apache.spark.api.java.JavaSparkContext(new org.apache.spark.SparkConf().setMaster("local[2]").setAppName("shipment")
        .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1"));
    try {
      Shipment shipped = Shipment.of(jsc, plan, plan.units());
      assertThat(shipped.describe()).startsWith("2 files");
      Files.delete(a);
      Files.delete(b);
      List<String> local = jsc.parallelize(names, 2).map(shipped::local).collect();
      assertThat(local).allSatisfy(p -> assertThat(Path.of(p).getFileName()).hasToString("t.arrow"));
      assertThat(Files.readAllBytes(Path.of(local.get(0)))).isEqualTo(bytesA);
      assertThat(Files.readAllBytes(Path.of(local.get(1)))).isEqualTo(bytesB);
      assertThat(shipped.local("generated")).isEqualTo("generated");
      shipped.destroy();

      // a URI of another Hadoop file system (hdfs:, s3a:; here vqtest:) is not shipped: each executor reads it itself
      Path c = tmp.resolve("three/c.arrow");
      assertThat(vqsim("generate", "--rw", "randrw", "--count", "80", "-o", c).code()).isZero();
      org.vqsim.replay.SweepPlan remote = new org.vqsim.replay.SweepPlan(List.of("vqtest://" + c), null, List.of("bounce"), List.of("split"), "x86-kvm",
          Map.of(), "");
      Shipment none = Shipment.of(jsc, remote, remote.units());
      assertThat(none.isEmpty()).isTrue();
      List<org.vqsim.analysis.arrow.SummaryRow> rows = jsc.parallelize(remote.units(), 1).map(u -> SparkUnits.run(remote, u, none)).collect();
      org.vqsim.replay.SweepPlan.Unit byPath = remote.units().get(0).withTrace(c.toString());
      assertThat(rows).hasSize(1);
      assertThat(rows.get(0)).usingRecursiveComparison().isEqualTo(org.vqsim.replay.SweepExecutor.run(remote, byPath));
      assertThat(rows.get(0).trace()).isEqualTo("c.arrow");
    } finally {
      jsc.stop();
    }
  }

  static Object[] with(Object[] a, Object... more) {
    List<Object> l = new ArrayList<>(List.of(a));
    l.addAll(List.of(more));
    return l.toArray();
  }

  static List<List<Object>> arrowRows(Path f) throws Exception {
    List<List<Object>> rows = new ArrayList<>();
    try (BufferAllocator alloc = new RootAllocator();
        var ch = java.nio.channels.FileChannel.open(f);
        ArrowFileReader r = new ArrowFileReader(ch, alloc)) {
      VectorSchemaRoot root = r.getVectorSchemaRoot();
      while (r.loadNextBatch()) {
        for (int i = 0; i < root.getRowCount(); i++) {
          List<Object> row = new ArrayList<>();
          for (FieldVector v : root.getFieldVectors()) {
            Object o = v.getObject(i);
            row.add(o == null ? null : o instanceof org.apache.arrow.vector.util.Text t ? t.toString() : o);
          }
          rows.add(row);
        }
      }
    }
    return rows;
  }

  static List<List<Object>> parquetRows(Path f) throws Exception {
    List<List<Object>> rows = new ArrayList<>();
    MessageType schema;
    try (ParquetFileReader r = ParquetFileReader.open(new LocalInputFile(f))) {
      schema = r.getFooter().getFileMetaData().getSchema();
    }
    ParquetReader.Builder<Group> b = new ParquetReader.Builder<Group>(new LocalInputFile(f)) {
      @Override
      protected org.apache.parquet.hadoop.api.ReadSupport<Group> getReadSupport() {
        return new GroupReadSupport();
      }
    };
    try (ParquetReader<Group> r = b.build()) {
      for (Group g = r.read(); g != null; g = r.read()) {
        List<Object> row = new ArrayList<>();
        for (int c = 0; c < schema.getFieldCount(); c++) {
          Type t = schema.getType(c);
          if (g.getFieldRepetitionCount(c) == 0) {
            row.add(null);
            continue;
          }
          row.add(switch (t.asPrimitiveType().getPrimitiveTypeName()) {
            case INT32 -> g.getInteger(c, 0);
            case INT64 -> g.getLong(c, 0);
            case DOUBLE -> g.getDouble(c, 0);
            case BOOLEAN -> g.getBoolean(c, 0);
            default -> g.getString(c, 0);
          });
        }
        rows.add(row);
      }
    }
    return rows;
  }

}
