package org.vqsim.engine.ring;

/**
 * A reusable scatter-gather list: the buffers of one request as the driver hands them to a ring,
 * or as the device finds them when it pops a chain. Preallocated once and refilled per request, so
 * neither side allocates on the hot path.
 */
public final class Chain {
  public final long[] addr;
  public final int[] len;
  public final boolean[] deviceWrites;
  public int count;
  /** Device side: the head descriptor index the chain was popped from. */
  public int head;
  /** Device side: set when the ring descriptor was indirect; the table still has to be read. */
  public long indirectAddr;
  public int indirectLen;

  public Chain(int capacity) {
    addr = new long[capacity];
    len = new int[capacity];
    deviceWrites = new boolean[capacity];
  }

  public int capacity() { return addr.length; }

  public void clear() {
    count = 0;
    head = -1;
    indirectAddr = 0;
    indirectLen = 0;
  }

  /** Appends one buffer; out buffers (device reads) must precede in buffers (device writes) — virtio 1.2 §2.7.4.2. */
  public void add(long address, int length, boolean writable) {
    if (count == addr.length) throw new IllegalStateException("chain capacity " + addr.length + " exceeded");
    addr[count] = address;
    len[count] = length;
    deviceWrites[count] = writable;
    count++;
  }

  public long totalLength() {
    long t = 0;
    for (int i = 0; i < count; i++) t += len[i];
    return t;
  }
}
