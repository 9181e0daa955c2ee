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
  /**
   * The submitting CPU (the guest vCPU the request was submitted from), or -1 when the trace does
   * not say.
   */
  public int cpu = -1;
  /**
   * The request's data segments as a captured trace showed them (their lengths, in order), or 0
   * when the trace does not show them and the page-contiguity model decides.
   */
  public int segmentCount;
  public int[] segments = new int[16];

  public IoRequest set(long tsNs, byte op, long offset, int length) {
    this.tsNs = tsNs;
    this.op = op;
    this.offset = offset;
    this.length = length;
    this.cpu = -1;
    this.segmentCount = 0;
    return this;
  }

  /** Records the captured data segments; they must add up to {@link #length}. */
  public IoRequest setSegments(int[] lengths, int from, int n) {
    if (segments.length < n) segments = new int[Math.max(n, segments.length * 2)];
    System.arraycopy(lengths, from, segments, 0, n);
    segmentCount = n;
    return this;
  }

  @Override
  public String toString() {
    return IoOp.letter(op) + " " + offset + "+" + length + " @" + tsNs + "ns" + (cpu >= 0 ? " cpu " + cpu : "");
  }
}
