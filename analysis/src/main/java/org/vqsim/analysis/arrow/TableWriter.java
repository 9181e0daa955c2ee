package org.vqsim.analysis.arrow;

import java.io.IOException;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.types.pojo.Schema;
import org.vqsim.analysis.io.RunOutput;

/**
 * Writes rows into an Arrow IPC file in fixed-size record batches through one reused {@link
 * VectorSchemaRoot}; columns are addressed by index, values set with typed setters. Closing writes
 * the last batch and the footer and releases every buffer. A write that fails (disk full) throws an
 * {@link org.vqsim.analysis.io.OutputException} naming the file.
 */
public final class TableWriter implements AutoCloseable {
  public static final int DEFAULT_BATCH_ROWS = 65_536;

  private final BufferAllocator allocator;
  private final VectorSchemaRoot root;
  private final WritableByteChannel channel;
  private final ArrowFileWriter writer;
  private final FieldVector[] vectors;
  private final int batchRows;
  private int row;
  private long rows;
  private boolean closed;
  private boolean failed; // a write failed: close only frees memory

  public TableWriter(Path file, Schema schema) throws IOException {
    this(file, schema, DEFAULT_BATCH_ROWS);
  }

  public TableWriter(Path file, Schema schema, int batchRows) throws IOException {
    this.batchRows = batchRows;
    channel = RunOutput.openChannel(file); // a failed write names the file and the free space
    allocator = new RootAllocator();
    root = VectorSchemaRoot.create(schema, allocator);
    vectors = root.getFieldVectors().toArray(new FieldVector[0]);
    writer = new ArrowFileWriter(root, null, channel);
    try {
      writer.start();
    } catch (IOException | RuntimeException e) {
      closed = true;
      release(true);
      throw e;
    }
    for (FieldVector v : vectors) v.setInitialCapacity(Math.min(batchRows, 4096));
    root.allocateNew();
  }

  public int column(String name) {
    for (int i = 0; i < vectors.length; i++) if (vectors[i].getName().equals(name)) return i;
    throw new IllegalArgumentException("no column " + name);
  }

  public void setLong(int col, long v) { ((BigIntVector) vectors[col]).setSafe(row, v); }
  public void setInt(int col, int v) { ((IntVector) vectors[col]).setSafe(row, v); }
  public void setDouble(int col, double v) { ((Float8Vector) vectors[col]).setSafe(row, v); }
  public void setBool(int col, boolean v) { ((BitVector) vectors[col]).setSafe(row, v ? 1 : 0); }
  public void setBytes(int col, byte[] utf8) { ((VarCharVector) vectors[col]).setSafe(row, utf8); }
  public void setString(int col, String v) { setBytes(col, v.getBytes(StandardCharsets.UTF_8)); }
  public void setNull(int col) { vectors[col].setNull(row); }

  /** Ends the current row; writes a batch when it is full. */
  public void endRow() throws IOException {
    row++;
    rows++;
    if (row == batchRows) flush();
  }

  public long rows() { return rows; }

  private void flush() throws IOException {
    if (row == 0) return;
    root.setRowCount(row);
    try {
      writer.writeBatch();
    } catch (IOException | RuntimeException e) {
      failed = true;
      throw e;
    }
    for (FieldVector v : vectors) v.reset();
    row = 0;
  }

  @Override
  public void close() throws IOException {
    if (closed) return;
    closed = true;
    Throwable failure = null;
    if (!failed) {
      try {
        flush();
        writer.end();
      } catch (IOException | RuntimeException e) {
        failure = e;
      }
    }
    try {
      release(failed || failure != null);
    } catch (IOException | RuntimeException e) {
      if (failure == null) failure = e;
      else failure.addSuppressed(e);
    }
    if (failure instanceof IOException io) throw io;
    if (failure instanceof RuntimeException re) throw re;
  }

  /**
   * Frees every buffer and closes the file. After a failed write the Arrow writer is not closed:
   * its close() would try to write the footer again and hide the first error behind a second one.
   */
  private void release(boolean failed) throws IOException {
    try {
      if (!failed) writer.close();
    } finally {
      try {
        root.close();
      } finally {
        try {
          channel.close();
        } finally {
          allocator.close();
        }
      }
    }
  }
}
