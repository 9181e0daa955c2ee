package org.vqsim.engine.ring;

import org.vqsim.engine.memory.GuestMemory;

/**
 * Driver side of a packed virtqueue (virtio 1.2 §2.8), following Linux 6.1 {@code
 * drivers/virtio/virtio_ring.c} ({@code virtqueue_add_packed}, {@code
 * virtqueue_add_indirect_packed}, {@code virtqueue_kick_prepare_packed}, {@code
 * virtqueue_get_buf_ctx_packed}, {@code detach_buf_packed}, {@code virtqueue_disable_cb_packed},
 * {@code virtqueue_enable_cb_prepare_packed}, {@code more_used_packed}).
 *
 * <p>Two things are counted separately, as in Linux:
 *
 * <ul>
 *   <li>ring slots, used in ring order from {@code nextAvailIdx}; a chain takes consecutive slots
 *       (one when indirect), and the device hands the slots back in ring order too, whatever order
 *       it completes chains in;
 *   <li>buffer ids, from a free list in driver-private memory ({@code desc_extra[].next}); a chain
 *       of n direct descriptors takes n list entries, the first of which is its id, so the list
 *       never runs dry before the slots do and {@link #numFree()} counts both.
 * </ul>
 *
 * The id is what {@code add*} return as the "head", what the device reports in the used
 * descriptor and what {@link Chain#head} holds on the device side. Positions wrap with counters,
 * not masks: the queue size need not be a power of two.
 */
public final class PackedDriverQueue implements DriverQueue {
  private final PackedRingLayout layout;
  private final int size;
  private final boolean eventIdx;
  private final boolean indirectEnabled;

  // driver-private state (desc_extra / desc_state in Linux)
  private final int[] nextFree; // desc_extra[].next: the id free list
  private final int[] chainLast; // desc_state[id].last: the last list entry the chain took
  private final int[] chainSlots; // desc_state[id].num: ring slots the chain took; 0 = not in flight
  private final int[] token; // desc_state[id].data
  private int freeHead;
  private int numFree;

  private int nextAvailIdx;
  private boolean availWrapCounter = true;
  private int numAdded; // ring slots made available since the last kickPrepare

  private int lastUsedIdx;
  private boolean usedWrapCounter = true;
  private int lastUsedLen;

  private int eventFlagsShadow = PackedRingLayout.EVENT_FLAGS_ENABLE;
  private int inFlight;

  public PackedDriverQueue(GuestMemory mem, PackedRingLayout layout, boolean eventIdx, boolean indirect) {
    this.layout = layout;
    this.size = layout.size();
    this.eventIdx = eventIdx;
    this.indirectEnabled = indirect;
    nextFree = new int[size];
    chainLast = new int[size];
    chainSlots = new int[size];
    token = new int[size];
    for (int i = 0; i < size; i++) nextFree[i] = i + 1; // vring_alloc_desc_extra; the last points past the end
    numFree = size;
    // Linux allocates the ring and both event areas with __GFP_ZERO: no descriptor is available,
    // and both sides start with notifications enabled.
    mem.fill(layout.descAddr(), (int) PackedRingLayout.ringBytes(size), (byte) 0);
    mem.fill(layout.driverEventAddr(), PackedRingLayout.EVENT_BYTES, (byte) 0);
    mem.fill(layout.deviceEventAddr(), PackedRingLayout.EVENT_BYTES, (byte) 0);
  }

  public PackedRingLayout layout() { return layout; }
  @Override public int size() { return size; }
  /** Free ring slots (and, equally, free entries of the id list). */
  @Override public int numFree() { return numFree; }
  @Override public int inFlight() { return inFlight; }
  @Override public int lastUsedLen() { return lastUsedLen; }
  /** The buffer id the next add will use. */
  @Override public int peekFreeHead() { return freeHead; }

  /** Ring slot the next descriptor will be written to. */
  public int nextAvailIdx() { return nextAvailIdx; }
  public boolean availWrapCounter() { return availWrapCounter; }
  /** Ring slot where the driver looks for the next used descriptor. */
  public int lastUsedIdx() { return lastUsedIdx; }
  public boolean usedWrapCounter() { return usedWrapCounter; }

  @Override
  public int descriptorsNeeded(int segments, boolean indirect) {
    // Linux virtqueue_use_indirect: when it may and more than one buffer is added.
    return indirect && indirectEnabled && segments > 1 ? 1 : segments;
  }

