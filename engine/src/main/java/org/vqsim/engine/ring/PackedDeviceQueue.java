package org.vqsim.engine.ring;

import org.vqsim.engine.memory.GuestMemory;

/**
 * Device side of a packed virtqueue (virtio 1.2 §2.8), following QEMU 7.2 {@code
 * hw/virtio/virtio.c}: {@code virtqueue_packed_pop}, {@code virtqueue_packed_fill}, {@code
 * virtqueue_packed_fill_desc}, {@code virtqueue_packed_flush}, {@code virtio_packed_should_notify},
 * {@code virtio_queue_packed_set_notification}.
 *
 * <p>The device reads available descriptors at {@code lastAvailIdx} and writes used descriptors at
 * {@code usedIdx}, both ring positions with their own wrap counters. A used descriptor carries the
 * chain's buffer id and the length written, and the device moves on by the number of ring slots
 * the chain took ({@code elem->ndescs}): one for an indirect chain. It remembers that count per id
 * between pop and fill, in a preallocated table.
 *
 * <p>It validates what the driver wrote as a device must: ids in range and not already in use,
 * chains no longer than the queue, INDIRECT alone in its chain, indirect tables a whole number of
 * descriptors with no flags but WRITE inside.
 */
public final class PackedDeviceQueue implements DeviceQueue {
  private final PackedRingLayout layout;
  private final int size;
  private final boolean eventIdx;
  private final boolean indirectEnabled;

  private int lastAvailIdx;
  private boolean lastAvailWrapCounter = true;
  private int usedIdx;
  private boolean usedWrapCounter = true;
  private int signalledUsed;
  private boolean signalledUsedValid;

  /** Ring slots each popped, not yet filled, id took; 0 = the id is not with the device. */
  private final int[] slotsOfId;
  // filled, not yet flushed (QEMU vq->used_elems)
  private final int[] pendingId;
  private final int[] pendingLen;
  private final int[] pendingSlots;
  private int pendingFill;

  public PackedDeviceQueue(PackedRingLayout layout, boolean eventIdx, boolean indirect) {
    this.layout = layout;
    this.size = layout.size();
    this.eventIdx = eventIdx;
    this.indirectEnabled = indirect;
    slotsOfId = new int[size];
    pendingId = new int[size];
    pendingLen = new int[size];
    pendingSlots = new int[size];
  }

  /** Ring slot of the next descriptor the device will read. */
  public int lastAvailIdx() { return lastAvailIdx; }
  public boolean lastAvailWrapCounter() { return lastAvailWrapCounter; }
  /** Ring slot of the next used descriptor the device will write. */
  public int usedIdx() { return usedIdx; }
  public boolean usedWrapCounter() { return usedWrapCounter; }

  /** QEMU {@code virtio_queue_packed_empty}: is the descriptor at last_avail_idx available in this lap? */
  @Override
  public boolean hasAvailable(GuestMemory mem) {
    return PackedDescriptor.isAvail(mem.readU16(layout.desc(lastAvailIdx) + PackedDescriptor.FLAGS), lastAvailWrapCounter);
  }

  @Override
  public boolean pop(GuestMemory mem, Chain out) {
    int i = lastAvailIdx;
    long d = layout.desc(i);
    int flags = mem.readU16(d + PackedDescriptor.FLAGS);
    if (!PackedDescriptor.isAvail(flags, lastAvailWrapCounter)) return false;
    // flags first, then (after a read barrier) the rest of the descriptor
    long addr = mem.readU64(d + PackedDescriptor.ADDR);
    int len = (int) mem.readU32(d + PackedDescriptor.LEN);
    int id = mem.readU16(d + PackedDescriptor.ID);
    if (id >= size) throw new VirtqueueException("buffer id " + id + " out of range for queue size " + size);
    if (slotsOfId[id] != 0) throw new VirtqueueException("buffer id " + id + " made available again while the device still holds it");
    out.clear();
    out.head = id;
    int slots;
    if ((flags & PackedDescriptor.F_INDIRECT) != 0) {
      if (!indirectEnabled) throw new VirtqueueException("indirect descriptor without VIRTIO_F_INDIRECT_DESC (virtio 1.2 §2.8.19)");
      if ((flags & PackedDescriptor.F_NEXT) != 0) throw new VirtqueueException("indirect descriptor must be alone in its chain (virtio 1.2 §2.8.19)");
      // QEMU: "Invalid size for indirect buffer table"
      if (len == 0 || len % PackedDescriptor.SIZE != 0) throw new VirtqueueException("indirect table length " + len + " is not a positive multiple of 16 (virtio 1.2 §2.8.19)");
      out.indirectAddr = addr;
      out.indirectLen = len;
      slots = 1;
    } else {
      slots = 1;
      while (true) {
        if (out.count == out.capacity()) throw new VirtqueueException("descriptor chain of more than " + out.capacity() + " buffers exceeds what the device accepts");
        out.add(addr, len, (flags & PackedDescriptor.F_WRITE) != 0);
        if ((flags & PackedDescriptor.F_NEXT) == 0) break;
        // QEMU: "Looped descriptor"; a chain cannot take more slots than the ring has
        if (slots == size) throw new VirtqueueException("descriptor chain from slot " + lastAvailIdx + " is longer than the queue size " + size + " (virtio 1.2 §2.8.17)");
        if (++i == size) i = 0; // QEMU virtqueue_packed_read_next_desc: the chain continues round the end
        d = layout.desc(i);
        flags = mem.readU16(d + PackedDescriptor.FLAGS);
        addr = mem.readU64(d + PackedDescriptor.ADDR);
        len = (int) mem.readU32(d + PackedDescriptor.LEN);
        slots++;
        if ((flags & PackedDescriptor.F_INDIRECT) != 0) throw new VirtqueueException("indirect descriptor inside a chain linked by NEXT (virtio 1.2 §2.8.19)");
      }
    }
    slotsOfId[id] = slots;
    lastAvailIdx += slots;
    if (lastAvailIdx >= size) {
      lastAvailIdx -= size;
      lastAvailWrapCounter = !lastAvailWrapCounter;
    }
    return true;
  }

