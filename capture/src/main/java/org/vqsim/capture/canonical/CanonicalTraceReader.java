package org.vqsim.capture.canonical;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.types.pojo.Schema;
import org.vqsim.capture.TraceException;
import org.vqsim.capture.text.CpuNumber;
import org.vqsim.capture.text.TimeBase;
import org.vqsim.engine.sim.IoOp;
import org.vqsim.engine.sim.IoRequest;
import org.vqsim.engine.sim.RequestSource;

/**
 * Streams a canonical trace one record batch at a time: memory stays at one batch whatever the
 * length. The {@code cpu} column is optional: without it every request's {@link IoRequest#cpu} is
 * -1 (the trace does not say), as in files written before the column existed.
 */
public final class CanonicalTraceReader implements RequestSource {
  private final String name;
  private final BufferAllocator allocator;
  private final FileChannel channel;
  private final ArrowFileReader reader;
  private final VectorSchemaRoot root;
  private final Map<String, String> metadata;
  private BigIntVector ts;
  private VarCharVector op;
  private BigIntVector offset;
  private IntVector length;
  private IntVector cpu; // null when the trace has no cpu column
  private int row, rows;
  private boolean batchHasNulls;
  private long index;
  private final TimeBase time = new TimeBase();

  public CanonicalTraceReader(Path file) throws IOException {
    this.name = file.toString();
    // bounded: a corrupt batch header may ask for terabytes (Arrow then throws OutOfMemoryException, reported as bad data)
    allocator = new RootAllocator(Math.max(1L << 30, 4 * java.nio.file.Files.size(file)));
    channel = FileChannel.open(file, StandardOpenOption.READ);
    ArrowFileReader r = null;
    try {
      r = new ArrowFileReader(channel, allocator);
      root = r.getVectorSchemaRoot();
      Schema schema = root.getSchema();
      metadata = schema.getCustomMetadata() == null ? Map.of() : schema.getCustomMetadata();
      ts = column(BigIntVector.class, CanonicalTrace.TS_NS, "int64");
      op = column(VarCharVector.class, CanonicalTrace.OP, "utf8");
      offset = column(BigIntVector.class, CanonicalTrace.OFFSET, "int64");
      length = column(IntVector.class, CanonicalTrace.LENGTH, "int32");
      cpu = root.getVector(CanonicalTrace.CPU) == null ? null : column(IntVector.class, CanonicalTrace.CPU, "int32");
    } catch (TraceException e) {
      closeQuietly(r);
      throw e;
    } catch (IOException | RuntimeException | AssertionError e) { // Arrow checks some corrupt layouts with assert (tests run with -ea)
      closeQuietly(r);
      throw new TraceException(name + ": not a readable Arrow IPC file (" + why(e) + ")", e);
    }
    reader = r;
  }

  /** Arrow's reason, in words: a file cut short has no footer (Arrow says "missing Magic number [...]"). */
  private static String why(Throwable e) {
    String m = String.valueOf(e.getMessage());
    if (m.contains("Magic number") || m.contains("file too small")) return "truncated or not an Arrow IPC file: no footer at its end";
    return m.length() > 200 ? m.substring(0, 200) + "..." : m;
  }

  private void closeQuietly(ArrowFileReader r) {
    try {
      if (r != null) r.close();
      channel.close();
    } catch (IOException ignored) {
      // reporting the first error matters more
    }
    allocator.close();
  }

  private <T extends FieldVector> T column(Class<T> type, String col, String arrowType) {
    FieldVector v = root.getVector(col);
    if (v == null) throw new TraceException(name + ": not a vqsim trace: no '" + col + "' column (a canonical trace has ts_ns, op, offset, length)");
    if (!type.isInstance(v)) throw new TraceException(name + ": column '" + col + "' must be " + arrowType + ", not " + v.getField().getType());
    return type.cast(v);
  }

  public Map<String, String> metadata() { return metadata; }

  /** Whether the trace has the {@code cpu} column (every request then carries its submitting CPU). */
  public boolean hasCpus() { return cpu != null; }

