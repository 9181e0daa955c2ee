package org.vqsim.analysis.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FloatingPointVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.vqsim.analysis.arrow.ArrowTables;
import tech.tablesaw.api.BooleanColumn;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

/**
 * One of vqsim's small result tables (summary, latency, fleet, sweep) as a Tablesaw {@link Table}
 * plus the Arrow schema metadata that says how it was made.
 *
 * <p>Loaded column by column from {@link ArrowTables#scan}, one record batch at a time
 * ({@code tablesaw-arrow} reads neither the IPC file format nor dictionaries). Arrow nulls become
 * Tablesaw's missing values: NaN in a {@link DoubleColumn}, {@code Long.MIN_VALUE} in a {@link
 * LongColumn}, "" in a {@link StringColumn}.
 */
public record ResultTable(Path file, Table table, Map<String, String> metadata, Map<String, String> units) {

  /** Reads {@code file}; every column of the Arrow schema becomes a Tablesaw column of the same name. */
  public static ResultTable read(Path file) throws IOException {
    List<Column<?>> cols = new ArrayList<>();
    Schema schema = ArrowTables.scan(file, root -> {
      if (cols.isEmpty()) for (Field f : root.getSchema().getFields()) cols.add(column(f));
      int n = root.getRowCount();
      List<FieldVector> vs = root.getFieldVectors();
      for (int c = 0; c < vs.size(); c++) append(cols.get(c), vs.get(c), n);
      return true;
    });
    if (cols.isEmpty()) for (Field f : schema.getFields()) cols.add(column(f));
    Map<String, String> units = new LinkedHashMap<>();
    for (Field f : schema.getFields()) {
      Map<String, String> m = f.getMetadata();
      units.put(f.getName(), m == null ? "" : m.getOrDefault("unit", ""));
    }
    Map<String, String> meta = schema.getCustomMetadata() == null ? Map.of() : schema.getCustomMetadata();
    Table t = Table.create(file.getFileName().toString(), cols.toArray(new Column<?>[0]));
    return new ResultTable(file, t, meta, units);
  }

  /** A metadata value, or {@code dflt} when the file does not carry it. */
  public String meta(String key, String dflt) {
    String v = metadata.get(key);
    return v == null || v.isBlank() ? dflt : v;
  }

  private static Column<?> column(Field f) {
    ArrowType t = f.getType();
    if (f.getDictionary() == null) {
      if (t instanceof ArrowType.FloatingPoint) return DoubleColumn.create(f.getName());
      if (t instanceof ArrowType.Int i) return i.getBitWidth() <= 32 ? IntColumn.create(f.getName()) : LongColumn.create(f.getName());
      if (t instanceof ArrowType.Bool) return BooleanColumn.create(f.getName());
    }
    return StringColumn.create(f.getName());
  }

  private static void append(Column<?> col, FieldVector v, int n) {
    if (col instanceof DoubleColumn d) {
      FloatingPointVector fv = (FloatingPointVector) v;
      for (int i = 0; i < n; i++) {
        if (v.isNull(i)) d.appendMissing();
        else d.append(fv.getValueAsDouble(i));
      }
    } else if (col instanceof LongColumn l) {
      BaseIntVector iv = (BaseIntVector) v;
      for (int i = 0; i < n; i++) {
        if (v.isNull(i)) l.appendMissing();
        else l.append(iv.getValueAsLong(i));
      }
    } else if (col instanceof IntColumn ic) {
      BaseIntVector iv = (BaseIntVector) v;
      for (int i = 0; i < n; i++) {
        if (v.isNull(i)) ic.appendMissing();
        else ic.append((int) iv.getValueAsLong(i));
      }
    } else if (col instanceof BooleanColumn b) {
      BitVector bv = (BitVector) v;
      for (int i = 0; i < n; i++) {
        if (v.isNull(i)) b.appendMissing();
        else b.append(bv.get(i) != 0);
      }
    } else {
      StringColumn s = (StringColumn) col;
      for (int i = 0; i < n; i++) {
        if (v.isNull(i)) s.appendMissing();
        else if (v instanceof VarCharVector vc) s.append(new String(vc.get(i), java.nio.charset.StandardCharsets.UTF_8));
        else s.append(String.valueOf(v.getObject(i)));
      }
    }
  }
}
