package org.vqsim.analysis.arrow;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FloatingPointVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.message.ArrowBlock;
import org.apache.arrow.vector.types.pojo.Schema;

/** Reads any Arrow IPC file batch by batch and prints it as an aligned table or CSV. */
public final class ArrowTables {
  private ArrowTables() {}

  /** A readable Arrow file could not be opened or parsed: exit 65. */
  public static final class BadArrowFile extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BadArrowFile(String message, Throwable cause) {
      super(message, cause);
    }
  }

  public interface BatchVisitor {
    /** @return false to stop reading */
    boolean batch(VectorSchemaRoot root) throws IOException;
  }

  /** Visits every record batch of an Arrow file, holding one batch at a time. Returns the schema. */
  public static Schema scan(Path file, BatchVisitor visitor) throws IOException {
    try (BufferAllocator alloc = new RootAllocator();
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        ArrowFileReader reader = open(file, ch, alloc)) {
      VectorSchemaRoot root;
      List<ArrowBlock> blocks;
      try {
        root = reader.getVectorSchemaRoot();
        blocks = reader.getRecordBlocks();
      } catch (IOException | RuntimeException e) {
        throw new BadArrowFile(file + ": not a readable Arrow IPC file (" + e.getMessage() + ")", e);
      }
      for (ArrowBlock b : blocks) {
        try {
          if (!reader.loadRecordBatch(b)) break;
        } catch (IOException | RuntimeException e) {
          throw new BadArrowFile(file + ": damaged record batch (" + e.getMessage() + ")", e);
        }
        if (!visitor.batch(root)) break;
      }
      return root.getSchema();
    }
  }

  private static ArrowFileReader open(Path file, FileChannel ch, BufferAllocator alloc) {
    return new ArrowFileReader(ch, alloc);
  }

  /** The schema and metadata of an Arrow file without reading its batches. */
  public static Schema schema(Path file) throws IOException {
    return scan(file, root -> false);
  }

  /** Prints up to {@code limit} rows (all when negative). */
  public static long print(Path file, PrintWriter out, long limit) throws IOException {
    if (!Files.exists(file)) throw new java.nio.file.NoSuchFileException(file.toString());
    List<String[]> rows = new ArrayList<>();
    long[] seen = {0};
    List<String> header = new ArrayList<>();
    Schema schema = scan(file, root -> {
      if (header.isEmpty()) for (FieldVector v : root.getFieldVectors()) header.add(v.getName());
      int n = root.getRowCount();
      for (int i = 0; i < n; i++) {
        if (limit >= 0 && seen[0] >= limit) return false;
        String[] r = new String[root.getFieldVectors().size()];
        int c = 0;
        for (FieldVector v : root.getFieldVectors()) r[c++] = format(v, i);
        seen[0]++;
        rows.add(r);
      }
      return true;
    });
    if (header.isEmpty()) for (var f : schema.getFields()) header.add(f.getName());
    printAligned(out, header, rows);
    return seen[0];
  }

  /** Prints CSV with a header line, streaming batch by batch (all rows when {@code limit} is negative). */
  public static long printCsv(Path file, PrintWriter out, long limit) throws IOException {
    Schema s = schema(file);
    List<String> h = new ArrayList<>();
    for (var f : s.getFields()) h.add(f.getName());
    out.println(csvLine(h.toArray(new String[0])));
    long[] seen = {0};
    scan(file, root -> {
      int n = root.getRowCount();
      for (int i = 0; i < n; i++) {
        if (limit >= 0 && seen[0] >= limit) return false;
        String[] r = new String[root.getFieldVectors().size()];
        int c = 0;
        for (FieldVector v : root.getFieldVectors()) r[c++] = format(v, i);
        out.println(csvLine(r));
        seen[0]++;
      }
      return true;
    });
    return seen[0];
  }

  public static Map<String, String> metadata(Path file) throws IOException {
    Map<String, String> m = schema(file).getCustomMetadata();
    return m == null ? Map.of() : m;
  }

  static String format(FieldVector v, int i) {
    if (v.isNull(i)) return "";
    if (v instanceof FloatingPointVector f) {
      double d = f.getValueAsDouble(i);
      if (Double.isNaN(d)) return "NaN";
      if (d == Math.rint(d) && Math.abs(d) < 1e15) return String.format(Locale.ROOT, "%.1f", d);
      return String.format(Locale.ROOT, Math.abs(d) >= 100 ? "%.1f" : "%.4g", d);
    }
    Object o = v.getObject(i);
    return String.valueOf(o);
  }

  private static String csvLine(String[] r) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < r.length; i++) {
      if (i > 0) b.append(',');
      String s = r[i];
      if (s.indexOf(',') >= 0 || s.indexOf('"') >= 0 || s.indexOf('\n') >= 0) b.append('"').append(s.replace("\"", "\"\"")).append('"');
      else b.append(s);
    }
    return b.toString();
  }

  /** Prints rows as columns padded to their widest value, numbers right-aligned. */
  public static void printAligned(PrintWriter out, List<String> header, List<String[]> rows) {
    int[] w = new int[header.size()];
    for (int c = 0; c < w.length; c++) w[c] = header.get(c).length();
    for (String[] r : rows) for (int c = 0; c < w.length; c++) w[c] = Math.max(w[c], r[c].length());
    StringBuilder b = new StringBuilder();
    for (int c = 0; c < w.length; c++) b.append(c == 0 ? "" : "  ").append(pad(header.get(c), w[c], false));
    out.println(b.toString().stripTrailing());
    for (String[] r : rows) {
      b.setLength(0);
      for (int c = 0; c < w.length; c++) b.append(c == 0 ? "" : "  ").append(pad(r[c], w[c], isNumeric(r[c])));
      out.println(b.toString().stripTrailing());
    }
  }

  private static boolean isNumeric(String s) {
    if (s.isEmpty()) return false;
    char c = s.charAt(0);
    return (c >= '0' && c <= '9') || c == '-' || s.equals("NaN");
  }

  private static String pad(String s, int w, boolean right) {
    if (s.length() >= w) return s;
    String sp = " ".repeat(w - s.length());
    return right ? sp + s : s + sp;
  }
}
