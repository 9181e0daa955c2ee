package org.vqsim.engine.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.vqsim.engine.memory.GuestMemory;

/**
 * The packed-ring byte layout of virtio 1.2 §2.8: the 16-byte descriptor (§2.8.13), its flag bits,
 * and the two 4-byte event suppression areas (§2.8.10.1, §2.8.14), as {@link PackedRingLayout}
 * computes them and as the driver and device write them. Offsets are written out here from the
 * spec rather than taken from the classes under test.
 */
class PackedRingLayoutTest {
  private static final long BASE = 0x10_0000L;

  @Test
  void descriptorFieldOffsetsAndFlagBitsAreTheSpecs() {
    // struct pvirtq_desc { le64 addr; le32 len; le16 id; le16 flags; }
    assertThat(PackedDescriptor.SIZE).isEqualTo(16);
    assertThat(new int[] {PackedDescriptor.ADDR, PackedDescriptor.LEN, PackedDescriptor.ID, PackedDescriptor.FLAGS}).containsExactly(0, 8, 12, 14);
    // VIRTQ_DESC_F_NEXT 1, _WRITE 2, _INDIRECT 4, VIRTQ_DESC_F_AVAIL (1 << 7), VIRTQ_DESC_F_USED (1 << 15)
    assertThat(new int[] {PackedDescriptor.F_NEXT, PackedDescriptor.F_WRITE, PackedDescriptor.F_INDIRECT}).containsExactly(1, 2, 4);
    assertThat(PackedDescriptor.F_AVAIL).isEqualTo(0x0080);
    assertThat(PackedDescriptor.F_USED).isEqualTo(0x8000);
    // RING_EVENT_FLAGS_ENABLE 0x0, _DISABLE 0x1, _DESC 0x2
    assertThat(new int[] {PackedRingLayout.EVENT_FLAGS_ENABLE, PackedRingLayout.EVENT_FLAGS_DISABLE, PackedRingLayout.EVENT_FLAGS_DESC}).containsExactly(0, 1, 2);
  }

  @ParameterizedTest(name = "queue size {0}")
  @ValueSource(ints = {1, 3, 256, 1000, 32768})
  void eventAreasFollowTheDescriptorRingFourBytesEach(int n) {
    PackedRingLayout l = PackedRingLayout.contiguous(n, BASE);

    assertThat(l.size()).isEqualTo(n);
    assertThat(l.descAddr()).isEqualTo(BASE);
    assertThat(l.desc(0)).isEqualTo(BASE);
    assertThat(l.desc(n - 1)).isEqualTo(BASE + 16L * (n - 1));
    assertThat(l.descAddr() % 16).as("virtio 1.2 §2.8.10.1: descriptor ring 16-byte aligned").isZero();
    assertThat(l.driverEventAddr()).isEqualTo(BASE + 16L * n);
    assertThat(l.deviceEventAddr()).isEqualTo(BASE + 16L * n + 4);
    assertThat(l.driverEventAddr() % 4).as("event areas 4-byte aligned").isZero();
    assertThat(l.deviceEventAddr() % 4).isZero();
    // struct pvirtq_event_suppress { le16 desc (off 15 bits, wrap 1 bit); le16 flags; }
    assertThat(l.driverEventOffWrap()).isEqualTo(l.driverEventAddr());
    assertThat(l.driverEventFlags()).isEqualTo(l.driverEventAddr() + 2);
    assertThat(l.deviceEventOffWrap()).isEqualTo(l.deviceEventAddr());
    assertThat(l.deviceEventFlags()).isEqualTo(l.deviceEventAddr() + 2);
    assertThat(l.end()).isEqualTo(BASE + 16L * n + 8);
    assertThat(PackedRingLayout.ringBytes(n)).isEqualTo(16L * n);
  }