  @Override
  public int addDirect(GuestMemory mem, Chain chain, int tok) {
    int n = chain.count;
    if (n == 0) throw new IllegalArgumentException("a chain needs at least one buffer (virtio 1.2 §2.8.21.1)");
    if (n > numFree) return NO_SPACE;
    int head = nextAvailIdx;
    int id = freeHead;
    boolean wrap = availWrapCounter;
    int availUsed = PackedDescriptor.availFlags(wrap);
    int headFlags = 0;
    int i = head;
    int curr = id;
    int prev = id;
    for (int s = 0; s < n; s++) {
      long d = layout.desc(i);
      int flags = availUsed | (s + 1 < n ? PackedDescriptor.F_NEXT : 0) | (chain.deviceWrites[s] ? PackedDescriptor.F_WRITE : 0);
      mem.writeU64(d + PackedDescriptor.ADDR, chain.addr[s]);
      mem.writeU32(d + PackedDescriptor.LEN, chain.len[s] & 0xffff_ffffL);
      mem.writeU16(d + PackedDescriptor.ID, id);
      if (s == 0) headFlags = flags;
      else mem.writeU16(d + PackedDescriptor.FLAGS, flags);
      prev = curr;
      curr = nextFree[curr];
      if (++i == size) {
        // passing the end flips the wrap counter, and with it the AVAIL/USED bits of the rest of the chain
        i = 0;
        wrap = !wrap;
        availUsed = PackedDescriptor.availFlags(wrap);
      }
    }
    // Linux toggles avail_wrap_counter when i < head, which misses a chain of exactly size slots; toggling on each pass is the same otherwise.
    availWrapCounter = wrap;
    nextAvailIdx = i;
    freeHead = curr;
    numFree -= n;
    chainSlots[id] = n;
    chainLast[id] = prev;
    token[id] = tok;
    // virtio 1.2 §2.8.21.1: the head's flags go last, after (a write barrier and) every other descriptor of the chain.
    mem.writeU16(layout.desc(head) + PackedDescriptor.FLAGS, headFlags);
    numAdded += n;
    inFlight++;
    return id;
  }

  @Override
  public boolean indirectNegotiated() { return indirectEnabled; }

  /**
   * Writes the table as {@code virtqueue_add_indirect_packed} does: only {@code addr}, {@code len}
   * and WRITE; no NEXT (the table's length says how many entries there are) and an id of 0, which
   * the device ignores (virtio 1.2 §2.8.19: no flags but WRITE inside an indirect table).
   */
  @Override
  public void writeIndirect(GuestMemory mem, Chain chain, long tableGpa) {
    int n = chain.count;
    for (int s = 0; s < n; s++) {
      long d = tableGpa + (long) PackedDescriptor.SIZE * s;
      mem.writeU64(d + PackedDescriptor.ADDR, chain.addr[s]);
      mem.writeU32(d + PackedDescriptor.LEN, chain.len[s] & 0xffff_ffffL);
      mem.writeU16(d + PackedDescriptor.ID, 0);
      mem.writeU16(d + PackedDescriptor.FLAGS, chain.deviceWrites[s] ? PackedDescriptor.F_WRITE : 0);
    }
  }

  @Override
  public int addIndirectTable(GuestMemory mem, int entries, long tableDmaAddr, int tok) {
    if (!indirectEnabled) throw new IllegalStateException("VIRTIO_F_INDIRECT_DESC was not negotiated");
    if (entries < 1) throw new IllegalArgumentException("an indirect table needs at least one entry (virtio 1.2 §2.8.19)");
    if (numFree < 1) return NO_SPACE;
    int head = nextAvailIdx;
    int id = freeHead;
    long d = layout.desc(head);
    mem.writeU64(d + PackedDescriptor.ADDR, tableDmaAddr);
    mem.writeU32(d + PackedDescriptor.LEN, (long) PackedDescriptor.SIZE * entries);
    mem.writeU16(d + PackedDescriptor.ID, id);
    // virtio 1.2 §2.8.21.1: flags last, making the descriptor available
    mem.writeU16(d + PackedDescriptor.FLAGS, PackedDescriptor.F_INDIRECT | PackedDescriptor.availFlags(availWrapCounter));
    if (++nextAvailIdx == size) {
      nextAvailIdx = 0;
      availWrapCounter = !availWrapCounter;
    }
    freeHead = nextFree[id];
    numFree -= 1;
    chainSlots[id] = 1;
    chainLast[id] = id;
    token[id] = tok;
    numAdded += 1;
    inFlight++;
    return id;
  }

