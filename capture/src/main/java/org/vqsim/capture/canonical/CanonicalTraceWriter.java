package org.vqsim.capture.canonical;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.vqsim.engine.sim.IoOp;
import org.vqsim.engine.sim.IoRequest;

/**
 * Writes a canonical trace in fixed-size record batches with one reused {@link VectorSchemaRoot}.
 * A writer made with {@code cpus} writes the {@code cpu} column, and then every request must carry
 * its CPU; one without writes exactly the four columns of a trace that does not know CPUs.
 */
public final class CanonicalTraceWriter implements AutoCloseable {
  private static final byte[][] OP_BYTES = {"R".getBytes(StandardCharsets.US_ASCII), "W".getBytes(StandardCharsets.US_ASCII),
      "F".getBytes(StandardCharsets.US_ASCII), "D".getBytes(StandardCharsets.US_ASCII)};

  private final BufferAllocator allocator;
  private final VectorSchemaRoot root;
  private final WritableByteChannel channel;
  private boolean failed; // a write failed: close only frees memory
  private final ArrowFileWriter writer;
  private final BigIntVector ts;
  private final VarCharVector op;
  private final BigIntVector offset;
  private final IntVector length;
  private final IntVector cpu; // null without CPUs
  private int rows;
  private long written;

  public CanonicalTraceWriter(Path file, Map<String, String> metadata) throws IOException {
    this(file, metadata, false);
  }

  /** @param cpus write the {@code cpu} column (every request must then have {@link IoRequest#cpu} ≥ 0) */
  public CanonicalTraceWriter(Path file, Map<String, String> metadata, boolean cpus) throws IOException {
    this(FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING), metadata, cpus);
  }

  /** Writes into {@code channel} (closed with the writer), e.g. one whose failures name the final file. */
  public CanonicalTraceWriter(WritableByteChannel channel, Map<String, String> metadata) throws IOException {
    this(channel, metadata, false);
  }

  /**
   * Writes into {@code channel} (closed with the writer).
   *
   * @param cpus write the {@code cpu} column (every request must then have {@link IoRequest#cpu} ≥ 0)
   */
  public CanonicalTraceWriter(WritableByteChannel channel, Map<String, String> metadata, boolean cpus) throws IOException {
    this.channel = channel;
    allocator = new RootAllocator();
    root = VectorSchemaRoot.create(CanonicalTrace.schema(metadata, cpus), allocator);
    ts = (BigIntVector) root.getVector(CanonicalTrace.TS_NS);
    op = (VarCharVector) root.getVector(CanonicalTrace.OP);
    offset = (BigIntVector) root.getVector(CanonicalTrace.OFFSET);
    length = (IntVector) root.getVector(CanonicalTrace.LENGTH);
    cpu = cpus ? (IntVector) root.getVector(CanonicalTrace.CPU) : null;
    writer = new ArrowFileWriter(root, null, channel);
    writer.start();
    allocate();
  }

  private void allocate() {
    root.clear();
    ts.allocateNew(CanonicalTrace.BATCH_ROWS);
    op.allocateNew(CanonicalTrace.BATCH_ROWS, CanonicalTrace.BATCH_ROWS);
    offset.allocateNew(CanonicalTrace.BATCH_ROWS);
    length.allocateNew(CanonicalTrace.BATCH_ROWS);
    if (cpu != null) cpu.allocateNew(CanonicalTrace.BATCH_ROWS);
    rows = 0;
  }

  public void write(IoRequest r) throws IOException {
    if (cpu != null) {
      if (r.cpu < 0) throw new IllegalArgumentException("request " + written + " (" + r + ") has no CPU, and this trace is written with CPUs");
      cpu.set(rows, r.cpu);
    }
    ts.set(rows, r.tsNs);
    op.set(rows, OP_BYTES[r.op]);
    offset.set(rows, r.offset);
    length.set(rows, r.length);
    rows++;
    written++;
    if (rows == CanonicalTrace.BATCH_ROWS) flush();
  }

  private void flush() throws IOException {
    if (rows == 0) return;
    root.setRowCount(rows);
    try {
      writer.writeBatch();
    } catch (IOException | RuntimeException e) {
      failed = true;
      throw e;
    }
    allocate();
  }

  public long written() { return written; }

  /** Whether this writer writes the {@code cpu} column. */
  public boolean writesCpus() { return cpu != null; }

  @Override
  public void close() throws IOException {
    try {
      if (!failed) {
        flush();
        writer.end();
      }
    } finally {
      try {
        if (!failed) writer.close(); // after a failed write its close() would write again and hide the first error
      } finally {
        root.close();
        channel.close();
        allocator.close();
      }
    }
  }

  static {
    if (IoOp.READ != 0 || IoOp.DISCARD != 3) throw new AssertionError("op codes changed");
  }
}
