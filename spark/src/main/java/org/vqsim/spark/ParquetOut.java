package org.vqsim.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;
import org.vqsim.analysis.arrow.ArrowTables;

/**
 * sweep.parquet: sweep.arrow's columns and rows as one Parquet file, written on the driver (the
 * table is small) so that it lands next to sweep.arrow whatever the cluster's file systems. Column
 * types map one to one (utf8 → STRING, int32, int64, float64 → DOUBLE, bool); nulls stay nulls;
 * the Arrow file's metadata ({@code vqsim.*}) goes into the footer's key-value metadata, the
 * columns' units under {@code vqsim.units}.
 */
final class ParquetOut {
  private ParquetOut() {}

  static final String FILE = "sweep.parquet";

  static void write(Path arrow, Path parquet) throws IOException {
    Schema schema = ArrowTables.schema(arrow);
    MessageType message = message(schema);
    Map<String, String> meta = new LinkedHashMap<>(schema.getCustomMetadata() == null ? Map.of() : schema.getCustomMetadata());
    StringBuilder units = new StringBuilder();
    for (Field f : schema.getFields()) {
      String u = f.getMetadata() == null ? "" : f.getMetadata().getOrDefault("unit", "");
      units.append(f.getName()).append('=').append(u).append('\n');
    }
    meta.put("vqsim.units", units.toString());
    Path tmp = parquet.resolveSibling("." + parquet.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    SimpleGroupFactory groups = new SimpleGroupFactory(message);
    try (ParquetWriter<Group> w = ExampleParquetWriter.builder(new LocalOutputFile(tmp)).withType(message).withExtraMetaData(meta)
        .withCompressionCodec(CompressionCodecName.SNAPPY).withWriteMode(ParquetFileWriter.Mode.OVERWRITE).build()) {
      List<Field> fields = schema.getFields();
      ArrowTables.scan(arrow, root -> {
        List<FieldVector> vs = root.getFieldVectors();
        for (int r = 0; r < root.getRowCount(); r++) {
          Group g = groups.newGroup();
          for (int c = 0; c < vs.size(); c++) {
            FieldVector v = vs.get(c);
            if (v.isNull(r)) continue;
            String name = fields.get(c).getName();
            Object o = v.getObject(r);
            ArrowType t = fields.get(c).getType();
            if (t instanceof ArrowType.Int i) {
              if (i.getBitWidth() <= 32) g.add(name, ((Number) o).intValue());
              else g.add(name, ((Number) o).longValue());
            } else if (t instanceof ArrowType.FloatingPoint) {
              g.add(name, ((Number) o).doubleValue());
            } else if (t instanceof ArrowType.Bool) {
              g.add(name, (Boolean) o);
            } else {
              g.add(name, o.toString());
            }
          }
          w.write(g);
        }
        return true;
      });
    }
    Files.move(tmp, parquet, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  static MessageType message(Schema schema) {
    List<Type> types = new ArrayList<>();
    for (Field f : schema.getFields()) {
      ArrowType t = f.getType();
      Types.PrimitiveBuilder<org.apache.parquet.schema.PrimitiveType> b;
      if (t instanceof ArrowType.Int i) {
        b = f.isNullable() ? Types.optional(i.getBitWidth() <= 32 ? PrimitiveTypeName.INT32 : PrimitiveTypeName.INT64)
            : Types.required(i.getBitWidth() <= 32 ? PrimitiveTypeName.INT32 : PrimitiveTypeName.INT64);
      } else if (t instanceof ArrowType.FloatingPoint) {
        b = f.isNullable() ? Types.optional(PrimitiveTypeName.DOUBLE) : Types.required(PrimitiveTypeName.DOUBLE);
      } else if (t instanceof ArrowType.Bool) {
        b = f.isNullable() ? Types.optional(PrimitiveTypeName.BOOLEAN) : Types.required(PrimitiveTypeName.BOOLEAN);
      } else if (t instanceof ArrowType.Utf8) {
        b = (f.isNullable() ? Types.optional(PrimitiveTypeName.BINARY) : Types.required(PrimitiveTypeName.BINARY)).as(LogicalTypeAnnotation.stringType());
      } else {
        throw new IllegalArgumentException("sweep.arrow column " + f.getName() + " has type " + t + ", which sweep.parquet does not map");
      }
      types.add(b.named(f.getName()));
    }
    return new MessageType("sweep", types);
  }
}