  @ParameterizedTest(name = "queue size {0}")
  @ValueSource(ints = {0, -1, 32769, 65536})
  void sizesOutside1To32768AreRejectedCitingTheSpec(int n) {
    assertThatThrownBy(() -> PackedRingLayout.contiguous(n, BASE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("queue size " + n)
        .hasMessageContaining("virtio 1.2 §2.8");
  }

  @ParameterizedTest(name = "queue size {0}")
  @ValueSource(ints = {1, 3, 5, 6, 100, 1000, 32767, 32768})
  void anySizeUpTo32768IsAcceptedPowerOfTwoOrNot(int n) {
    assertThat(RingIndex.packedQueueSizeError(n)).isNull();
    assertThat(PackedRingLayout.contiguous(n, BASE).size()).isEqualTo(n);
  }

  @ParameterizedTest(name = "base 0x{0}")
  @ValueSource(longs = {BASE + 1, BASE + 4, BASE + 8})
  void descriptorRingMustBe16ByteAligned(long base) {
    assertThatThrownBy(() -> PackedRingLayout.contiguous(8, base))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("16-byte aligned");
  }

  @Test
  void eventAreasMustBe4ByteAligned() {
    assertThatThrownBy(() -> new PackedRingLayout(8, BASE, BASE + 0x1002, BASE + 0x1004))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("4-byte aligned");
  }

  @ParameterizedTest(name = "queue size {0}")
  @ValueSource(ints = {1, 3, 256, 1000, 32768})
  void driverWritesDescriptorFieldsLittleEndianAtSpecOffsets(int n) {
    GuestMemory mem = new GuestMemory(64L << 20);
    PackedRingLayout l = PackedRingLayout.contiguous(n, BASE);
    PackedDriverQueue driver = new PackedDriverQueue(mem, l, false, false);
    Chain c = new Chain(2);
    c.add(0x1122_3344_5566_7788L, 0x0A0B_0C0D, false);
    if (n >= 2) c.add(0x0000_0001_0000_2000L, 4096, true);

    int id = driver.addDirect(mem, c, 42);

    assertThat(id).as("the first buffer id").isZero();
    long d0 = l.desc(0);
    assertThat(bytes(mem, d0, 8)).as("addr@0 le64").containsExactly(0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11);
    assertThat(bytes(mem, d0 + 8, 4)).as("len@8 le32").containsExactly(0x0D, 0x0C, 0x0B, 0x0A);
    assertThat(bytes(mem, d0 + 12, 2)).as("id@12 le16").containsExactly(0, 0);
    if (n >= 2) {
      // flags@14: AVAIL (wrap counter 1), USED clear, NEXT
      assertThat(bytes(mem, d0 + 14, 2)).containsExactly(0x80 | PackedDescriptor.F_NEXT, 0x00);
      long d1 = l.desc(1);
      assertThat(mem.readU64(d1)).isEqualTo(0x0000_0001_0000_2000L);
      assertThat(bytes(mem, d1 + 8, 4)).containsExactly(0x00, 0x10, 0x00, 0x00);
      assertThat(bytes(mem, d1 + 12, 2)).as("every descriptor of a chain carries its id").containsExactly(0, 0);
      assertThat(bytes(mem, d1 + 14, 2)).containsExactly(0x80 | PackedDescriptor.F_WRITE, 0x00);
    } else {
      // a one-slot ring: the chain reached the end, but its descriptor was written with wrap counter 1
      assertThat(bytes(mem, d0 + 14, 2)).containsExactly(0x80, 0x00);
    }
    assertThat(mem.readU32(l.driverEventAddr())).as("driver event area untouched").isZero();
  }

  @Test
  void eventSuppressionWordsAreWrittenLittleEndianOffThenWrapThenFlags() {
    GuestMemory mem = new GuestMemory(64L << 20);
    PackedRingLayout l = PackedRingLayout.contiguous(1000, BASE);
    PackedDriverQueue driver = new PackedDriverQueue(mem, l, true, false);
    PackedDeviceQueue device = new PackedDeviceQueue(l, true, false);
    Chain one = new Chain(1);
    one.add(0x20_0000L, 512, true);
    Chain popped = new Chain(4);
    for (int t = 0; t < 300; t++) driver.addDirect(mem, one, t);

    device.setNotification(mem, false);
    assertThat(bytes(mem, l.deviceEventFlags(), 2)).as("device: RING_EVENT_FLAGS_DISABLE").containsExactly(1, 0);
    while (device.pop(mem, popped)) {
      // take all 300
    }
    device.setNotification(mem, true);
    // off 300 = 0x012c, wrap bit 15 set: 0x812c
    assertThat(bytes(mem, l.deviceEventOffWrap(), 2)).containsExactly(0x2c, 0x81);
    assertThat(bytes(mem, l.deviceEventFlags(), 2)).as("RING_EVENT_FLAGS_DESC").containsExactly(2, 0);

    driver.disableCb(mem);
    assertThat(bytes(mem, l.driverEventFlags(), 2)).containsExactly(1, 0);
    assertThat(driver.enableCb(mem)).isTrue();
    assertThat(bytes(mem, l.driverEventOffWrap(), 2)).as("driver asks about slot 0 of lap 1").containsExactly(0x00, 0x80);
    assertThat(bytes(mem, l.driverEventFlags(), 2)).containsExactly(2, 0);
  }

  @Test
  void usedDescriptorCarriesIdLenAndBothWrapBits() {
    GuestMemory mem = new GuestMemory(64L << 20);
    PackedRingLayout l = PackedRingLayout.contiguous(3, BASE);
    PackedDriverQueue driver = new PackedDriverQueue(mem, l, false, false);
    PackedDeviceQueue device = new PackedDeviceQueue(l, false, false);
    Chain two = new Chain(2);
    two.add(0xAAAA_0000L, 16, false);
    two.add(0xBBBB_0000L, 1, true);
    Chain popped = new Chain(4);

    int id = driver.addDirect(mem, two, 5);
    device.pop(mem, popped);
    device.fill(mem, popped.head, 0x0102_0304);
    device.flush(mem);

    long d0 = l.desc(0);
    assertThat(bytes(mem, d0 + 12, 2)).containsExactly(id, 0);
    assertThat(bytes(mem, d0 + 8, 4)).as("written length").containsExactly(0x04, 0x03, 0x02, 0x01);
    assertThat(bytes(mem, d0 + 14, 2)).as("AVAIL and USED both = wrap counter 1").containsExactly(0x80, 0x80);
    assertThat(mem.readU64(d0)).as("the device leaves addr alone").isEqualTo(0xAAAA_0000L);
    assertThat(mem.readU16(l.desc(1) + 14)).as("only one used descriptor per chain").isEqualTo(PackedDescriptor.F_AVAIL | PackedDescriptor.F_WRITE);
    assertThat(driver.getBuf(mem)).isEqualTo(5);
    assertThat(driver.lastUsedLen()).isEqualTo(0x0102_0304);
  }

  @Test
  void driverZeroesTheRingAndBothEventAreasBeforeUse() {
    GuestMemory mem = new GuestMemory(64L << 20);
    PackedRingLayout l = PackedRingLayout.contiguous(7, BASE);
    mem.fill(l.descAddr(), (int) (l.end() - l.descAddr()), (byte) 0x5a);

    new PackedDriverQueue(mem, l, true, true);

    for (long a = l.descAddr(); a < l.end(); a++) assertThat(mem.readU8(a)).as("byte at 0x%x", a).isZero();
  }

  static int[] bytes(GuestMemory mem, long gpa, int n) {
    int[] b = new int[n];
    for (int i = 0; i < n; i++) b[i] = mem.readU8(gpa + i);
    return b;
  }
}
