package org.vqsim.replay;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.vqsim.capture.canonical.CanonicalTrace;

/**
 * Writes the Arrow files of the bad-input corpus ({@code bad-inputs/arrow/}); the text files come
 * from {@code bad-inputs/make-bad-inputs.py}. Run it from the checkout's root to regenerate them:
 *
 * <pre>
 *  mvn -q -pl replay test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=org.vqsim.replay.BadInputsCorpus
 * </pre>
 *
 * The files are committed; BadInputsTest reads them.
 */
final class BadInputsCorpus {
  private BadInputsCorpus() {}

  private static final Map<String, String> META = Map.of(CanonicalTrace.META_KIND, CanonicalTrace.KIND, CanonicalTrace.META_IODEPTH, "1",
      CanonicalTrace.META_ARRIVAL, "closed");
  private static final Map<String, String> CPUS = Map.of(CanonicalTrace.META_KIND, CanonicalTrace.KIND, CanonicalTrace.META_IODEPTH, "1",
      CanonicalTrace.META_ARRIVAL, "closed", CanonicalTrace.META_CPUS, "4");
  private static final Map<String, String> OPEN = Map.of(CanonicalTrace.META_KIND, CanonicalTrace.KIND, CanonicalTrace.META_IODEPTH, "4",
      CanonicalTrace.META_ARRIVAL, "open");

  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args.length > 0 ? args[0] : "replay/src/test/resources/bad-inputs/arrow");
    Files.createDirectories(dir);
    Schema canonical = CanonicalTrace.schema(META);
    List<Object[]> good = new ArrayList<>();
    for (int i = 0; i < 10; i++) good.add(new Object[] {0L, "R", i * 4096L, 4096});

    write(dir.resolve("one-request.arrow"), canonical, List.<Object[]>of(new Object[] {0L, "R", 0L, 4096}));
    write(dir.resolve("good.arrow"), canonical, good);
    byte[] ok = Files.readAllBytes(dir.resolve("good.arrow"));
    Files.delete(dir.resolve("good.arrow"));
    Files.write(dir.resolve("truncated.arrow"), Arrays.copyOf(ok, ok.length / 2));
    Files.write(dir.resolve("magic-only.arrow"), "ARROW1".getBytes(StandardCharsets.US_ASCII));
    byte[] garbage = new byte[1024];
    java.util.Random r = new java.util.Random(8);
    r.nextBytes(garbage);
    System.arraycopy("ARROW1\0\0".getBytes(StandardCharsets.US_ASCII), 0, garbage, 0, 8);
    Files.write(dir.resolve("garbage-after-magic.arrow"), garbage);
    try (GZIPOutputStream gz = new GZIPOutputStream(Files.newOutputStream(dir.resolve("compressed.arrow.gz")))) {
      gz.write(ok);
    }

    write(dir.resolve("negative-offset.arrow"), canonical, with(good, 3, new Object[] {0L, "R", -4096L, 4096}));
    write(dir.resolve("negative-size.arrow"), canonical, with(good, 3, new Object[] {0L, "R", 4096L, -4096}));
    write(dir.resolve("zero-size.arrow"), canonical, with(good, 3, new Object[] {0L, "W", 4096L, 0}));
    write(dir.resolve("absurd-offset.arrow"), canonical, with(good, 3, new Object[] {0L, "R", Long.MAX_VALUE - 4095, 4096}));
    write(dir.resolve("absurd-size.arrow"), canonical, with(good, 3, new Object[] {0L, "R", 0L, Integer.MAX_VALUE}));
    write(dir.resolve("negative-timestamp.arrow"), canonical, with(good, 3, new Object[] {-5L, "R", 0L, 4096}));
    write(dir.resolve("absurd-timestamp.arrow"), CanonicalTrace.schema(OPEN), with(good, 3, new Object[] {Long.MAX_VALUE, "R", 0L, 4096}));
    write(dir.resolve("unknown-op.arrow"), canonical, with(good, 3, new Object[] {0L, "X", 0L, 4096}));
    write(dir.resolve("null-value.arrow"), nullable(), with(good, 3, new Object[] {0L, null, 0L, 4096}));
    List<Object[]> backwards = List.of(new Object[] {1_000_000L, "R", 0L, 4096}, new Object[] {500_000L, "R", 4096L, 4096},
        new Object[] {2_000_000L, "R", 8192L, 4096});
    write(dir.resolve("timestamps-backwards.arrow"), CanonicalTrace.schema(OPEN), backwards);
    write(dir.resolve("huge-request.arrow"), canonical, List.of(new Object[] {0L, "W", 0L, 1 << 20}, new Object[] {0L, "R", 1L << 20, 1 << 20}));
    write(dir.resolve("no-requests.arrow"), canonical, List.of());
    // the optional cpu column: a trace that names every request's CPU, and one row with a CPU no kernel has
    Schema withCpus = CanonicalTrace.schema(CPUS, true);
    List<Object[]> goodCpus = new ArrayList<>();
    for (int i = 0; i < 10; i++) goodCpus.add(new Object[] {0L, "R", i * 4096L, 4096, i % 4});
    write(dir.resolve("cpus.arrow"), withCpus, goodCpus);
    write(dir.resolve("negative-cpu.arrow"), withCpus, with(goodCpus, 3, new Object[] {0L, "R", 3 * 4096L, 4096, -1}));
    write(dir.resolve("absurd-cpu.arrow"), withCpus, with(goodCpus, 3, new Object[] {0L, "R", 3 * 4096L, 4096, 1_000_000}));
    Schema wrongType = new Schema(List.of(field("ts_ns", new ArrowType.Int(64, true)), field("op", ArrowType.Utf8.INSTANCE),
        field("offset", ArrowType.Utf8.INSTANCE), field("length", new ArrowType.Int(32, true))));
    write(dir.resolve("wrong-column-type.arrow"), wrongType, List.<Object[]>of(new Object[] {0L, "R", "0", 4096}));
    Schema notATrace = new Schema(List.of(field("strategy", ArrowType.Utf8.INSTANCE), field("iops", new ArrowType.Int(64, true))));
    write(dir.resolve("not-a-trace.arrow"), notATrace, List.<Object[]>of(new Object[] {"direct", 1000L}));
  }

  private static Field field(String name, ArrowType type) {
    return new Field(name, FieldType.notNullable(type), null);
  }

  private static Schema nullable() {
    List<Field> f = new ArrayList<>();
    for (Field x : CanonicalTrace.schema(META).getFields()) f.add(new Field(x.getName(), FieldType.nullable(x.getType()), null));
    return new Schema(f, META);
  }

  private static List<Object[]> with(List<Object[]> rows, int at, Object[] row) {
    List<Object[]> l = new ArrayList<>(rows);
    l.set(at, row);
    return l;
  }

  /** Writes {@code rows} (Long, Integer or String per column; null for null) as one record batch. */
  static void write(Path file, Schema schema, List<Object[]> rows) throws IOException {
    try (BufferAllocator alloc = new RootAllocator();
        VectorSchemaRoot root = VectorSchemaRoot.create(schema, alloc);
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        ArrowFileWriter w = new ArrowFileWriter(root, null, ch)) {
      w.start();
      root.allocateNew();
      List<FieldVector> vs = root.getFieldVectors();
      for (int i = 0; i < rows.size(); i++) {
        for (int c = 0; c < vs.size(); c++) {
          Object v = rows.get(i)[c];
          FieldVector fv = vs.get(c);
          if (v == null) fv.setNull(i);
          else if (fv instanceof BigIntVector b) b.setSafe(i, (Long) v);
          else if (fv instanceof IntVector n) n.setSafe(i, (Integer) v);
          else ((VarCharVector) fv).setSafe(i, ((String) v).getBytes(StandardCharsets.UTF_8));
        }
      }
      root.setRowCount(rows.size());
      w.writeBatch();
      w.end();
    }
  }
}
