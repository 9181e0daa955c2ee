package org.vqsim.engine.ring;

import org.vqsim.engine.memory.GuestMemory;
import org.vqsim.engine.memory.PinnedRange;

/**
 * Device side of a split virtqueue (virtio 1.2 §2.7), following QEMU 7.2 {@code
 * hw/virtio/virtio.c}: {@code virtqueue_split_pop}, {@code virtqueue_split_fill}, {@code
 * virtqueue_split_flush}, {@code virtio_split_should_notify}, {@code
 * virtio_queue_split_set_notification}. It validates what the driver wrote as a device must
 * (descriptor indices in range, no loops, no nested indirect tables, table length a multiple of 16).
 */
public final class SplitDeviceQueue extends PinnedSplitRing implements DeviceQueue {
  private final int mask;
  private final int size;
  private final boolean eventIdx;
  private final boolean indirectEnabled;

  private int lastAvailIdx;
  private int usedIdx;
  private int pendingFill;
  private int signalledUsed;
  private boolean signalledUsedValid;
  private boolean notification = true;

  public SplitDeviceQueue(RingLayout layout, boolean eventIdx, boolean indirect) {
    super(layout);
    this.size = layout.size();
    this.mask = size - 1;
    this.eventIdx = eventIdx;
    this.indirectEnabled = indirect;
  }

  /** The device side of the ring in {@code mem}, its frames pinned now (the constructor above pins them at the first access). */
  public SplitDeviceQueue(GuestMemory mem, RingLayout layout, boolean eventIdx, boolean indirect) {
    this(layout, eventIdx, indirect);
    pin(mem);
  }


  @Override
  public boolean hasAvailable(GuestMemory mem) {
    if (ring == null) pin(mem);
    return PinnedRange.u16(availF, availIdxA) != lastAvailIdx;
  }

  @Override
  public boolean pop(GuestMemory mem, Chain out) {
    PinnedRange r = ring;
    if (r == null) r = pin(mem);
    int availIdx = PinnedRange.u16(availF, availIdxA);
    int pending = RingIndex.distance(lastAvailIdx, availIdx);
    if (pending == 0) return false;
    if (pending > size) throw new VirtqueueException("avail index moved " + pending + " entries ahead of the device, more than the queue size " + size);
    int head = r.readU16(layout.availRing(lastAvailIdx & mask));
    lastAvailIdx = RingIndex.u16(lastAvailIdx + 1);
    // QEMU vring_set_avail_event returns early while notifications are off (vq->notification == 0)
    if (eventIdx && notification) PinnedRange.setU16(availEventF, availEventA, lastAvailIdx);
    if (head >= size) throw new VirtqueueException("head descriptor " + head + " out of range for queue size " + size);
    out.clear();
    out.head = head;
    int i = head;
    for (int steps = 0; ; steps++) {
      if (steps >= size) throw new VirtqueueException("descriptor chain from " + head + " loops or exceeds the queue size (virtio 1.2 §2.7.5.2)");
      long d = layout.desc(i);
      byte[] f = r.frameOf(d); // (the table is 16-byte aligned: a descriptor lies in one frame)
      int flags = PinnedRange.u16(f, d + Descriptor.FLAGS);
      long addr = PinnedRange.u64(f, d + Descriptor.ADDR);
      int len = (int) PinnedRange.u32(f, d + Descriptor.LEN);
      if ((flags & Descriptor.F_INDIRECT) != 0) {
        if (!indirectEnabled) throw new VirtqueueException("indirect descriptor without VIRTIO_F_INDIRECT_DESC");
        if (steps != 0 || (flags & Descriptor.F_NEXT) != 0) throw new VirtqueueException("indirect descriptor must be alone in its chain (virtio 1.2 §2.7.5.3.1)");
        if (len == 0 || len % Descriptor.SIZE != 0) throw new VirtqueueException("indirect table length " + len + " is not a multiple of 16 (virtio 1.2 §2.7.5.3.1)");
        out.indirectAddr = addr;
        out.indirectLen = len;
        return true;
      }
      out.add(addr, len, (flags & Descriptor.F_WRITE) != 0);
      if ((flags & Descriptor.F_NEXT) == 0) return true;
      i = PinnedRange.u16(f, d + Descriptor.NEXT);
      if (i >= size) throw new VirtqueueException("next descriptor " + i + " out of range for queue size " + size);
    }
  }

  @Override
  public void readIndirect(GuestMemory mem, long tableGpa, int tableLen, Chain out) {
    int entries = tableLen / Descriptor.SIZE;
    if (entries > out.capacity()) throw new VirtqueueException("indirect table of " + entries + " entries exceeds what the device accepts (" + out.capacity() + ")");
    int i = 0;
    for (int steps = 0; ; steps++) {
      if (steps >= entries) throw new VirtqueueException("indirect chain loops or runs past its table");
      long d = tableGpa + (long) Descriptor.SIZE * i;
      int flags = mem.readU16(d + Descriptor.FLAGS);
      if ((flags & Descriptor.F_INDIRECT) != 0) throw new VirtqueueException("nested indirect descriptor (virtio 1.2 §2.7.5.3.1)");
      out.add(mem.readU64(d + Descriptor.ADDR), (int) mem.readU32(d + Descriptor.LEN), (flags & Descriptor.F_WRITE) != 0);
      if ((flags & Descriptor.F_NEXT) == 0) return;
      i = mem.readU16(d + Descriptor.NEXT);
      if (i >= entries) throw new VirtqueueException("indirect next " + i + " out of table of " + entries);
    }
  }

  @Override
  public void fill(GuestMemory mem, int head, int writtenLen) {
    PinnedRange r = ring;
    if (r == null) r = pin(mem);
    long e = layout.usedRing((usedIdx + pendingFill) & mask);
    r.writeU32(e, head);
    r.writeU32(e + 4, writtenLen & 0xffff_ffffL);
    pendingFill++;
  }

  @Override
  public void flush(GuestMemory mem) {
    if (ring == null) pin(mem);
    // virtio 1.2 §2.7.8.2: the device writes the used elements before (barrier) updating idx.
    usedIdx = RingIndex.u16(usedIdx + pendingFill);
    pendingFill = 0;
    PinnedRange.setU16(usedF, usedIdxA, usedIdx);
  }

  @Override
  public boolean shouldNotify(GuestMemory mem) {
    if (ring == null) pin(mem);
    if (!eventIdx) return (PinnedRange.u16(availFlagsF, availFlagsA) & 1) == 0; // VIRTQ_AVAIL_F_NO_INTERRUPT
    boolean valid = signalledUsedValid;
    int old = signalledUsed;
    signalledUsedValid = true;
    signalledUsed = usedIdx;
    return !valid || RingIndex.needEvent(PinnedRange.u16(usedEventF, usedEventA), usedIdx, old);
  }

  @Override
  public void setNotification(GuestMemory mem, boolean enable) {
    if (ring == null) pin(mem);
    notification = enable;
    if (eventIdx) {
      // virtio_queue_split_set_notification → vring_set_avail_event, which writes only when enabled
      if (enable) PinnedRange.setU16(availEventF, availEventA, PinnedRange.u16(availF, availIdxA));
    } else {
      int flags = PinnedRange.u16(usedFlagsF, usedFlagsA);
      PinnedRange.setU16(usedFlagsF, usedFlagsA, enable ? flags & ~1 : flags | 1); // VIRTQ_USED_F_NO_NOTIFY
    }
  }
}
