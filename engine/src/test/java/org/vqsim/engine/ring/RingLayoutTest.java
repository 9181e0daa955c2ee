package org.vqsim.engine.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.vqsim.engine.memory.GuestMemory;

/**
 * The split-ring byte layout of virtio 1.2 §2.7, as {@link RingLayout} computes it and as
 * {@link SplitDriverQueue} writes it into guest memory. Offsets are written out here from the spec
 * rather than taken from the class under test.
 */
class RingLayoutTest {
  private static final long BASE = 0x10_0000L;

  @ParameterizedTest(name = "queue size {0}")
  @ValueSource(ints = {1, 2, 8, 256, 32768})
  void availRingFollowsTheDescriptorTableAndUsedEventFollowsTheAvailRing(int n) {
    RingLayout l = RingLayout.contiguous(n, BASE, 64);

    // virtio 1.2 §2.7: descriptor table 16*N bytes; struct virtq_avail { le16 flags; le16 idx; le16 ring[N]; le16 used_event; }
    assertThat(l.descAddr()).isEqualTo(BASE);
    assertThat(l.availAddr()).isEqualTo(BASE + 16L * n);
    assertThat(l.availFlags()).isEqualTo(l.availAddr());
    assertThat(l.availIdx()).isEqualTo(l.availAddr() + 2);
    assertThat(l.availRing(0)).isEqualTo(l.availAddr() + 4);
    assertThat(l.availRing(n - 1)).isEqualTo(l.availAddr() + 4 + 2L * (n - 1));
    assertThat(l.usedEvent()).isEqualTo(l.availAddr() + 4 + 2L * n);
    assertThat(l.desc(n - 1)).isEqualTo(BASE + 16L * (n - 1));
  }

  @ParameterizedTest(name = "queue size {0}")
  @ValueSource(ints = {1, 2, 8, 256, 32768})
  void usedRingIsAlignedAndAvailEventFollowsItsEntries(int n) {
    for (int align : new int[] {64, 4}) {
      RingLayout l = RingLayout.contiguous(n, BASE, align);
      long availEnd = BASE + 16L * n + 6 + 2L * n; // flags, idx, ring[N], used_event
      long expectedUsed = (availEnd + align - 1) / align * align;

      assertThat(l.usedAddr()).as("used ring with align %d", align).isEqualTo(expectedUsed);
      assertThat(l.usedAddr() % align).isZero();
      assertThat(l.usedAddr() % 4).as("virtio 1.2 §2.7: used ring 4-byte aligned").isZero();
      assertThat(l.usedAddr()).isGreaterThanOrEqualTo(l.usedEvent() + 2);
      // struct virtq_used { le16 flags; le16 idx; struct virtq_used_elem ring[N] (8 bytes each); le16 avail_event; }
      assertThat(l.usedIdx()).isEqualTo(l.usedAddr() + 2);
      assertThat(l.usedRing(0)).isEqualTo(l.usedAddr() + 4);
      assertThat(l.usedRing(n - 1)).isEqualTo(l.usedAddr() + 4 + 8L * (n - 1));
      assertThat(l.availEvent()).isEqualTo(l.usedAddr() + 4 + 8L * n);
      assertThat(l.end()).isEqualTo(l.availEvent() + 2);
    }
  }

  @ParameterizedTest(name = "queue size {0}")
  @ValueSource(ints = {0, 3, 65536, 32769, -8, 6, 100})
  void invalidSplitQueueSizesAreRejectedCitingTheSpec(int n) {
    assertThatThrownBy(() -> RingLayout.contiguous(n, BASE, 64))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("queue size " + n)
        .hasMessageContaining("virtio 1.2 §2.7");
    assertThat(RingIndex.splitQueueSizeError(n)).contains("virtio 1.2 §2.7");
  }

  @ParameterizedTest(name = "queue size {0}")
  @ValueSource(ints = {1, 2, 8, 256, 32768})
  void validSplitQueueSizesAreAccepted(int n) {
    assertThat(RingIndex.splitQueueSizeError(n)).isNull();
  }

  @ParameterizedTest(name = "base 0x{0}")
  @ValueSource(longs = {BASE + 1, BASE + 8, BASE + 2})
  void descriptorTableMustBe16ByteAligned(long base) {
    assertThatThrownBy(() -> RingLayout.contiguous(8, base, 64))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("16-byte aligned");
  }

