package org.vqsim.engine.ring;

import org.vqsim.engine.memory.GuestMemory;
import org.vqsim.engine.memory.PinnedRange;

/**
 * What the driver and the device side of a split virtqueue share: the ring's layout, its frames
 * (descriptor table, avail and used rings) pinned once, and the frame and address of each index, flags
 * and event field, which every request or packet reaches.
 */
abstract class PinnedSplitRing {
  final RingLayout layout;
  /** The ring's frames; null until {@link #pin} (the device side may pin at its first access). */
  PinnedRange ring;
  byte[] availFlagsF, availF, usedFlagsF, usedF, usedEventF, availEventF;
  long availFlagsA, availIdxA, usedFlagsA, usedIdxA, usedEventA, availEventA;

  PinnedSplitRing(RingLayout layout) {
    this.layout = layout;
  }

  final PinnedRange pin(GuestMemory mem) {
    // virtio 1.2 §2.7: the descriptor table is 16-byte aligned, so no descriptor crosses a frame
    if ((layout.descAddr() & (Descriptor.SIZE - 1)) != 0) throw new IllegalArgumentException("descriptor table must be 16-byte aligned (virtio 1.2 §2.7)");
    PinnedRange r = ring = mem.pin(layout.descAddr(), layout.end());
    availFlagsA = layout.availFlags();
    availIdxA = layout.availIdx();
    usedFlagsA = layout.usedFlags();
    usedIdxA = layout.usedIdx();
    usedEventA = layout.usedEvent();
    availEventA = layout.availEvent();
    availFlagsF = r.frameOf(availFlagsA);
    availF = r.frameOf(availIdxA);
    usedFlagsF = r.frameOf(usedFlagsA);
    usedF = r.frameOf(usedIdxA);
    usedEventF = r.frameOf(usedEventA);
    availEventF = r.frameOf(availEventA);
    return r;
  }
}
