package org.vqsim.capture.canonical;

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
 * </pre>
 *
 * Schema metadata ({@code vqsim.*} keys) records how the trace was made: the vqsim version, the
 * command and its options, the seed, the default closed-loop {@code vqsim.iodepth} and the
 * {@code vqsim.arrival} mode ({@code closed} or {@code open}).
 */
public final class CanonicalTrace {
  private CanonicalTrace() {}

  public static final String TS_NS = "ts_ns", OP = "op", OFFSET = "offset", LENGTH = "length";
  public static final String META_KIND = "vqsim.kind", KIND = "trace";
  public static final String META_IODEPTH = "vqsim.iodepth";
  public static final String META_ARRIVAL = "vqsim.arrival";
  public static final int BATCH_ROWS = 65_536;

  public static Schema schema(Map<String, String> metadata) {
    return new Schema(List.of(
        new Field(TS_NS, FieldType.notNullable(new ArrowType.Int(64, true)), null),
        new Field(OP, FieldType.notNullable(ArrowType.Utf8.INSTANCE), null),
        new Field(OFFSET, FieldType.notNullable(new ArrowType.Int(64, true)), null),
        new Field(LENGTH, FieldType.notNullable(new ArrowType.Int(32, true)), null)), metadata);
  }
}