  @ParameterizedTest(name = "queue size {0}")
  @ValueSource(ints = {1, 2, 8, 256, 32768})
  void driverWritesDescriptorFieldsLittleEndianAtSpecOffsets(int n) {
    GuestMemory mem = new GuestMemory(64L << 20);
    RingLayout l = RingLayout.contiguous(n, BASE, 64);
    SplitDriverQueue driver = new SplitDriverQueue(mem, l, false, false);
    Chain c = new Chain(3);
    c.add(0x1122_3344_5566_7788L, 0x0A0B_0C0D, false);
    if (n >= 2) c.add(0x0000_0001_0000_2000L, 4096, true);

    int head = driver.addDirect(mem, c, 42);

    assertThat(head).isZero();
    long d0 = l.desc(0);
    // addr@0 le64
    assertThat(bytes(mem, d0, 8)).containsExactly(0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11);
    // len@8 le32
    assertThat(bytes(mem, d0 + 8, 4)).containsExactly(0x0D, 0x0C, 0x0B, 0x0A);
    if (n >= 2) {
      // flags@12 le16 = NEXT, next@14 le16 = 1
      assertThat(bytes(mem, d0 + 12, 2)).containsExactly(Descriptor.F_NEXT, 0);
      assertThat(bytes(mem, d0 + 14, 2)).containsExactly(1, 0);
      long d1 = l.desc(1);
      assertThat(mem.readU64(d1)).isEqualTo(0x0000_0001_0000_2000L);
      assertThat(bytes(mem, d1 + 8, 4)).containsExactly(0x00, 0x10, 0x00, 0x00);
      assertThat(bytes(mem, d1 + 12, 2)).containsExactly(Descriptor.F_WRITE, 0);
    } else {
      assertThat(bytes(mem, d0 + 12, 2)).containsExactly(0, 0);
    }
    // avail: ring[0] = head, then idx = 1 (virtio 1.2 §2.7.13.2)
    assertThat(bytes(mem, l.availRing(0), 2)).containsExactly(0, 0);
    assertThat(bytes(mem, l.availIdx(), 2)).containsExactly(1, 0);
    assertThat(mem.readU16(l.availFlags())).isZero();
  }

  @org.junit.jupiter.api.Test
  void availRingEntriesAndIndexAdvanceWithEachPublishedChain() {
    GuestMemory mem = new GuestMemory(64L << 20);
    RingLayout l = RingLayout.contiguous(8, BASE, 64);
    SplitDriverQueue driver = new SplitDriverQueue(mem, l, false, false);
    Chain c = new Chain(2);
    c.add(0x8000, 512, false);
    c.add(0x9000, 1, true);

    int h0 = driver.addDirect(mem, c, 0);
    int h1 = driver.addDirect(mem, c, 1);
    int h2 = driver.addDirect(mem, c, 2);

    assertThat(new int[] {h0, h1, h2}).containsExactly(0, 2, 4);
    assertThat(mem.readU16(l.availRing(0))).isEqualTo(0);
    assertThat(mem.readU16(l.availRing(1))).isEqualTo(2);
    assertThat(mem.readU16(l.availRing(2))).isEqualTo(4);
    assertThat(mem.readU16(l.availIdx())).isEqualTo(3);
    assertThat(mem.readU16(l.desc(4) + Descriptor.NEXT)).isEqualTo(5);
  }

  @org.junit.jupiter.api.Test
  void driverZeroesTheRingBeforeUse() {
    GuestMemory mem = new GuestMemory(64L << 20);
    RingLayout l = RingLayout.contiguous(8, BASE, 64);
    mem.fill(l.descAddr(), (int) (l.end() - l.descAddr()), (byte) 0x5a);

    new SplitDriverQueue(mem, l, true, true);

    for (long a = l.descAddr(); a < l.end(); a++) assertThat(mem.readU8(a)).as("byte at 0x%x", a).isZero();
  }

  private static int[] bytes(GuestMemory mem, long gpa, int n) {
    int[] b = new int[n];
    for (int i = 0; i < n; i++) b[i] = mem.readU8(gpa + i);
    return b;
  }
}
