package org.vqsim.engine.ring;

import org.vqsim.engine.memory.GuestMemory;
import org.vqsim.engine.memory.PinnedRange;

/**
 * Driver side of a split virtqueue (virtio 1.2 §2.7), following Linux 6.1
 * {@code drivers/virtio/virtio_ring.c} ({@code virtqueue_add_split}, {@code
 * virtqueue_kick_prepare_split}, {@code virtqueue_get_buf_ctx_split}, {@code detach_buf_split},
 * {@code virtqueue_disable_cb_split}, {@code virtqueue_enable_cb_prepare_split}).
 *
 * <p>As in Linux, the free list and each chain's length live in driver-private memory ({@code
 * desc_extra}): the driver never trusts what the device could have rewritten in the table.
 */
public final class SplitDriverQueue extends PinnedSplitRing implements DriverQueue {
  private final int mask;
  private final boolean eventIdx;
  private final boolean indirectEnabled;

  // driver-private state (desc_extra / desc_state in Linux)
  private final short[] nextFree;
  private final int[] chainLength;
  private final int[] token;
  private int freeHead;
  private int numFree;
  private int availIdxShadow;
  private int numAdded;
  private int lastUsedIdx;
  private int lastUsedLen;
  private boolean callbacksDisabled;
  private int inFlight;

  public SplitDriverQueue(GuestMemory mem, RingLayout layout, boolean eventIdx, boolean indirect) {
    super(layout);
    this.mask = layout.size() - 1;
    this.eventIdx = eventIdx;
    this.indirectEnabled = indirect;
    int n = layout.size();
    nextFree = new short[n];
    chainLength = new int[n];
    token = new int[n];
    for (int i = 0; i < n; i++) nextFree[i] = (short) (i + 1);
    numFree = n;
    freeHead = 0;
    // virtio 1.2 §2.7.13: the driver zeroes the rings before handing them over.
    mem.fill(layout.descAddr(), (int) (layout.end() - layout.descAddr()), (byte) 0);
    pin(mem);
  }


  public RingLayout layout() { return layout; }
  @Override public int size() { return layout.size(); }
  @Override public int numFree() { return numFree; }
  @Override public int inFlight() { return inFlight; }
  @Override public int lastUsedLen() { return lastUsedLen; }
  @Override public int peekFreeHead() { return freeHead; }

  @Override
  public int descriptorsNeeded(int segments, boolean indirect) {
    // Linux uses an indirect table when it may and more than one buffer is added.
    return indirect && indirectEnabled && segments > 1 ? 1 : segments;
  }

  @Override
  public int addDirect(GuestMemory mem, Chain chain, int tok) {
    PinnedRange r = ring;
    int n = chain.count;
    if (n == 0) throw new IllegalArgumentException("a chain needs at least one buffer (virtio 1.2 §2.7.13.1)");
    if (n > numFree) return NO_SPACE;
    int head = freeHead;
    int i = head;
    for (int s = 0; s < n; s++) {
      long d = layout.desc(i);
      int flags = (chain.deviceWrites[s] ? Descriptor.F_WRITE : 0) | (s + 1 < n ? Descriptor.F_NEXT : 0);
      byte[] f = r.frameOf(d); // (the table is 16-byte aligned: a descriptor lies in one frame)
      PinnedRange.setU64(f, d + Descriptor.ADDR, chain.addr[s]);
      PinnedRange.setU32(f, d + Descriptor.LEN, chain.len[s] & 0xffff_ffffL);
      PinnedRange.setU16(f, d + Descriptor.FLAGS, flags);
      i = nextFree[i];
      if (s + 1 < n) PinnedRange.setU16(f, d + Descriptor.NEXT, i);
    }
    freeHead = i;
    numFree -= n;
    chainLength[head] = n;
    return publish(mem, head, tok);
  }

  @Override
  public boolean indirectNegotiated() { return indirectEnabled; }

  @Override
  public void writeIndirect(GuestMemory mem, Chain chain, long tableGpa) {
    int n = chain.count;
    for (int s = 0; s < n; s++) {
      long d = tableGpa + (long) Descriptor.SIZE * s;
      // virtio 1.2 §2.7.5.3.1: the driver MUST NOT set VIRTQ_DESC_F_INDIRECT inside an indirect table.
      int flags = (chain.deviceWrites[s] ? Descriptor.F_WRITE : 0) | (s + 1 < n ? Descriptor.F_NEXT : 0);
      mem.writeU64(d + Descriptor.ADDR, chain.addr[s]);
      mem.writeU32(d + Descriptor.LEN, chain.len[s] & 0xffff_ffffL);
      mem.writeU16(d + Descriptor.FLAGS, flags);
      mem.writeU16(d + Descriptor.NEXT, s + 1 < n ? s + 1 : 0);
    }
  }

