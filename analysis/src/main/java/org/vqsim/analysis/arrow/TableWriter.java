package org.vqsim.analysis.arrow;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BaseFixedWidthVector;
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
 *
 * <p>A batch's values are gathered in plain Java arrays, one per column (a validity bitmap beside
 * each), and copied into the Arrow vectors in bulk when the batch is written: a setter is an array
 * store and a bit set, not a call through Arrow's bounds, reference-count and capacity checks per
 * value. The file's bytes are the same as setting the vectors value by value: a null or unset value
 * is zero under a clear validity bit, a null or unset string has no bytes. Columns of other types
 * than the setters write (none in this project's schemas) are set on their vectors directly.
 */
public final class TableWriter implements AutoCloseable {
  public static final int DEFAULT_BATCH_ROWS = 65_536;

  private static final int OTHER = 0, LONG = 1, DOUBLE = 2, INT = 3, BIT = 4, STRING = 5;
  private static final int FIRST_ROWS = 4096; // the arrays start this large and double up to the batch size

  private final BufferAllocator allocator;
  private final VectorSchemaRoot root;
  private final WritableByteChannel channel;
  private final ArrowFileWriter writer;
  private final FieldVector[] vectors;
  private final int batchRows;
  private final int[] kind; // per column: LONG (int64), DOUBLE (float64), INT, BIT, STRING or OTHER
  private final long[][] longs; // LONG columns' values, and DOUBLE columns' as their raw bits
  private final int[][] ints; // INT columns' values
  private final long[][] valid; // per column: the validity bitmap (bit r = row r), LSB first as Arrow's
  private final long[][] bits; // BIT columns' values, as a bitmap
  private final int[][] offsets; // STRING columns: row r's bytes are [offsets[r], offsets[r + 1])
  private final byte[][] bytes; // STRING columns' bytes
  private final int[] lastSet; // STRING columns: the last row set, -1 for none (the rows between have no bytes)
  private int capacity; // rows the arrays hold
  private int row;
  private long rows;
  private boolean closed;
  private boolean failed; // a write failed: close only frees memory

  public TableWriter(Path file, Schema schema) throws IOException {
    this(file, schema, DEFAULT_BATCH_ROWS);
  }

  public TableWriter(Path file, Schema schema, int batchRows) throws IOException {
    if (batchRows < 1) throw new IllegalArgumentException("batchRows must be positive, not " + batchRows);
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
    for (FieldVector v : vectors) v.setInitialCapacity(Math.min(batchRows, FIRST_ROWS));
    root.allocateNew();
    int n = vectors.length;
    kind = new int[n];
    longs = new long[n][];
    ints = new int[n][];
    valid = new long[n][];
    bits = new long[n][];
    offsets = new int[n][];
    bytes = new byte[n][];
    lastSet = new int[n];
    for (int c = 0; c < n; c++) {
      FieldVector v = vectors[c];
      kind[c] = v instanceof BigIntVector ? LONG : v instanceof Float8Vector ? DOUBLE : v instanceof IntVector ? INT : v instanceof BitVector ? BIT
          : v instanceof VarCharVector ? STRING : OTHER;
      lastSet[c] = -1;
      if (kind[c] == STRING) bytes[c] = new byte[1024];
    }
    grow(Math.min(batchRows, FIRST_ROWS));
  }

  /** Sizes every column's arrays for {@code rows} rows, keeping what they hold. */
  private void grow(int rows) {
    int words = (rows + 63) >>> 6;
    for (int c = 0; c < vectors.length; c++) {
      switch (kind[c]) {
        case LONG, DOUBLE -> longs[c] = longs[c] == null ? new long[rows] : Arrays.copyOf(longs[c], rows);
        case INT -> ints[c] = ints[c] == null ? new int[rows] : Arrays.copyOf(ints[c], rows);
        case BIT -> bits[c] = bits[c] == null ? new long[words] : Arrays.copyOf(bits[c], words);
        case STRING -> offsets[c] = offsets[c] == null ? new int[rows + 1] : Arrays.copyOf(offsets[c], rows + 1);
        default -> { }
      }
      if (kind[c] != OTHER) valid[c] = valid[c] == null ? new long[words] : Arrays.copyOf(valid[c], words);
    }
    capacity = rows;
  }

  public int column(String name) {
    for (int i = 0; i < vectors.length; i++) if (vectors[i].getName().equals(name)) return i;
    throw new IllegalArgumentException("no column " + name);
  }

  public void setLong(int col, long v) {
    if (kind[col] != LONG) throw wrongType(col, "an int64");
    longs[col][row] = v;
    valid[col][row >>> 6] |= 1L << row;
  }

  public void setInt(int col, int v) {
    if (kind[col] != INT) throw wrongType(col, "an int32");
    ints[col][row] = v;
    valid[col][row >>> 6] |= 1L << row;
  }

  public void setDouble(int col, double v) {
    if (kind[col] != DOUBLE) throw wrongType(col, "a float64");
    longs[col][row] = Double.doubleToRawLongBits(v); // the bits Float8Vector stores
    valid[col][row >>> 6] |= 1L << row;
  }

  public void setBool(int col, boolean v) {
    if (kind[col] != BIT) throw wrongType(col, "a bool");
    long m = 1L << row;
    if (v) bits[col][row >>> 6] |= m;
    else bits[col][row >>> 6] &= ~m;
    valid[col][row >>> 6] |= m;
  }

  public void setBytes(int col, byte[] utf8) {
    if (kind[col] != STRING) throw wrongType(col, "a string");
    int[] off = offsets[col];
    for (int r = lastSet[col] + 1; r < row; r++) off[r + 1] = off[r]; // rows left unset or null: no bytes
    int start = off[row], end = start + utf8.length;
    byte[] b = bytes[col];
    if (end > b.length) bytes[col] = b = Arrays.copyOf(b, Math.max(end, b.length * 2));
    System.arraycopy(utf8, 0, b, start, utf8.length);
    off[row + 1] = end;
    lastSet[col] = row;
    valid[col][row >>> 6] |= 1L << row;
  }

  public void setString(int col, String v) { setBytes(col, v.getBytes(StandardCharsets.UTF_8)); }

  /** Makes the current row's value null (a column not set in a row is null as well). */
  public void setNull(int col) {
    switch (kind[col]) {
      case OTHER -> vectors[col].setNull(row);
      case LONG, DOUBLE -> longs[col][row] = 0;
      case INT -> ints[col][row] = 0;
      case BIT -> bits[col][row >>> 6] &= ~(1L << row);
      default -> { } // STRING: the row gets no bytes
    }
    if (kind[col] != OTHER) valid[col][row >>> 6] &= ~(1L << row);
  }

  private ClassCastException wrongType(int col, String what) {
    return new ClassCastException("column " + vectors[col].getName() + " (" + vectors[col].getClass().getSimpleName() + ") is not " + what);
  }

  /** Ends the current row; writes a batch when it is full. */
  public void endRow() throws IOException {
    row++;
    rows++;
    if (row == batchRows) flush();
    else if (row == capacity) grow(Math.min(batchRows, capacity * 2));
  }

  public long rows() { return rows; }

  private void flush() throws IOException {
    if (row == 0) return;
    int n = row;
    for (int c = 0; c < vectors.length; c++) if (kind[c] != OTHER) fill(c, n);
    root.setRowCount(n);
    try {
      writer.writeBatch();
    } catch (IOException | RuntimeException e) {
      failed = true;
      throw e;
    }
    for (FieldVector v : vectors) v.reset();
    int words = (n + 63) >>> 6;
    for (int c = 0; c < vectors.length; c++) {
      if (kind[c] == OTHER) continue;
      Arrays.fill(valid[c], 0, words, 0L);
      if (kind[c] == BIT) Arrays.fill(bits[c], 0, words, 0L);
      if (kind[c] == STRING) lastSet[c] = -1;
    }
    row = 0;
  }

  /** Copies column {@code c}'s first {@code n} rows into its vector. */
  private void fill(int c, int n) {
    FieldVector v = vectors[c];
    long[] validity = valid[c];
    int words = (n + 63) >>> 6;
    int set = 0;
    for (int i = 0; i < words; i++) set += Long.bitCount(validity[i]);
    switch (kind[c]) {
      case LONG, DOUBLE, INT -> {
        BaseFixedWidthVector f = (BaseFixedWidthVector) v;
        while (f.getValueCapacity() < n) f.reAlloc();
        if (kind[c] != INT) {
          long[] a = longs[c];
          if (set < n) for (int r = 0; r < n; r++) if ((validity[r >>> 6] & (1L << r)) == 0) a[r] = 0; // null or unset: zero, as Arrow leaves it
          f.getDataBuffer().nioBuffer(0, n * 8).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().put(a, 0, n);
        } else {
          int[] a = ints[c];
          if (set < n) for (int r = 0; r < n; r++) if ((validity[r >>> 6] & (1L << r)) == 0) a[r] = 0;
          f.getDataBuffer().nioBuffer(0, n * 4).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().put(a, 0, n);
        }
      }
      case BIT -> {
        BitVector b = (BitVector) v;
        while (b.getValueCapacity() < n) b.reAlloc();
        bitmap(b.getDataBuffer(), bits[c], n);
      }
      default -> { // STRING
        VarCharVector s = (VarCharVector) v;
        int[] off = offsets[c];
        for (int r = lastSet[c] + 1; r < n; r++) off[r + 1] = off[r];
        int size = off[n];
        while (s.getValueCapacity() < n) s.reallocValidityAndOffsetBuffers();
        if (s.getDataBuffer().capacity() < size) s.reallocDataBuffer(size);
        s.getOffsetBuffer().nioBuffer(0, (n + 1) * 4).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().put(off, 0, n + 1);
        if (size > 0) s.getDataBuffer().nioBuffer(0, size).put(bytes[c], 0, size);
        s.setLastSet(n - 1);
      }
    }
    bitmap(v.getValidityBuffer(), validity, n);
  }

  /** Writes the first {@code n} bits of {@code words} into {@code buf} as Arrow's bitmap bytes (LSB first). */
  private static void bitmap(ArrowBuf buf, long[] words, int n) {
    int nbytes = (n + 7) >>> 3, whole = nbytes >>> 3;
    if (whole > 0) buf.nioBuffer(0, whole * 8).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().put(words, 0, whole);
    for (int i = whole * 8; i < nbytes; i++) buf.setByte(i, (byte) (words[i >>> 3] >>> ((i & 7) * 8)));
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
