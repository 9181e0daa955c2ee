package org.vqsim.analysis.arrow;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/** Small helpers to declare schemas with a unit and a description on every column (field metadata). */
public final class Columns {
  private Columns() {}

  public static final ArrowType UTF8 = ArrowType.Utf8.INSTANCE;
  public static final ArrowType INT32 = new ArrowType.Int(32, true);
  public static final ArrowType INT64 = new ArrowType.Int(64, true);
  public static final ArrowType FLOAT64 = new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
  public static final ArrowType BOOL = ArrowType.Bool.INSTANCE;

  public static Field col(String name, ArrowType type, String unit, String description) {
    return new Field(name, new FieldType(false, type, null, Map.of("unit", unit, "description", description)), null);
  }

  public static Field nullable(String name, ArrowType type, String unit, String description) {
    return new Field(name, new FieldType(true, type, null, Map.of("unit", unit, "description", description)), null);
  }

  public static Schema schema(List<Field> fields, Map<String, String> metadata) {
    return new Schema(new ArrayList<>(fields), metadata);
  }
}