  @Override
  public int addIndirectTable(GuestMemory mem, int entries, long tableDmaAddr, int tok) {
    PinnedRange r = ring;
    if (!indirectEnabled) throw new IllegalStateException("VIRTIO_F_INDIRECT_DESC was not negotiated");
    if (numFree < 1) return NO_SPACE;
    int head = freeHead;
    long d = layout.desc(head);
    byte[] f = r.frameOf(d);
    PinnedRange.setU64(f, d + Descriptor.ADDR, tableDmaAddr);
    PinnedRange.setU32(f, d + Descriptor.LEN, (long) Descriptor.SIZE * entries);
    PinnedRange.setU16(f, d + Descriptor.FLAGS, Descriptor.F_INDIRECT);
    freeHead = nextFree[head];
    numFree -= 1;
    chainLength[head] = 1;
    return publish(mem, head, tok);
  }

  private int publish(GuestMemory mem, int head, int tok) {
    PinnedRange r = ring;
    token[head] = tok;
    // virtio 1.2 §2.7.13.2: put the head in the next avail ring slot, then (after a write barrier) bump idx.
    r.writeU16(layout.availRing(availIdxShadow & mask), head);
    availIdxShadow = RingIndex.u16(availIdxShadow + 1);
    PinnedRange.setU16(availF, availIdxA, availIdxShadow);
    numAdded++;
    inFlight++;
    return head;
  }

  @Override
  public boolean kickPrepare(GuestMemory mem) {
    int newIdx = availIdxShadow;
    int old = RingIndex.u16(newIdx - numAdded);
    numAdded = 0;
    if (newIdx == old) return false;
    if (eventIdx) {
      // virtio 1.2 §2.7.10: notify when avail_event lies in (old, new].
      return RingIndex.needEvent(PinnedRange.u16(availEventF, availEventA), newIdx, old);
    }
    // virtio 1.2 §2.7.7.2: VIRTQ_USED_F_NO_NOTIFY advises the driver not to kick.
    return (PinnedRange.u16(usedFlagsF, usedFlagsA) & 1) == 0;
  }

  @Override
  public int getBuf(GuestMemory mem) {
    PinnedRange r = ring;
    int usedIdx = PinnedRange.u16(usedF, usedIdxA);
    if (usedIdx == lastUsedIdx) return NONE;
    long e = layout.usedRing(lastUsedIdx & mask);
    int id = (int) r.readU32(e);
    lastUsedLen = (int) r.readU32(e + 4);
    if (id >= layout.size() || chainLength[id] == 0) {
      throw new IllegalStateException("device returned descriptor " + id + " which is not in flight (virtio 1.2 §2.7.8)");
    }
    int tok = token[id];
    detach(id);
    lastUsedIdx = RingIndex.u16(lastUsedIdx + 1);
    inFlight--;
    // Linux: "If we expect an interrupt for the next entry, tell host by writing event index".
    if (eventIdx && !callbacksDisabled) PinnedRange.setU16(usedEventF, usedEventA, lastUsedIdx);
    return tok;
  }

  private void detach(int head) {
    int n = chainLength[head];
    chainLength[head] = 0;
    int last = head;
    for (int k = 1; k < n; k++) last = nextFree[last];
    nextFree[last] = (short) freeHead;
    freeHead = head;
    numFree += n;
  }

  @Override
  public void disableCb(GuestMemory mem) {
    if (callbacksDisabled) return;
    callbacksDisabled = true;
    if (eventIdx) PinnedRange.setU16(usedEventF, usedEventA, 0); // Linux 6.1: "this is a hack. Figure out a cleaner value to write."
    else PinnedRange.setU16(availFlagsF, availFlagsA, 1); // VIRTQ_AVAIL_F_NO_INTERRUPT
  }

  @Override
  public boolean enableCb(GuestMemory mem) {
    if (callbacksDisabled) {
      callbacksDisabled = false;
      if (!eventIdx) PinnedRange.setU16(availFlagsF, availFlagsA, 0);
    }
    if (eventIdx) PinnedRange.setU16(usedEventF, usedEventA, lastUsedIdx);
    return PinnedRange.u16(usedF, usedIdxA) == lastUsedIdx;
  }

  /** Linux 6.1 {@code virtqueue_enable_cb_delayed_split}: used_event 3/4 of the outstanding chains ahead. */
  @Override
  public boolean enableCbDelayed(GuestMemory mem) {
    if (callbacksDisabled) {
      callbacksDisabled = false;
      if (!eventIdx) PinnedRange.setU16(availFlagsF, availFlagsA, 0);
    }
    int bufs = RingIndex.u16(availIdxShadow - lastUsedIdx) * 3 / 4;
    if (eventIdx) PinnedRange.setU16(usedEventF, usedEventA, RingIndex.u16(lastUsedIdx + bufs));
    return RingIndex.u16(PinnedRange.u16(usedF, usedIdxA) - lastUsedIdx) <= bufs;
  }
}
