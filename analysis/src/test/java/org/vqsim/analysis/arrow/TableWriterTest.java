package org.vqsim.analysis.arrow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TableWriterTest {
  @TempDir Path dir;

  private static final Schema SCHEMA = Columns.schema(List.of(
      Columns.col("name", Columns.UTF8, "", "a name"),
      Columns.col("n", Columns.INT32, "count", "a count"),
      Columns.col("big", Columns.INT64, "bytes", "a size"),
      Columns.nullable("ratio", Columns.FLOAT64, "ratio", "a ratio or null")), Map.of("vqsim.kind", "test"));

  private Path write(String file, int rows, int batchRows) throws IOException {
    Path f = dir.resolve(file);
    try (TableWriter w = new TableWriter(f, SCHEMA, batchRows)) {
      for (int i = 0; i < rows; i++) {
        w.setString(0, i % 2 == 0 ? "a,b" : "plain \"q\"");
        w.setInt(1, i);
        w.setLong(2, (long) i << 33);
        if (i % 3 == 0) w.setNull(3);
        else w.setDouble(3, i / 4.0);
        w.endRow();
      }
      assertThat(w.rows()).isEqualTo(rows);
    }
    return f;
  }

  @Test
  void rowsSurviveSeveralBatchesInOrder() throws IOException {
    Path f = write("t.arrow", 1000, 64);
    List<Integer> batches = new ArrayList<>();
    List<Object> ns = new ArrayList<>();
    ArrowTables.scan(f, root -> {
      batches.add(root.getRowCount());
      for (int i = 0; i < root.getRowCount(); i++) ns.add(root.getVector("n").getObject(i));
      return true;
    });
    assertThat(batches).hasSize(16).allMatch(n -> n <= 64);
    assertThat(ns).hasSize(1000);
    for (int i = 0; i < 1000; i++) assertThat(ns.get(i)).isEqualTo(i);
  }

  @Test
  void metadataAndColumnDocsAreWritten() throws IOException {
    Path f = write("t.arrow", 1, 64);
    assertThat(ArrowTables.metadata(f)).containsEntry("vqsim.kind", "test");
    assertThat(ArrowTables.schema(f).findField("big").getMetadata()).containsEntry("unit", "bytes");
  }

  @Test
  void writerNeverOverwritesAFile() throws IOException {
    Path f = dir.resolve("exists.arrow");
    Files.writeString(f, "keep");
    assertThatThrownBy(() -> new TableWriter(f, SCHEMA)).isInstanceOf(org.vqsim.analysis.io.OutputException.class)
        .hasCauseInstanceOf(FileAlreadyExistsException.class).hasMessageContaining("exists.arrow");
    assertThat(Files.readString(f)).isEqualTo("keep");
  }

  @Test
  void csvQuotesCommasAndQuotesAndLeavesNullsEmpty() throws IOException {
    Path f = write("t.arrow", 2, 64);
    StringWriter s = new StringWriter();
    try (PrintWriter p = new PrintWriter(s)) {
      assertThat(ArrowTables.printCsv(f, p, -1)).isEqualTo(2);
    }
    assertThat(s.toString().lines().toList()).containsExactly(
        "name,n,big,ratio",
        "\"a,b\",0,0,",
        "\"plain \"\"q\"\"\",1,8589934592,0.2500");
  }

  @Test
  void tableHonoursTheLimit() throws IOException {
    Path f = write("t.arrow", 10, 4);
    StringWriter s = new StringWriter();
    try (PrintWriter p = new PrintWriter(s)) {
      assertThat(ArrowTables.print(f, p, 3)).isEqualTo(3);
    }
    assertThat(s.toString().lines()).hasSize(4);
  }

  @Test
  void aFileThatIsNotArrowIsBadArrowFileNamingIt() throws IOException {
    Path f = dir.resolve("notes.arrow");
    Files.writeString(f, "words, not Arrow\n".repeat(20));
    assertThatThrownBy(() -> ArrowTables.print(f, new PrintWriter(new StringWriter()), -1))
        .isInstanceOf(ArrowTables.BadArrowFile.class)
        .hasMessageStartingWith(f.toString());
  }

  // Every type the setters write, not null and nullable, and one column of another type (float32).
  private static final Schema ALL_TYPES = Columns.schema(List.of(
      Columns.col("s", Columns.UTF8, "", "a string"),
      Columns.nullable("s_or_null", Columns.UTF8, "", "a string or null"),
      Columns.col("i", Columns.INT32, "", "an int"),
      Columns.nullable("i_or_null", Columns.INT32, "", "an int or null"),
      Columns.col("l", Columns.INT64, "", "a long"),
      Columns.nullable("l_or_null", Columns.INT64, "", "a long or null"),
      Columns.col("d", Columns.FLOAT64, "", "a double"),
      Columns.nullable("d_or_null", Columns.FLOAT64, "", "a double or null"),
      Columns.nullable("b", Columns.BOOL, "", "a bool or null"),
      Columns.nullable("f", new org.apache.arrow.vector.types.pojo.ArrowType.FloatingPoint(
          org.apache.arrow.vector.types.FloatingPointPrecision.SINGLE), "", "another type, only ever null")), Map.of("vqsim.kind", "test"));

  /** Writes {@code rows} random rows (nulls, values left unset, values set twice) through {@code w}; the same seed gives the same calls. */
  private interface Sink {
    void row(int col, Object value) throws IOException; // value null: setNull; a String, Integer, Long, Double or Boolean: its setter

    void end() throws IOException;
  }

  private static void randomRows(long seed, int rows, Sink w) throws IOException {
    java.util.Random r = new java.util.Random(seed);
    String[] words = {"", "direct", "viommu-strict+bounce", "tx", "rx", "é€𝄞", "x".repeat(300)};
    double[] odd = {Double.NaN, Double.longBitsToDouble(0x7ff8_0000_dead_beefL), -0.0, Double.POSITIVE_INFINITY, Double.MIN_VALUE};
    for (int row = 0; row < rows; row++) {
      for (int c = 0; c < 10; c++) {
        int dice = r.nextInt(100);
        boolean nullable = c % 2 == 1 || c >= 8;
        if (dice < 4) continue; // left unset: null
        if (nullable && dice < 25 || c == 9) {
          w.row(c, null);
          continue;
        }
        int times = dice > 97 ? 2 : 1; // now and then a value is set twice; the second one stays
        for (int t = 0; t < times; t++) {
          Object v = switch (c) {
            case 0, 1 -> words[r.nextInt(words.length)] + (r.nextBoolean() ? "" : Integer.toString(r.nextInt()));
            case 2, 3 -> r.nextInt();
            case 4, 5 -> r.nextLong();
            case 6, 7 -> r.nextInt(10) == 0 ? odd[r.nextInt(odd.length)] : r.nextGaussian() * 1e6;
            default -> r.nextBoolean();
          };
          w.row(c, v);
        }
      }
      w.end();
    }
  }

  /** The file as Arrow's own value-by-value setters write it: setSafe into the vectors, reset after each batch. */
  private static void writeValueByValue(Path f, int rows, int batchRows, long seed) throws IOException {
    try (var alloc = new org.apache.arrow.memory.RootAllocator();
        var root = org.apache.arrow.vector.VectorSchemaRoot.create(ALL_TYPES, alloc);
        var ch = java.nio.channels.FileChannel.open(f, java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE);
        var writer = new org.apache.arrow.vector.ipc.ArrowFileWriter(root, null, ch)) {
      writer.start();
      var vs = root.getFieldVectors();
      for (var v : vs) v.setInitialCapacity(Math.min(batchRows, 4096));
      root.allocateNew();
      int[] row = {0};
      randomRows(seed, rows, new Sink() {
        @Override
        public void row(int c, Object v) {
          var vec = vs.get(c);
          if (v == null) vec.setNull(row[0]);
          else if (v instanceof String x) ((org.apache.arrow.vector.VarCharVector) vec).setSafe(row[0], x.getBytes(java.nio.charset.StandardCharsets.UTF_8));
          else if (v instanceof Integer x) ((org.apache.arrow.vector.IntVector) vec).setSafe(row[0], x);
          else if (v instanceof Long x) ((org.apache.arrow.vector.BigIntVector) vec).setSafe(row[0], x);
          else if (v instanceof Double x) ((org.apache.arrow.vector.Float8Vector) vec).setSafe(row[0], x);
          else ((org.apache.arrow.vector.BitVector) vec).setSafe(row[0], (Boolean) v ? 1 : 0);
        }

        @Override
        public void end() throws IOException {
          if (++row[0] == batchRows) {
            root.setRowCount(row[0]);
            writer.writeBatch();
            for (var x : vs) x.reset();
            row[0] = 0;
          }
        }
      });
      if (row[0] > 0) {
        root.setRowCount(row[0]);
        writer.writeBatch();
      }
      writer.end();
    }
  }

  @Test
  void filesAreByteIdenticalToSettingTheVectorsValueByValue() throws IOException {
    int[][] cases = {{0, 64}, {1, 64}, {64, 64}, {1000, 64}, {9000, 10_000}, {70_000, TableWriter.DEFAULT_BATCH_ROWS}, {300, 7}};
    for (int[] k : cases) {
      int rows = k[0], batch = k[1];
      long seed = 17L * rows + batch;
      Path expected = dir.resolve("expected-" + rows + "-" + batch + ".arrow"), actual = dir.resolve("actual-" + rows + "-" + batch + ".arrow");
      writeValueByValue(expected, rows, batch, seed);
      try (TableWriter w = new TableWriter(actual, ALL_TYPES, batch)) {
        randomRows(seed, rows, new Sink() {
          @Override
          public void row(int c, Object v) {
            if (v == null) w.setNull(c);
            else if (v instanceof String x) w.setString(c, x);
            else if (v instanceof Integer x) w.setInt(c, x);
            else if (v instanceof Long x) w.setLong(c, x);
            else if (v instanceof Double x) w.setDouble(c, x);
            else w.setBool(c, (Boolean) v);
          }

          @Override
          public void end() throws IOException {
            w.endRow();
          }
        });
      }
      assertThat(Files.mismatch(expected, actual)).as("%d rows in batches of %d", rows, batch).isEqualTo(-1L);
    }
  }

  @Test
  void aSetterOfTheWrongTypeNamesTheColumn() throws IOException {
    try (TableWriter w = new TableWriter(dir.resolve("t.arrow"), SCHEMA)) {
      assertThatThrownBy(() -> w.setLong(1, 5)).isInstanceOf(ClassCastException.class).hasMessageContaining("column n");
      assertThatThrownBy(() -> w.setInt(0, 5)).isInstanceOf(ClassCastException.class).hasMessageContaining("column name");
    }
  }
}
