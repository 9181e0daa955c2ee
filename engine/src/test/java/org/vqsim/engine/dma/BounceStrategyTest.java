package org.vqsim.engine.dma;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.vqsim.engine.cost.Actor;
import org.vqsim.engine.cost.Category;
import org.vqsim.engine.cost.EventKind;

/**
 * {@code bounce} (dma-direct + swiotlb), i.e. {@link SwiotlbBouncer}: Linux 6.1 {@code
 * swiotlb_tbl_map_single} copies the buffer into its slots at map in every direction ("fix info
 * leak with DMA_FROM_DEVICE", 5.19), {@code swiotlb_tbl_unmap_single} copies back only for
 * DMA_FROM_DEVICE / DMA_BIDIRECTIONAL; {@code trace_swiotlb_bounced} fires once per map with the
 * mapping size (dma-direct {@code swiotlb_map}).
 */
class BounceStrategyTest {
  private static final long BUF = 0x1000_0000L;
  // x86-kvm.profile: bounce_copy_cycles_per_kib = 307, bounce_alloc_cycles = 600
  private static final long COPY_4K = 1228; // 4096 x 307 / 1024 = 1228
  private static final long COPY_16B = 5; // 16 x 307 / 1024 = 4.797 -> 5
  /** x86-kvm.profile: bounce_alloc_cycles (slot search, at map) and bounce_release_cycles (at unmap), under the area lock. */
  private static final long ALLOC = 400, RELEASE = 200;

  private DmaFixture f;

  @BeforeEach
  void setUp() {
    f = new DmaFixture(StrategyId.BOUNCE, DmaFixture.X86);
  }

  private BounceStrategy bounce() {
    return (BounceStrategy) f.dma;
  }

  private void pattern(long addr, int len, int seed) {
    for (int i = 0; i < len; i++) f.mem.writeU8(addr + i, (i * 31 + seed) & 0xff);
  }

  private void assertPattern(long addr, int len, int seed) {
    for (int i = 0; i < len; i++) assertThat(f.mem.readU8(addr + i)).as("byte %d at 0x%x", i, addr + i).isEqualTo((i * 31 + seed) & 0xff);
  }

  @ParameterizedTest
  @EnumSource(DmaDirection.class)
  void mapCopiesTheBufferIntoTheSlotInEveryDirection(DmaDirection dir) {
    pattern(BUF, 4096, 7);
    long tlb = f.map(BUF, 4096, dir);
    assertThat(tlb).isNotEqualTo(DmaStrategy.MAPPING_ERROR);
    assertThat(bounce().pool().contains(tlb)).isTrue();
    assertPattern(tlb, 4096, 7);
    assertThat(f.translate(tlb, 4096)).as("the device sees the shared slot untranslated").isEqualTo(tlb);
  }

  @Test
  void swiotlbCopiesBackOnlyOnUnmapFromDevice() {
    pattern(BUF, 4096, 1);
    long tlb = f.map(BUF, 4096, DmaDirection.FROM_DEVICE);
    pattern(tlb, 4096, 99); // the device writes the read data into the slot
    f.unmap(tlb, 4096, DmaDirection.FROM_DEVICE);
    assertPattern(BUF, 4096, 99);
  }

  @Test
  void bidirectionalCopiesBackToo() {
    pattern(BUF, 512, 1);
    long tlb = f.map(BUF, 512, DmaDirection.BIDIRECTIONAL);
    pattern(tlb, 512, 55);
    f.unmap(tlb, 512, DmaDirection.BIDIRECTIONAL);
    assertPattern(BUF, 512, 55);
  }

  @Test
  void toDeviceUnmapLeavesGuestMemoryAlone() {
    pattern(BUF, 4096, 3);
    long tlb = f.map(BUF, 4096, DmaDirection.TO_DEVICE);
    pattern(tlb, 4096, 200); // whatever happens to the slot
    f.unmap(tlb, 4096, DmaDirection.TO_DEVICE);
    assertPattern(BUF, 4096, 3);
  }

  @Test
  void staleSlotDataNeverReachesTheDevice() {
    // a one-segment pool: a 256 KiB mapping wraps area->index back to 0, so the next map reuses slot 0
    DmaFixture small = new DmaFixture(StrategyId.BOUNCE, DmaFixture.X86, DmaFixture.options(256 << 10, 1, 0, false, 601, false), false);
    f = small;
    pattern(BUF, 256 << 10, 9);
    long tlb = f.map(BUF, 256 << 10, DmaDirection.TO_DEVICE);
    f.unmap(tlb, 256 << 10, DmaDirection.TO_DEVICE);
    long other = BUF + 0x100_0000;
    pattern(other, 2048, 77);
    long again = f.map(other, 2048, DmaDirection.FROM_DEVICE);
    assertThat(again).as("the same slot comes back").isEqualTo(tlb);
    assertPattern(again, 2048, 77);
  }

