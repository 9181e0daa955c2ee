package org.vqsim.engine.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.vqsim.engine.memory.GuestMemory;

/**
 * The device refuses packed rings the specification forbids (QEMU's {@code virtio_error}). Each
 * case starts from a valid ring and changes one field.
 */
class PackedDeviceValidationTest {
  private static final long RING = 0x10_0000L;

  private final GuestMemory mem = new GuestMemory(64L << 20);
  private final PackedRingLayout layout = PackedRingLayout.contiguous(5, RING);
  private final PackedDriverQueue driver = new PackedDriverQueue(mem, layout, true, true);
  private final PackedDeviceQueue device = new PackedDeviceQueue(layout, true, true);
  private final Chain popped = new Chain(16);

  private static Chain chainOf(int buffers) {
    Chain c = new Chain(buffers);
    for (int i = 0; i < buffers; i++) c.add(0x40_0000L + 4096L * i, 4096, i > 0);
    return c;
  }

  @Test
  void theValidStartingPointPops() {
    driver.addDirect(mem, chainOf(2), 0);
    assertThat(device.pop(mem, popped)).isTrue();
    assertThat(popped.count).isEqualTo(2);
  }

  @Test
  void anEmptyRingHasNothingAvailable() {
    assertThat(device.hasAvailable(mem)).isFalse();
    assertThat(device.pop(mem, popped)).isFalse();
  }

  @Test
  void aDescriptorLeftFromThePreviousLapIsNotAvailable() {
    for (int t = 0; t < 5; t++) {
      driver.addDirect(mem, chainOf(1), t);
      device.pop(mem, popped);
      device.fill(mem, popped.head, 0);
      device.flush(mem);
      driver.getBuf(mem);
    }
    // slot 0 still says "available in lap 1"; the device is in lap 0 now
    mem.writeU16(layout.desc(0) + PackedDescriptor.FLAGS, PackedDescriptor.F_AVAIL);

    assertThat(device.hasAvailable(mem)).isFalse();
    assertThat(device.pop(mem, popped)).isFalse();
  }

  @Test
  void rejectsABufferIdOutOfRange() {
    driver.addDirect(mem, chainOf(1), 0);
    mem.writeU16(layout.desc(0) + PackedDescriptor.ID, 5);

    assertThatThrownBy(() -> device.pop(mem, popped))
        .isInstanceOf(VirtqueueException.class)
        .hasMessageContaining("buffer id 5 out of range for queue size 5");
  }

  @Test
  void rejectsABufferIdTheDeviceStillHolds() {
    driver.addDirect(mem, chainOf(1), 0);
    driver.addDirect(mem, chainOf(1), 1);
    device.pop(mem, popped);
    mem.writeU16(layout.desc(1) + PackedDescriptor.ID, 0); // the driver reuses id 0 before it came back

    assertThatThrownBy(() -> device.pop(mem, popped))
        .isInstanceOf(VirtqueueException.class)
        .hasMessageContaining("buffer id 0 made available again");
  }

  @Test
  void rejectsAChainLongerThanTheQueue() {
    driver.addDirect(mem, chainOf(5), 0);
    // the last descriptor claims to continue: the chain would run round the ring into itself
    mem.writeU16(layout.desc(4) + PackedDescriptor.FLAGS, PackedDescriptor.F_AVAIL | PackedDescriptor.F_WRITE | PackedDescriptor.F_NEXT);

    assertThatThrownBy(() -> device.pop(mem, popped))
        .isInstanceOf(VirtqueueException.class)
        .hasMessageContaining("longer than the queue size 5");
  }

  @Test
  void acceptsAChainExactlyAsLongAsTheQueue() {
    driver.addDirect(mem, chainOf(5), 0);

    assertThat(device.pop(mem, popped)).isTrue();
    assertThat(popped.count).isEqualTo(5);
    assertThat(device.lastAvailIdx()).isZero();
    assertThat(device.lastAvailWrapCounter()).isFalse();
  }

  @Test
  void rejectsAChainLongerThanTheDeviceAccepts() {
    driver.addDirect(mem, chainOf(4), 0);

    assertThatThrownBy(() -> device.pop(mem, new Chain(3)))
        .isInstanceOf(VirtqueueException.class)
        .hasMessageContaining("exceeds what the device accepts");
  }

  @Test
  void rejectsAnIndirectDescriptorInsideAChain() {
    driver.addDirect(mem, chainOf(3), 0);
    mem.writeU16(layout.desc(1) + PackedDescriptor.FLAGS, PackedDescriptor.F_AVAIL | PackedDescriptor.F_INDIRECT | PackedDescriptor.F_NEXT);

    assertThatThrownBy(() -> device.pop(mem, popped))
        .isInstanceOf(VirtqueueException.class)
        .hasMessageContaining("inside a chain")
        .hasMessageContaining("§2.8.19");
  }

  @Test
  void fillOfAnIdThatWasNotPoppedIsAModelError() {
    driver.addDirect(mem, chainOf(1), 0);

    assertThatThrownBy(() -> device.fill(mem, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    device.pop(mem, popped);
    device.fill(mem, 0, 0);
    assertThatThrownBy(() -> device.fill(mem, 0, 0)).as("filled twice").isInstanceOf(IllegalArgumentException.class);
  }
}