  /**
   * The number of requests in a canonical trace, from the record batches' headers alone (a small
   * read per batch, no data), or -1 when the file cannot be read that way.
   */
  public static long countRows(Path file) {
    try (BufferAllocator a = new RootAllocator(1L << 20);
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        ArrowFileReader r = new ArrowFileReader(ch, a)) {
      long rows = 0;
      for (org.apache.arrow.vector.ipc.message.ArrowBlock b : r.getRecordBlocks()) {
        ch.position(b.getOffset());
        org.apache.arrow.vector.ipc.message.MessageMetadataResult m =
            org.apache.arrow.vector.ipc.message.MessageSerializer.readMessage(new org.apache.arrow.vector.ipc.ReadChannel(ch));
        if (m == null) return -1;
        org.apache.arrow.flatbuf.RecordBatch batch = (org.apache.arrow.flatbuf.RecordBatch) m.getMessage().header(new org.apache.arrow.flatbuf.RecordBatch());
        if (batch == null) return -1;
        rows += batch.length();
      }
      return rows;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** Rows stamped before the row above them, replayed at that row's time (ts_ns never decreases). */
  public long timestampsBackwards() { return time.backwards(); }

  @Override
  public boolean next(IoRequest into) throws IOException {
    while (row == rows) {
      try {
        if (!reader.loadNextBatch()) return false;
        // buffers as large as the batch's rows need, once per batch (validateFull also checks every utf8 value
        // and costs more than the replay); the op column's offsets are checked row by row below
        org.apache.arrow.vector.util.ValueVectorUtility.validate(root);
      } catch (IOException | RuntimeException | AssertionError e) { // Arrow checks some corrupt layouts with assert (tests run with -ea)
        throw new TraceException(name + ": record batch after row " + index + " cannot be read (" + why(e) + ")", e);
      }
      rows = root.getRowCount();
      row = 0;
      batchHasNulls = ts.getNullCount() + op.getNullCount() + offset.getNullCount() + length.getNullCount()
          + (cpu == null ? 0 : cpu.getNullCount()) > 0;
    }
    int i = row++;
    long at = index++;
    if (batchHasNulls && (ts.isNull(i) || op.isNull(i) || offset.isNull(i) || length.isNull(i) || cpu != null && cpu.isNull(i))) throw new TraceException(name + ": row " + at + ": null value");
    // read the one-letter op straight from the data buffer: no byte[] per row
    int start = op.getStartOffset(i), end = op.getStartOffset(i + 1);
    if (start < 0 || end < start || end > op.getDataBuffer().capacity()) {
      throw new TraceException(name + ": record batch after row " + (at - i) + " cannot be read (op offsets " + start + ".." + end + " of row " + at
          + " lie outside its data buffer of " + op.getDataBuffer().capacity() + " bytes)");
    }
    int o = end - start == 1 ? opCode(op.getDataBuffer().getByte(start)) : -1;
    if (o < 0) throw new TraceException(name + ": row " + at + ": op must be R, W, F or D, not '" + new String(op.get(i), java.nio.charset.StandardCharsets.UTF_8) + "'");
    long off = offset.get(i);
    int len = length.get(i);
    long t = ts.get(i);
    if (t < 0 || t > TimeBase.MAX_NS) throw new TraceException(name + ": row " + at + ": ts_ns " + t + " is not within 0 ns and 100 days");
    if (off < 0) throw new TraceException(name + ": row " + at + ": negative offset " + off);
    if (len < 0 || (IoOp.hasData(o) && len == 0)) throw new TraceException(name + ": row " + at + ": invalid length " + len + " for op " + IoOp.letter(o));
    into.set(time.emit(t), (byte) o, off, len);
    if (cpu != null) {
      int c = cpu.get(i);
      if (c < 0) throw new TraceException(name + ": row " + at + ": negative cpu " + c + " (a submitting CPU is 0 or more)");
      if (c > CpuNumber.MAX) throw new TraceException(name + ": row " + at + ": cpu " + c + " is beyond " + CpuNumber.MAX);
      into.cpu = c;
    }
    return true;
  }

  private static int opCode(byte b) {
    return switch (b) {
      case 'R' -> IoOp.READ;
      case 'W' -> IoOp.WRITE;
      case 'F' -> IoOp.FLUSH;
      case 'D' -> IoOp.DISCARD;
      default -> -1;
    };
  }

  @Override
  public void close() throws IOException {
    try {
      reader.close();
    } finally {
      channel.close();
      allocator.close();
    }
  }
}