  @Test
  void bounceCountsOncePerMapWithTheMappingSize() {
    long a = f.map(BUF, 4096, DmaDirection.FROM_DEVICE);
    long b = f.map(BUF + 0x2000, 16, DmaDirection.TO_DEVICE);
    f.unmap(a, 4096, DmaDirection.FROM_DEVICE);
    f.unmap(b, 16, DmaDirection.TO_DEVICE);
    assertThat(f.ledger.events(EventKind.BOUNCES)).isEqualTo(2);
    assertThat(f.ledger.events(EventKind.BOUNCE_BYTES)).as("swiotlb_bounced size, once per map").isEqualTo(4096 + 16);
    assertThat(f.ledger.slotEvents(DmaFixture.SLOT, EventKind.BOUNCES)).isEqualTo(2);
    assertThat(f.ledger.events(EventKind.MAPS)).as("dma-direct makes no IOMMU mapping").isZero();
    assertThat(f.ledger.events(EventKind.EXITS)).isZero();
  }

  @Test
  void copyCyclesAreLengthTimesCyclesPerKiBAtMapAndAgainAtUnmapFromDevice() {
    long a = f.map(BUF, 4096, DmaDirection.FROM_DEVICE);
    assertThat(f.ledger.total(Actor.VCPU, Category.BOUNCE_COPY)).isEqualTo(COPY_4K);
    assertThat(f.ledger.total(Actor.VCPU, Category.BOUNCE_ALLOC)).isEqualTo(ALLOC);
    f.unmap(a, 4096, DmaDirection.FROM_DEVICE);
    assertThat(f.ledger.total(Actor.VCPU, Category.BOUNCE_COPY)).isEqualTo(2 * COPY_4K);
    assertThat(f.ledger.total(Actor.VCPU, Category.BOUNCE_ALLOC)).as("alloc at map, release at unmap").isEqualTo(ALLOC + RELEASE);

    long b = f.map(BUF, 16, DmaDirection.TO_DEVICE);
    f.unmap(b, 16, DmaDirection.TO_DEVICE);
    assertThat(f.ledger.total(Actor.VCPU, Category.BOUNCE_COPY)).isEqualTo(2 * COPY_4K + COPY_16B);
    assertThat(f.ledger.total(Actor.VCPU, Category.BOUNCE_ALLOC)).isEqualTo(2 * (ALLOC + RELEASE));
    assertThat(f.ledger.grandTotal()).as("nothing else is charged").isEqualTo(2 * COPY_4K + COPY_16B + 2 * (ALLOC + RELEASE));
  }

  @Test
  void slotsComeBackAfterUnmap() {
    long a = f.map(BUF, 4096, DmaDirection.TO_DEVICE);
    assertThat(bounce().pool().usedSlots()).isEqualTo(2);
    assertThat(f.dma.liveMappings()).isEqualTo(1);
    f.unmap(a, 4096, DmaDirection.TO_DEVICE);
    assertThat(bounce().pool().usedSlots()).isZero();
    assertThat(f.dma.liveMappings()).isZero();
  }

  @Test
  void fullPoolGivesMappingError() {
    DmaFixture small = new DmaFixture(StrategyId.BOUNCE, DmaFixture.X86, DmaFixture.options(256 << 10, 1, 0, false, 601, false), false);
    long a = small.map(BUF, 256 << 10, DmaDirection.TO_DEVICE);
    assertThat(a).isNotEqualTo(DmaStrategy.MAPPING_ERROR);
    assertThat(small.map(BUF, 16, DmaDirection.TO_DEVICE)).isEqualTo(DmaStrategy.MAPPING_ERROR);
    assertThat(((BounceStrategy) small.dma).pool().failures()).isEqualTo(1);
    assertThat(small.ledger.events(EventKind.BOUNCES)).as("a refused map bounces nothing").isEqualTo(1);
  }

  @Test
  void unmapOfAnAddressThatIsNotASlotInUseFails() {
    assertThatThrownBy(() -> f.unmap(DmaFixture.RESERVED, 16, DmaDirection.TO_DEVICE))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("not a bounce slot in use");
  }

  @Test
  void ringsAreSharedNotBouncedAndMappingsAreCappedAt256KiB() {
    assertThat(f.dma.mapCoherent(0x20_0000, 8192)).isEqualTo(0x20_0000);
    assertThat(f.dma.maxMappingSize()).isEqualTo(256 << 10);
    assertThat(f.ledger.grandTotal()).isZero();
  }
}
