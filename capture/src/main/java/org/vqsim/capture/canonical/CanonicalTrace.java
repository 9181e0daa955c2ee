package org.vqsim.capture.canonical;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The canonical vqsim trace (DESIGN.md §7): an Arrow IPC file, one row per request, in submission
 * order.
 *
 * <pre>
 *  ts_ns   int64   submission time, ns from the start of the trace (0 for closed-loop traces)
 *  op      utf8    R read, W write, F flush, D discard
 *  offset  int64   byte offset on the device
 *  length  int32   bytes (0 for a flush)
 *  cpu     int32   the submitting CPU, 0..65535 (optional: only in traces that know every request's CPU)
 * </pre>
 *
 * Schema metadata ({@code vqsim.*} keys) records how the trace was made: the vqsim version, the
 * command and its options, the seed, the default closed-loop {@code vqsim.iodepth} and the
 * {@code vqsim.arrival} mode ({@code closed} or {@code open}); a trace with the {@code cpu} column
 * also has {@code vqsim.cpus}, the number of distinct CPUs its requests come from. A trace without
 * the column does not say where its requests were submitted (the replay spreads them over its
 * vCPUs); files written before the column existed read the same way.
 */
public final class CanonicalTrace {
  private CanonicalTrace() {}

  public static final String TS_NS = "ts_ns", OP = "op", OFFSET = "offset", LENGTH = "length", CPU = "cpu";
  public static final String META_KIND = "vqsim.kind", KIND = "trace";
  public static final String META_IODEPTH = "vqsim.iodepth";
  public static final String META_ARRIVAL = "vqsim.arrival";
  /** The number of distinct CPUs the requests were submitted from (traces with the {@code cpu} column). */
  public static final String META_CPUS = "vqsim.cpus";
  /** The number of jobs of a generated trace ({@code generate --numjobs}, when more than one). */
  public static final String META_NUMJOBS = "vqsim.numjobs";
  public static final int BATCH_ROWS = 65_536;

  /** The schema of a trace without CPUs. */
  public static Schema schema(Map<String, String> metadata) {
    return schema(metadata, false);
  }

  /**
   * Metadata key that only a map of 3, 6, 12, 24, … entries gets (its value: the number of keys
   * with it), so that the file has the same bytes on every JDK: Arrow copies schema metadata into a
   * {@code HashMap} sized from the entry count, and JDK 19 changed that sizing (JDK-8281631) — for
   * 3·2^k entries JDK 17 makes the table twice as large, and the keys are written in another order.
   */
  public static final String META_KEYS = "vqsim.metadata_keys";

  /** {@code metadata}, with {@link #META_KEYS} added when its size would give another key order on another JDK. */
  static Map<String, String> sameOnEveryJdk(Map<String, String> metadata) {
    int n = metadata.size();
    if (n == 0 || n % 3 != 0 || Integer.bitCount(n / 3) != 1) return metadata;
    Map<String, String> m = new LinkedHashMap<>(metadata);
    m.put(META_KEYS, Integer.toString(n + 1));
    return m;
  }

  /** The schema of a trace, with the {@code cpu} column when {@code cpus}. */
  public static Schema schema(Map<String, String> metadata, boolean cpus) {
    List<Field> fields = new ArrayList<>(List.of(
        new Field(TS_NS, FieldType.notNullable(new ArrowType.Int(64, true)), null),
        new Field(OP, FieldType.notNullable(ArrowType.Utf8.INSTANCE), null),
        new Field(OFFSET, FieldType.notNullable(new ArrowType.Int(64, true)), null),
        new Field(LENGTH, FieldType.notNullable(new ArrowType.Int(32, true)), null)));
    if (cpus) fields.add(new Field(CPU, FieldType.notNullable(new ArrowType.Int(32, true)), null));
    return new Schema(fields, metadata == null ? null : sameOnEveryJdk(metadata));
  }
}