  /**
   * Linux {@code virtqueue_kick_prepare_packed}: read the device event suppression area; with
   * DESC, kick when the slot the device asked about lies in the window just made available.
   */
  @Override
  public boolean kickPrepare(GuestMemory mem) {
    int newIdx = nextAvailIdx;
    int old = newIdx - numAdded; // may be negative after a wrap; needEvent works modulo 2^16
    int added = numAdded;
    numAdded = 0;
    if (added == 0) return false; // nothing new to tell (Linux callers only kick after adding)
    int flags = mem.readU16(layout.deviceEventFlags());
    if (flags != PackedRingLayout.EVENT_FLAGS_DESC) return flags != PackedRingLayout.EVENT_FLAGS_DISABLE;
    int event = RingIndex.packedEventIdx(mem.readU16(layout.deviceEventOffWrap()), availWrapCounter, size);
    // virtio 1.2 §2.8.10: notify when the device's event offset lies in (old, new]
    return RingIndex.needEvent(event, newIdx, old);
  }

  @Override
  public int getBuf(GuestMemory mem) {
    long d = layout.desc(lastUsedIdx);
    if (!PackedDescriptor.isUsed(mem.readU16(d + PackedDescriptor.FLAGS), usedWrapCounter)) return NONE;
    int id = mem.readU16(d + PackedDescriptor.ID);
    int len = (int) mem.readU32(d + PackedDescriptor.LEN);
    if (id >= size || chainSlots[id] == 0) {
      throw new IllegalStateException("device returned buffer id " + id + " which is not in flight (virtio 1.2 §2.8.22)");
    }
    lastUsedLen = len;
    int tok = token[id];
    int slots = chainSlots[id];
    detach(id);
    // the device used the chain's slots: the next used descriptor is that many slots on (virtio 1.2 §2.8.22)
    lastUsedIdx += slots;
    if (lastUsedIdx >= size) {
      lastUsedIdx -= size;
      usedWrapCounter = !usedWrapCounter;
    }
    inFlight--;
    // Linux: "If we expect an interrupt for the next entry, tell host by writing event index".
    if (eventFlagsShadow == PackedRingLayout.EVENT_FLAGS_DESC) {
      mem.writeU16(layout.driverEventOffWrap(), RingIndex.packedOffWrap(lastUsedIdx, usedWrapCounter));
    }
    return tok;
  }

  /** Linux {@code detach_buf_packed}: the chain's list entries go back to the front of the free list. */
  private void detach(int id) {
    nextFree[chainLast[id]] = freeHead;
    freeHead = id;
    numFree += chainSlots[id];
    chainSlots[id] = 0;
  }

  @Override
  public void disableCb(GuestMemory mem) {
    if (eventFlagsShadow == PackedRingLayout.EVENT_FLAGS_DISABLE) return;
    eventFlagsShadow = PackedRingLayout.EVENT_FLAGS_DISABLE;
    mem.writeU16(layout.driverEventFlags(), eventFlagsShadow);
  }

  /** Linux {@code virtqueue_enable_cb_prepare_packed} then {@code virtqueue_poll_packed}. */
  @Override
  public boolean enableCb(GuestMemory mem) {
    if (eventIdx) {
      // off_wrap before flags (a write barrier in Linux), so the device never sees DESC with a stale offset
      mem.writeU16(layout.driverEventOffWrap(), RingIndex.packedOffWrap(lastUsedIdx, usedWrapCounter));
    }
    if (eventFlagsShadow == PackedRingLayout.EVENT_FLAGS_DISABLE) {
      eventFlagsShadow = eventIdx ? PackedRingLayout.EVENT_FLAGS_DESC : PackedRingLayout.EVENT_FLAGS_ENABLE;
      mem.writeU16(layout.driverEventFlags(), eventFlagsShadow);
    }
    return !PackedDescriptor.isUsed(mem.readU16(layout.desc(lastUsedIdx) + PackedDescriptor.FLAGS), usedWrapCounter);
  }

  /** Linux 6.1 {@code virtqueue_enable_cb_delayed_packed}: the event offset 3/4 of the ring slots in flight ahead. */
  @Override
  public boolean enableCbDelayed(GuestMemory mem) {
    int usedIdx = lastUsedIdx;
    boolean wrap = usedWrapCounter;
    if (eventIdx) {
      int bufs = (size - numFree) * 3 / 4;
      usedIdx = lastUsedIdx + bufs;
      if (usedIdx >= size) {
        usedIdx -= size;
        wrap = !wrap;
      }
      mem.writeU16(layout.driverEventOffWrap(), RingIndex.packedOffWrap(usedIdx, wrap));
    }
    if (eventFlagsShadow == PackedRingLayout.EVENT_FLAGS_DISABLE) {
      eventFlagsShadow = eventIdx ? PackedRingLayout.EVENT_FLAGS_DESC : PackedRingLayout.EVENT_FLAGS_ENABLE;
      mem.writeU16(layout.driverEventFlags(), eventFlagsShadow);
    }
    return !PackedDescriptor.isUsed(mem.readU16(layout.desc(usedIdx) + PackedDescriptor.FLAGS), wrap);
  }
}
