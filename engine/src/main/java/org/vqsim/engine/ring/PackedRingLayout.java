package org.vqsim.engine.ring;

/**
 * Where the three parts of a packed virtqueue lie in guest-physical memory (virtio 1.2 §2.8.10.1,
 * "Structure Size and Alignment").
 *
 * <pre>
 *  descriptor ring           16 * N bytes, 16-byte aligned
 *  driver event suppression  4 bytes, 4-byte aligned   (written by the driver, read by the device)
 *  device event suppression  4 bytes, 4-byte aligned   (written by the device, read by the driver)
 *
 *  event suppression area (struct pvirtq_event_suppress, virtio 1.2 §2.8.14):
 *  0                2                4
 *  +----------------+----------------+
 *  | off_wrap le16  | flags le16     |
 *  +----------------+----------------+
 *   off_wrap: bits 0..14 desc_event_off, bit 15 desc_event_wrap
 *   flags:    bits 0..1  ENABLE 0, DISABLE 1, DESC 2 (DESC only with VIRTIO_F_EVENT_IDX)
 * </pre>
 *
 * {@link #contiguous} places the parts one after another, as one coherent allocation (Linux 6.1
 * allocates three, which changes nothing the model can see).
 */
public record PackedRingLayout(int size, long descAddr, long driverEventAddr, long deviceEventAddr) {
  /** RING_EVENT_FLAGS_ENABLE: notify on every event. */
  public static final int EVENT_FLAGS_ENABLE = 0;
  /** RING_EVENT_FLAGS_DISABLE: do not notify. */
  public static final int EVENT_FLAGS_DISABLE = 1;
  /** RING_EVENT_FLAGS_DESC: notify when the descriptor named by off_wrap is reached (VIRTIO_F_EVENT_IDX). */
  public static final int EVENT_FLAGS_DESC = 2;
  /** Bytes of one event suppression area. */
  public static final int EVENT_BYTES = 4;

  public PackedRingLayout {
    String err = RingIndex.packedQueueSizeError(size);
    if (err != null) throw new IllegalArgumentException(err);
    if ((descAddr & 15) != 0) throw new IllegalArgumentException("descriptor ring must be 16-byte aligned (virtio 1.2 §2.8.10.1)");
    if ((driverEventAddr & 3) != 0 || (deviceEventAddr & 3) != 0) {
      throw new IllegalArgumentException("event suppression areas must be 4-byte aligned (virtio 1.2 §2.8.10.1)");
    }
  }

  public static PackedRingLayout contiguous(int size, long base) {
    String err = RingIndex.packedQueueSizeError(size);
    if (err != null) throw new IllegalArgumentException(err);
    long driverEvent = base + ringBytes(size); // 16 * N keeps 4-byte alignment
    return new PackedRingLayout(size, base, driverEvent, driverEvent + EVENT_BYTES);
  }

  public static long ringBytes(int size) { return (long) PackedDescriptor.SIZE * size; }

  public long desc(int index) { return descAddr + (long) PackedDescriptor.SIZE * index; }

  /** Driver event suppression: where the driver asks for (or suppresses) used-buffer notifications. */
  public long driverEventOffWrap() { return driverEventAddr; }
  public long driverEventFlags() { return driverEventAddr + 2; }

  /** Device event suppression: where the device asks for (or suppresses) available-buffer notifications. */
  public long deviceEventOffWrap() { return deviceEventAddr; }
  public long deviceEventFlags() { return deviceEventAddr + 2; }

  /** One past the last byte of the ring's three parts. */
  public long end() { return Math.max(descAddr + ringBytes(size), Math.max(driverEventAddr, deviceEventAddr) + EVENT_BYTES); }
}
