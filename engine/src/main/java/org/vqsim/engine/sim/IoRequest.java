package org.vqsim.engine.sim;

/**
 * One request of a trace, as a reusable cursor: readers fill it, the engine copies what it needs.
 * Never allocated per request.
 */
public final class IoRequest {
  /** Submission time, ns from the start of the trace. */
  public long tsNs;
  /** {@link IoOp} code. */
  public byte op;
  /** Byte offset on the device. */
  public long offset;
  /** Length in bytes (0 for a flush). */
  public int length;

  public IoRequest set(long tsNs, byte op, long offset, int length) {
    this.tsNs = tsNs;
    this.op = op;
    this.offset = offset;
    this.length = length;
    return this;
  }

  @Override
  public String toString() {
    return IoOp.letter(op) + " " + offset + "+" + length + " @" + tsNs + "ns";
  }
}
