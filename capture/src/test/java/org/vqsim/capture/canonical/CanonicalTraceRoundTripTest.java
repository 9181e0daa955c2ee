package org.vqsim.capture.canonical;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vqsim.capture.TestData;
import org.vqsim.capture.TestData.Req;
import org.vqsim.capture.TraceException;
import org.vqsim.engine.sim.IoOp;
import org.vqsim.engine.sim.IoRequest;

class CanonicalTraceRoundTripTest {
  @TempDir Path dir;

  /** More rows than one record batch holds, so the reader must cross a batch boundary. */
  private static final int ROWS = CanonicalTrace.BATCH_ROWS * 2 + 17;

  private static Req row(int i) {
    byte op = (byte) (i % 4);
    int length = op == IoOp.FLUSH ? 0 : 512 * (1 + i % 256);
    return new Req(i * 1000L + (i % 7), op, (long) i * 4096 + (i % 3) * (1L << 40), length);
  }

  private static Map<String, String> meta() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(CanonicalTrace.META_KIND, CanonicalTrace.KIND);
    m.put(CanonicalTrace.META_IODEPTH, "32");
    m.put(CanonicalTrace.META_ARRIVAL, "open");
    m.put("vqsim.options", "--rw=randread --bs=4k");
    return m;
  }

  private Path writeRows(String name, int n) throws IOException {
    Path f = dir.resolve(name);
    IoRequest r = new IoRequest();
    try (CanonicalTraceWriter w = new CanonicalTraceWriter(f, meta())) {
      for (int i = 0; i < n; i++) {
        Req q = row(i);
        w.write(r.set(q.tsNs(), q.op(), q.offset(), q.length()));
      }
      assertThat(w.written()).isEqualTo(n);
    }
    return f;
  }

  @Test
  void everyRowSurvivesTheRoundTripAcrossRecordBatches() throws IOException {
    Path f = writeRows("t.arrow", ROWS);
    List<Req> back;
    try (CanonicalTraceReader r = new CanonicalTraceReader(f)) {
      back = TestData.drain(r);
    }
    assertThat(back).hasSize(ROWS);
    for (int i = 0; i < ROWS; i++) assertThat(back.get(i)).as("row %d", i).isEqualTo(row(i));
  }

  @Test
  void writerCutsFixedSizeRecordBatches() throws IOException {
    Path f = writeRows("t.arrow", ROWS);
    try (BufferAllocator a = new RootAllocator();
        FileChannel ch = FileChannel.open(f, StandardOpenOption.READ);
        ArrowFileReader r = new ArrowFileReader(ch, a)) {
      List<Integer> sizes = new ArrayList<>();
      while (r.loadNextBatch()) sizes.add(r.getVectorSchemaRoot().getRowCount());
      assertThat(sizes).containsExactly(CanonicalTrace.BATCH_ROWS, CanonicalTrace.BATCH_ROWS, 17);
    }
  }

  @Test
  void metadataIsPreserved() throws IOException {
    Path f = writeRows("t.arrow", 3);
    try (CanonicalTraceReader r = new CanonicalTraceReader(f)) {
      assertThat(r.metadata()).containsAllEntriesOf(meta());
    }
  }

  @Test
  void metadataOfThreeTimesAPowerOfTwoKeysGetsOneMoreSoEveryJdkWritesTheSameBytes() throws IOException {
    // Arrow copies the metadata into a HashMap; JDK 17 sizes it twice as large as JDK 19+ for 3, 6, 12, 24, ... keys
    for (int n : new int[] {3, 6, 12, 24, 48}) {
      Map<String, String> m = new LinkedHashMap<>();
      for (int i = 0; i < n; i++) m.put("vqsim.k" + i, "v");
      assertThat(CanonicalTrace.sameOnEveryJdk(m)).as("%d keys", n).hasSize(n + 1).containsEntry(CanonicalTrace.META_KEYS, Integer.toString(n + 1));
    }
    for (int n : new int[] {0, 1, 2, 4, 5, 7, 9, 11, 13, 15, 18, 36}) {
      Map<String, String> m = new LinkedHashMap<>();
      for (int i = 0; i < n; i++) m.put("vqsim.k" + i, "v");
      assertThat(CanonicalTrace.sameOnEveryJdk(m)).as("%d keys", n).isSameAs(m);
    }
  }

  @Test
  void emptyTraceHasNoRequests() throws IOException {
    Path f = writeRows("empty.arrow", 0);
    try (CanonicalTraceReader r = new CanonicalTraceReader(f)) {
      assertThat(r.next(new IoRequest())).isFalse();
    }
  }

  /** The schema of an Arrow file, as any Arrow reader sees it. */
  private static Schema schemaOf(Path f) throws IOException {
    try (BufferAllocator a = new RootAllocator();
        FileChannel ch = FileChannel.open(f, StandardOpenOption.READ);
        ArrowFileReader r = new ArrowFileReader(ch, a)) {
      return r.getVectorSchemaRoot().getSchema();
    }
  }

  @Test
  void columnsHaveTheDocumentedTypes() throws IOException {
    Schema s = schemaOf(writeRows("t.arrow", 1));
    assertThat(s.getFields()).extracting(Field::getName).containsExactly("ts_ns", "op", "offset", "length");
    assertThat(s.findField("ts_ns").getType()).isEqualTo(new ArrowType.Int(64, true));
    assertThat(s.findField("op").getType()).isEqualTo(ArrowType.Utf8.INSTANCE);
    assertThat(s.findField("offset").getType()).isEqualTo(new ArrowType.Int(64, true));
    assertThat(s.findField("length").getType()).isEqualTo(new ArrowType.Int(32, true));
  }

  /** Writes a one-row Arrow file with the given fields; int columns get 1, strings "R". */
  private Path arrowWith(String name, Field... fields) throws IOException {
    Path f = dir.resolve(name);
    try (BufferAllocator a = new RootAllocator();
        VectorSchemaRoot root = VectorSchemaRoot.create(new Schema(List.of(fields)), a);
        FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        ArrowFileWriter w = new ArrowFileWriter(root, null, ch)) {
      root.allocateNew();
      for (var v : root.getFieldVectors()) {
        if (v instanceof BigIntVector b) b.setSafe(0, 4096);
        else if (v instanceof IntVector i) i.setSafe(0, 4096);
        else if (v instanceof VarCharVector s) s.setSafe(0, "R".getBytes(StandardCharsets.UTF_8));
      }
      root.setRowCount(1);
      w.start();
      w.writeBatch();
      w.end();
    }
    return f;
  }

  private static Field f(String name, ArrowType t) {
    return new Field(name, FieldType.notNullable(t), null);
  }

  @Test
  void wrongColumnTypeIsReportedWithTheFileName() throws IOException {
    Path f = arrowWith("int32-ts.arrow", f("ts_ns", new ArrowType.Int(32, true)), f("op", ArrowType.Utf8.INSTANCE),
        f("offset", new ArrowType.Int(64, true)), f("length", new ArrowType.Int(32, true)));
    assertThatThrownBy(() -> new CanonicalTraceReader(f).close())
        .isInstanceOf(TraceException.class)
        .hasMessageStartingWith(f.toString())
        .hasMessageContaining("column 'ts_ns' must be int64");
  }

  @Test
  void missingColumnIsReportedWithTheFileName() throws IOException {
    Path f = arrowWith("no-length.arrow", f("ts_ns", new ArrowType.Int(64, true)), f("op", ArrowType.Utf8.INSTANCE),
        f("offset", new ArrowType.Int(64, true)));
    assertThatThrownBy(() -> new CanonicalTraceReader(f).close())
        .isInstanceOf(TraceException.class)
        .hasMessageStartingWith(f.toString())
        .hasMessageContaining("no 'length' column");
  }

  @Test
  void aFileThatIsNotArrowIsReportedWithTheFileName() throws IOException {
    Path f = dir.resolve("notes.arrow");
    Files.writeString(f, "this is not an Arrow file, just some text long enough to look like one\n".repeat(5));
    assertThatThrownBy(() -> new CanonicalTraceReader(f).close())
        .isInstanceOf(TraceException.class)
        .hasMessageStartingWith(f.toString())
        .hasMessageContaining("not a readable Arrow IPC file");
  }

  /** A one-row trace of {@code schema}: a 4 KiB request of op {@code op} at offset 0, and {@code cpu} in its cpu column when it has one. */
  private Path oneRow(String name, Schema schema, String op, long cpu) throws IOException {
    Path f = dir.resolve(name);
    try (BufferAllocator a = new RootAllocator();
        VectorSchemaRoot root = VectorSchemaRoot.create(schema, a);
        FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        ArrowFileWriter w = new ArrowFileWriter(root, null, ch)) {
      root.allocateNew();
      ((BigIntVector) root.getVector("ts_ns")).setSafe(0, 0);
      ((VarCharVector) root.getVector("op")).setSafe(0, op.getBytes(StandardCharsets.UTF_8));
      ((BigIntVector) root.getVector("offset")).setSafe(0, 0);
      ((IntVector) root.getVector("length")).setSafe(0, 4096);
      if (root.getVector("cpu") instanceof IntVector v) v.setSafe(0, (int) cpu);
      else if (root.getVector("cpu") instanceof BigIntVector v) v.setSafe(0, cpu);
      root.setRowCount(1);
      w.start();
      w.writeBatch();
      w.end();
    }
    return f;
  }

  @Test
  void aBadOpLetterNamesTheRow() throws IOException {
    Path f = oneRow("bad-op.arrow", CanonicalTrace.schema(Map.of()), "X", 0);
    try (CanonicalTraceReader r = new CanonicalTraceReader(f)) {
      assertThatThrownBy(() -> r.next(new IoRequest()))
          .isInstanceOf(TraceException.class)
          .hasMessageStartingWith(f + ": row 0")
          .hasMessageContaining("'X'");
    }
  }

  // ---- the optional cpu column --------------------------------------------------------------

  private static int cpuOf(int i) {
    return (i * 7) % 13;
  }

  private Path writeRowsWithCpus(String name, int n) throws IOException {
    Path f = dir.resolve(name);
    IoRequest r = new IoRequest();
    try (CanonicalTraceWriter w = new CanonicalTraceWriter(f, meta(), true)) {
      assertThat(w.writesCpus()).isTrue();
      for (int i = 0; i < n; i++) {
        Req q = row(i);
        r.set(q.tsNs(), q.op(), q.offset(), q.length()).cpu = cpuOf(i);
        w.write(r);
      }
    }
    return f;
  }

  @Test
  void everyRowKeepsItsCpuAcrossRecordBatches() throws IOException {
    Path f = writeRowsWithCpus("cpus.arrow", ROWS);
    try (CanonicalTraceReader r = new CanonicalTraceReader(f)) {
      assertThat(r.hasCpus()).isTrue();
      IoRequest q = new IoRequest();
      for (int i = 0; i < ROWS; i++) {
        assertThat(r.next(q)).isTrue();
        assertThat(new Req(q.tsNs, q.op, q.offset, q.length)).as("row %d", i).isEqualTo(row(i));
        assertThat(q.cpu).as("row %d", i).isEqualTo(cpuOf(i));
      }
      assertThat(r.next(q)).isFalse();
    }
  }

  @Test
  void theCpuColumnIsAnInt32AfterTheOthers() throws IOException {
    Schema s = schemaOf(writeRowsWithCpus("cpus.arrow", 1));
    assertThat(s.getFields()).extracting(Field::getName).containsExactly("ts_ns", "op", "offset", "length", "cpu");
    assertThat(s.findField("cpu").getType()).isEqualTo(new ArrowType.Int(32, true));
    assertThat(s.findField("cpu").isNullable()).isFalse();
  }

  @Test
  void aTraceWithoutTheCpuColumnSaysNothingOfCpus() throws IOException {
    // the layout of every trace written before the column existed, and of traces that do not know CPUs
    Path f = writeRows("old.arrow", 3);
    try (CanonicalTraceReader r = new CanonicalTraceReader(f)) {
      assertThat(r.hasCpus()).isFalse();
      IoRequest q = new IoRequest();
      q.cpu = 5;
      assertThat(r.next(q)).isTrue();
      assertThat(q.cpu).as("set() forgets the previous request's CPU").isEqualTo(-1);
    }
  }

  @Test
  void aWriterWithCpusRefusesARequestWithoutOne() throws IOException {
    IoRequest r = new IoRequest().set(0, IoOp.READ, 0, 4096);
    try (CanonicalTraceWriter w = new CanonicalTraceWriter(dir.resolve("x.arrow"), meta(), true)) {
      assertThatThrownBy(() -> w.write(r)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has no CPU");
    }
  }

  /** A one-row trace whose cpu column holds {@code cpu}, of type {@code type}. */
  private Path withCpu(String name, ArrowType type, long cpu) throws IOException {
    List<Field> fields = new ArrayList<>(CanonicalTrace.schema(Map.of()).getFields());
    fields.add(f("cpu", type));
    return oneRow(name, new Schema(fields), "R", cpu);
  }

  @ParameterizedTest(name = "cpu {0}")
  @CsvSource(delimiter = '|', value = {
      "-1      | negative cpu -1 (a submitting CPU is 0 or more)",
      "1000000 | cpu 1000000 is beyond 65535"})
  void aCpuNoKernelHasIsBadDataNamingTheRow(int cpu, String what) throws IOException {
    Path f = withCpu("bad-cpu.arrow", new ArrowType.Int(32, true), cpu);
    try (CanonicalTraceReader r = new CanonicalTraceReader(f)) {
      assertThatThrownBy(() -> r.next(new IoRequest())).isInstanceOf(TraceException.class).hasMessage(f + ": row 0: " + what);
    }
  }

  @Test
  void aCpuColumnOfAnotherTypeIsReported() throws IOException {
    Path f = withCpu("int64-cpu.arrow", new ArrowType.Int(64, true), 3);
    assertThatThrownBy(() -> new CanonicalTraceReader(f).close())
        .isInstanceOf(TraceException.class).hasMessageStartingWith(f.toString()).hasMessageContaining("column 'cpu' must be int32");
  }
}
