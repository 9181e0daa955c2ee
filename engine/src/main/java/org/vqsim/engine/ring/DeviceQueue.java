package org.vqsim.engine.ring;

import org.vqsim.engine.memory.GuestMemory;

/**
 * The device's side of a virtqueue, working on the ring bytes as QEMU's {@code hw/virtio/virtio.c}
 * does. Implementations are final and chosen once per replay.
 */
public sealed interface DeviceQueue permits SplitDeviceQueue, PackedDeviceQueue {
  /** Whether the driver has published chains the device has not popped yet. */
  boolean hasAvailable(GuestMemory mem);

  /**
   * Pops the next chain into {@code out}. When the ring descriptor is indirect, {@code out.count}
   * is 0 and {@code out.indirectAddr/indirectLen} name the table (a device address, which the
   * caller translates before calling {@link #readIndirect}). Returns false when nothing is available.
   */
  boolean pop(GuestMemory mem, Chain out);

  /** Reads an indirect table, already translated to guest-physical, into {@code out}. */
  void readIndirect(GuestMemory mem, long tableGpa, int tableLen, Chain out);

  /** Writes one used element (QEMU {@code virtqueue_fill}). */
  void fill(GuestMemory mem, int head, int writtenLen);

  /** Publishes the filled elements (QEMU {@code virtqueue_flush}). */
  void flush(GuestMemory mem);

  /** Whether the driver wants an interrupt for what was flushed since the last notification (QEMU {@code virtio_should_notify}). */
  boolean shouldNotify(GuestMemory mem);

  /** Enables or suppresses driver notifications (QEMU {@code virtio_queue_set_notification}). */
  void setNotification(GuestMemory mem, boolean enable);
}
