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
}