  /**
   * Reads every entry of an indirect table (QEMU walks {@code len / 16} entries; the driver sets no
   * NEXT inside a packed table).
   */
  @Override
  public void readIndirect(GuestMemory mem, long tableGpa, int tableLen, Chain out) {
    int entries = tableLen / PackedDescriptor.SIZE;
    if (entries > out.capacity()) throw new VirtqueueException("indirect table of " + entries + " entries exceeds what the device accepts (" + out.capacity() + ")");
    for (int k = 0; k < entries; k++) {
      long d = tableGpa + (long) PackedDescriptor.SIZE * k;
      int flags = mem.readU16(d + PackedDescriptor.FLAGS);
      if ((flags & PackedDescriptor.F_INDIRECT) != 0) throw new VirtqueueException("nested indirect descriptor (virtio 1.2 §2.8.19)");
      if ((flags & PackedDescriptor.F_NEXT) != 0) throw new VirtqueueException("NEXT inside an indirect table; only WRITE is allowed there (virtio 1.2 §2.8.19)");
      out.add(mem.readU64(d + PackedDescriptor.ADDR), (int) mem.readU32(d + PackedDescriptor.LEN), (flags & PackedDescriptor.F_WRITE) != 0);
    }
  }

  /** QEMU {@code virtqueue_packed_fill}: remember the element; nothing reaches the ring before {@link #flush}. */
  @Override
  public void fill(GuestMemory mem, int head, int writtenLen) {
    if (head < 0 || head >= size || slotsOfId[head] == 0) throw new IllegalArgumentException("buffer id " + head + " was not popped, or was filled already");
    if (pendingFill == size) throw new IllegalStateException("more than " + size + " elements filled without a flush");
    int k = pendingFill++;
    pendingId[k] = head;
    pendingLen[k] = writtenLen;
    pendingSlots[k] = slotsOfId[head];
    slotsOfId[head] = 0;
  }

  /**
   * QEMU {@code virtqueue_packed_flush}: write the used descriptors, the first one's flags last so
   * the driver sees none of the batch before all of it (virtio 1.2 §2.8.22). Each element goes
   * where the previous one's slots end (QEMU places element k at {@code used_idx + k}, which is
   * the same for the one-element flushes it does per request).
   */
  @Override
  public void flush(GuestMemory mem) {
    int n = pendingFill;
    if (n == 0) return;
    int pos = usedIdx;
    boolean wrap = usedWrapCounter;
    int total = 0;
    for (int k = 0; k < n; k++) {
      if (k > 0) writeUsed(mem, pos, wrap, pendingId[k], pendingLen[k]);
      total += pendingSlots[k];
      pos += pendingSlots[k];
      if (pos >= size) {
        pos -= size;
        wrap = !wrap;
      }
    }
    writeUsed(mem, usedIdx, usedWrapCounter, pendingId[0], pendingLen[0]);
    pendingFill = 0;
    usedIdx += total;
    if (usedIdx >= size) {
      usedIdx -= size;
      usedWrapCounter = !usedWrapCounter;
      signalledUsedValid = false;
    }
  }

  /** QEMU {@code virtqueue_packed_fill_desc}: id and len, then (after a write barrier) flags with AVAIL = USED = wrap. */
  private void writeUsed(GuestMemory mem, int slot, boolean wrap, int id, int len) {
    long d = layout.desc(slot);
    mem.writeU16(d + PackedDescriptor.ID, id);
    mem.writeU32(d + PackedDescriptor.LEN, len & 0xffff_ffffL);
    mem.writeU16(d + PackedDescriptor.FLAGS, PackedDescriptor.usedFlags(wrap));
  }

  /** QEMU {@code virtio_packed_should_notify}: the driver event suppression area decides. */
  @Override
  public boolean shouldNotify(GuestMemory mem) {
    int flags = mem.readU16(layout.driverEventFlags());
    int offWrap = mem.readU16(layout.driverEventOffWrap());
    int old = signalledUsed;
    int now = usedIdx;
    boolean valid = signalledUsedValid;
    signalledUsed = now;
    signalledUsedValid = true;
    if (flags == PackedRingLayout.EVENT_FLAGS_DISABLE) return false;
    if (flags == PackedRingLayout.EVENT_FLAGS_ENABLE) return true;
    // DESC (virtio 1.2 §2.8.10): notify when the driver's event offset lies in (old, new]
    return !valid || RingIndex.needEvent(RingIndex.packedEventIdx(offWrap, usedWrapCounter, size), now, old);
  }

  /** QEMU {@code virtio_queue_packed_set_notification}: the device event suppression area. */
  @Override
  public void setNotification(GuestMemory mem, boolean enable) {
    int flags;
    if (!enable) {
      flags = PackedRingLayout.EVENT_FLAGS_DISABLE;
    } else if (eventIdx) {
      // ask to be told when the driver makes the next slot available; off_wrap before flags
      mem.writeU16(layout.deviceEventOffWrap(), RingIndex.packedOffWrap(lastAvailIdx, lastAvailWrapCounter));
      flags = PackedRingLayout.EVENT_FLAGS_DESC;
    } else {
      flags = PackedRingLayout.EVENT_FLAGS_ENABLE;
    }
    mem.writeU16(layout.deviceEventFlags(), flags);
  }
}
