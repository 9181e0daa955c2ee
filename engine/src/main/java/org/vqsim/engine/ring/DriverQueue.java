package org.vqsim.engine.ring;

import org.vqsim.engine.memory.GuestMemory;

/**
 * The driver's side of a virtqueue, working on the ring bytes in guest memory as Linux's
 * {@code virtio_ring.c} does. Implementations are final and chosen once per replay.
 */
public sealed interface DriverQueue permits SplitDriverQueue, PackedDriverQueue {
  int NO_SPACE = -1;
  int NONE = -1;

  int size();

  /** Free descriptors left: table entries (split) or ring slots (packed). */
  int numFree();

  /** Descriptors a chain of {@code segments} buffers will take, direct or through an indirect table. */
  int descriptorsNeeded(int segments, boolean indirect);

  /**
   * Adds a chain with one descriptor per buffer; returns the head, or {@link #NO_SPACE}. The head
   * is what the device reports back: the head descriptor index (split) or the buffer id (packed).
   */
  int addDirect(GuestMemory mem, Chain chain, int token);

  /**
   * Adds a chain through an indirect table: the table's entries are written at {@code tableGpa}
   * (the driver's own view of it), the ring descriptor points at {@code tableDmaAddr} (the device's
   * view). Returns the head index, or {@link #NO_SPACE}.
   */
  default int addIndirect(GuestMemory mem, Chain chain, long tableGpa, long tableDmaAddr, int token) {
    if (!indirectNegotiated()) throw new IllegalStateException("VIRTIO_F_INDIRECT_DESC was not negotiated");
    if (numFree() < 1) return NO_SPACE;
    writeIndirect(mem, chain, tableGpa);
    return addIndirectTable(mem, chain.count, tableDmaAddr, token);
  }

  /** Whether VIRTIO_F_INDIRECT_DESC was negotiated. */
  boolean indirectNegotiated();

  /**
   * Writes the indirect table of {@code chain} at {@code tableGpa}. Linux fills the table before it
   * maps it (the mapping may copy it into a bounce slot), then adds it with {@link
   * #addIndirectTable}.
   */
  void writeIndirect(GuestMemory mem, Chain chain, long tableGpa);

  /** Adds a table of {@code entries} descriptors already written and mapped at {@code tableDmaAddr}; returns the head or {@link #NO_SPACE}. */
  int addIndirectTable(GuestMemory mem, int entries, long tableDmaAddr, int token);

  /** Decides whether the device must be notified of what was added since the last call (Linux {@code virtqueue_kick_prepare}). */
  boolean kickPrepare(GuestMemory mem);

  /** Takes the next used buffer: returns its token, or {@link #NONE}. The length the device wrote is in {@link #lastUsedLen()}. */
  int getBuf(GuestMemory mem);

  int lastUsedLen();

  /** Asks the device not to interrupt (Linux {@code virtqueue_disable_cb}). */
  void disableCb(GuestMemory mem);

  /** Re-enables interrupts; returns false when more used buffers are already waiting (Linux {@code virtqueue_enable_cb}). */
  boolean enableCb(GuestMemory mem);

  /**
   * Re-enables interrupts, asking for one only after about 3/4 of the chains in flight are used;
   * returns false when more than that are already used (Linux 6.1 {@code virtqueue_enable_cb_delayed}:
   * split {@code bufs = (avail_idx_shadow - last_used_idx) * 3 / 4}, packed
   * {@code (num - num_free) * 3 / 4}, "TODO: tune this threshold").
   */
  boolean enableCbDelayed(GuestMemory mem);

  /** The head the next add will return (split: descriptor index; packed: buffer id). */
  int peekFreeHead();

  /** Descriptor chains handed to the device and not yet returned. */
  int inFlight();
}
