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
 * bytes, for a sweep over a trace file (given as a file: URI) and a generated workload; and
 * sweep.parquet holds the same rows. One Spark start (its startup dominates the test's time).
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
    Object[] grid = {"sweep", uri, "--generate", "--rw randread --count 1500", "--strategy", "direct,viommu-strict", "--param", "bs=4k,64k",
        "--ring", "split,packed"};

    Path local = tmp.resolve("local"), spark = tmp.resolve("spark");
    Run l = vqsim(with(grid, "-o", local, "--jobs", "2"));
    assertThat(l.code()).as(l.out() + l.err()).isZero();
    long t0 = System.nanoTime();
    Run s = vqsim(with(grid, "-o", spark, "--engine", "spark", "--master", "local[2]"));
    System.out.printf("spark sweep: %.1f s%n", (System.nanoTime() - t0) / 1e9);
    assertThat(s.code()).as(s.out() + s.err()).isZero();
    assertThat(s.err()).contains("Spark ").contains("on local[2]: 16 combinations");
    assertThat(s.out()).contains("16 combinations (16 run now)").contains("sweep.parquet");

    byte[] expected = Files.readAllBytes(local.resolve("sweep.arrow"));
    assertThat(Files.readAllBytes(spark.resolve("sweep.arrow"))).as("byte-identical sweep.arrow").isEqualTo(expected);
    assertThat(Files.readString(spark.resolve("sweep.toml"))).isEqualTo(Files.readString(local.resolve("sweep.toml")));
    assertThat(Files.exists(spark.resolve(".sweep-parts"))).isFalse();

    List<List<Object>> arrow = arrowRows(spark.resolve("sweep.arrow"));
    assertThat(arrow).hasSize(16);
    assertThat(parquetRows(spark.resolve("sweep.parquet"))).isEqualTo(arrow);
    Map<String, String> kv;
    try (ParquetFileReader r = ParquetFileReader.open(new LocalInputFile(spark.resolve("sweep.parquet")))) {
      kv = r.getFooter().getFileMetaData().getKeyValueMetaData();
    }
    assertThat(kv).containsEntry("vqsim.kind", "sweep").containsKey("vqsim.sweep");
    assertThat(kv.get("vqsim.units")).contains("iops=");
    assertThat(arrow.stream().map(r -> r.get(3)).distinct()).as("columns bs, strategy, profile, trace: the file and the generated workload")
        .contains("seq.arrow", "generated:randread,4k", "generated:randread,64k");
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
