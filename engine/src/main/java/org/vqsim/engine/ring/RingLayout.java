package org.vqsim.engine.ring;

/**
 * Where the three parts of a split virtqueue lie in guest-physical memory (virtio 1.2 §2.7).
 *
 * <pre>
 *  descriptor table  16 * N bytes, 16-byte aligned
 *  available ring    flags(2) idx(2) ring[N](2 each) used_event(2)    2-byte aligned
 *  used ring         flags(2) idx(2) ring[N](id 4, len 4) avail_event(2)  4-byte aligned
 * </pre>
 *
 * The parts are placed one after another, the used ring aligned to {@code usedAlign} (Linux's
 * {@code vring_init}, with the cache-line alignment that {@code virtio_pci_modern} asks for).
 */
public record RingLayout(int size, long descAddr, long availAddr, long usedAddr) {

  public static RingLayout contiguous(int size, long base, int usedAlign) {
    String err = RingIndex.splitQueueSizeError(size);
    if (err != null) throw new IllegalArgumentException(err);
    if ((base & 15) != 0) throw new IllegalArgumentException("descriptor table must be 16-byte aligned (virtio 1.2 §2.7)");
    long avail = base + (long) Descriptor.SIZE * size;
    long usedUnaligned = avail + availBytes(size);
    long used = (usedUnaligned + usedAlign - 1) / usedAlign * usedAlign;
    return new RingLayout(size, base, avail, used);
  }

  public static int availBytes(int size) { return 6 + 2 * size; }

  public static int usedBytes(int size) { return 6 + 8 * size; }

  public long availFlags() { return availAddr; }
  public long availIdx() { return availAddr + 2; }
  public long availRing(int slot) { return availAddr + 4 + 2L * slot; }
  /** used_event, present with VIRTIO_F_EVENT_IDX: just after the available ring entries. */
  public long usedEvent() { return availAddr + 4 + 2L * size; }

  public long usedFlags() { return usedAddr; }
  public long usedIdx() { return usedAddr + 2; }
  public long usedRing(int slot) { return usedAddr + 4 + 8L * slot; }
  /** avail_event, present with VIRTIO_F_EVENT_IDX: just after the used ring entries. */
  public long availEvent() { return usedAddr + 4 + 8L * size; }

  public long desc(int index) { return descAddr + (long) Descriptor.SIZE * index; }

  /** One past the last byte of the ring. */
  public long end() { return usedAddr + usedBytes(size); }
}
