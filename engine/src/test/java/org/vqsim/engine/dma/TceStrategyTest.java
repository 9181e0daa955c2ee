package org.vqsim.engine.dma;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.vqsim.engine.cost.Actor;
import org.vqsim.engine.cost.Category;
import org.vqsim.engine.cost.EventKind;

/**
 * pseries TCE mapping (Linux 6.1 {@code arch/powerpc/platforms/pseries/iommu.c}): {@code
 * tce_buildmulti_pSeriesLP} falls back to one H_PUT_TCE for a single TCE, else writes up to
 * 4096 / sizeof(u64) = 512 TCEs per H_PUT_TCE_INDIRECT; {@code tce_freemulti_pSeriesLP} clears a
 * mapping with one H_STUFF_TCE. Costs from power9-kvm.profile.
 */
class TceStrategyTest {
  // power9-kvm.profile
  private static final long VIRT = 5754, REAL = 509, PER_TCE = 300, ALLOC = 300, FREE = 100, XLATE = 200; // power9-kvm.profile: tce_alloc_cycles at map, tce_free_cycles at unmap
  private static final long BUF = 0x1000_0000L; // 64 KiB aligned

  private static DmaFixture power(StrategyId id) {
    return new DmaFixture(id, DmaFixture.POWER9);
  }

  @Test
  void sixteenBytesAreOneHPutTce() {
    DmaFixture f = power(StrategyId.TCE);
    long bus = f.map(BUF, 16, DmaDirection.TO_DEVICE);
    assertThat(f.ledger.events(EventKind.HYPERCALLS)).isEqualTo(1);
    assertThat(f.ledger.events(EventKind.MAPS)).isEqualTo(1);
    assertThat(f.ledger.total(Actor.IOMMU, Category.HYPERCALL)).as("one TCE written").isEqualTo(PER_TCE);
    assertThat(f.ledger.total(Actor.VCPU, Category.MAP)).isEqualTo(ALLOC);
    assertThat(f.translate(bus, 16)).isEqualTo(BUF);
  }

  @Test
  void sixtyFourKiBPageAlignedIsSixteenTcesInOneIndirectHcall() {
    DmaFixture f = power(StrategyId.TCE);
    long bus = f.map(BUF, 65536, DmaDirection.FROM_DEVICE);
    assertThat(f.ledger.events(EventKind.HYPERCALLS)).isEqualTo(1);
    assertThat(f.ledger.total(Actor.IOMMU, Category.HYPERCALL)).as("16 TCEs of 4 KiB").isEqualTo(16 * PER_TCE);
    assertThat(f.translate(bus + 0xf004, 4)).isEqualTo(BUF + 0xf004);
  }

  @Test
  void threeMiBIs768TcesInTwoIndirectHcalls() {
    DmaFixture f = power(StrategyId.TCE);
    f.map(BUF, 3 << 20, DmaDirection.FROM_DEVICE);
    assertThat(f.ledger.events(EventKind.HYPERCALLS)).as("512 + 256 TCEs (tce_indirect_max 512)").isEqualTo(2);
    assertThat(f.ledger.total(Actor.IOMMU, Category.HYPERCALL)).isEqualTo(768 * PER_TCE);
    assertThat(f.ledger.total(Actor.VCPU, Category.HYPERCALL)).isEqualTo(2 * VIRT);
  }

  @Test
  void anUnalignedBufferTakesEveryTcePageItTouches() {
    DmaFixture f = power(StrategyId.TCE);
    f.map(BUF + 0xff0, 32, DmaDirection.TO_DEVICE); // crosses a 4 KiB TCE boundary
    assertThat(f.ledger.events(EventKind.HYPERCALLS)).as("2 TCEs -> H_PUT_TCE_INDIRECT").isEqualTo(1);
    assertThat(f.ledger.total(Actor.IOMMU, Category.HYPERCALL)).isEqualTo(2 * PER_TCE);
  }

  @Test
  void unmapIsOneHStuffTce() {
    DmaFixture f = power(StrategyId.TCE);
    long bus = f.map(BUF, 3 << 20, DmaDirection.FROM_DEVICE);
    long before = f.ledger.events(EventKind.HYPERCALLS);
    f.unmap(bus, 3 << 20, DmaDirection.FROM_DEVICE);
    assertThat(f.ledger.events(EventKind.HYPERCALLS) - before).isEqualTo(1);
    assertThat(f.ledger.events(EventKind.UNMAPS)).isEqualTo(1);
    assertThat(f.dma.liveMappings()).isZero();
    assertThatThrownBy(() -> f.translate(bus, 4096)).isInstanceOf(IllegalStateException.class).hasMessageContaining("TCE fault");
  }

  @Test
  void everyHypercallIsAnExit() {
    DmaFixture f = power(StrategyId.TCE);
    for (int len : new int[] {16, 4096, 65536, 3 << 20, 1}) {
      long b = f.map(BUF, len, DmaDirection.TO_DEVICE);
      f.unmap(b, len, DmaDirection.TO_DEVICE);
    }
    assertThat(f.ledger.events(EventKind.HYPERCALLS)).isEqualTo(6 + 5);
    assertThat(f.ledger.events(EventKind.EXITS)).isEqualTo(f.ledger.events(EventKind.HYPERCALLS));
  }

  @Test
  void realModeHcallsCostTheRealModeFigure() {
    DmaFixture virt = power(StrategyId.TCE);
    DmaFixture real = new DmaFixture(StrategyId.TCE, DmaFixture.POWER9, DmaFixture.options(DmaOptions.DEFAULT_SWIOTLB_POOL, 1, 0, false, 601, true), false);
    for (DmaFixture f : new DmaFixture[] {virt, real}) {
      long b = f.map(BUF, 16, DmaDirection.TO_DEVICE);
      f.unmap(b, 16, DmaDirection.TO_DEVICE);
    }
    // Piggin 2021: NULL hcall 509 cycles in real mode, 5754 via a full exit (virtual mode)
    assertThat(virt.ledger.total(Actor.VCPU, Category.HYPERCALL)).isEqualTo(2 * VIRT);
    assertThat(real.ledger.total(Actor.VCPU, Category.HYPERCALL)).isEqualTo(2 * REAL);
  }

  @Test
  void ddwNeedsNoHypercallsAndTranslatesPer64KiBPage() {
    DmaFixture f = power(StrategyId.TCE_DDW);
    long a = f.map(BUF, 131072, DmaDirection.FROM_DEVICE);
    assertThat(a).isEqualTo(BUF);
    f.unmap(a, 131072, DmaDirection.FROM_DEVICE);
    assertThat(f.ledger.events(EventKind.HYPERCALLS)).isZero();
    assertThat(f.ledger.events(EventKind.EXITS)).isZero();
    assertThat(f.translate(BUF, 131072)).isEqualTo(BUF);
    assertThat(f.ledger.total(Actor.IOMMU, Category.TRANSLATE)).as("ddw_page_size 65536: 2 TCE reads").isEqualTo(2 * XLATE);
    f.translate(BUF + 0x100, 4096);
    assertThat(f.ledger.total(Actor.IOMMU, Category.TRANSLATE)).isEqualTo(3 * XLATE);
  }

  @Test
  void ddwPlusBounceBouncesButMakesNoHcalls() {
    DmaFixture f = power(StrategyId.TCE_DDW_BOUNCE);
    long a = f.map(BUF, 65536, DmaDirection.FROM_DEVICE);
    assertThat(a).isGreaterThanOrEqualTo(DmaFixture.RESERVED);
    f.unmap(a, 65536, DmaDirection.FROM_DEVICE);
    assertThat(f.ledger.events(EventKind.BOUNCES)).isEqualTo(1);
    assertThat(f.ledger.events(EventKind.HYPERCALLS)).isZero();
  }

  @Test
  void tcePlusBounceMapsTheSlot() {
    DmaFixture f = power(StrategyId.TCE_BOUNCE);
    long bus = f.map(BUF, 4096, DmaDirection.FROM_DEVICE);
    assertThat(f.translate(bus, 4096)).isGreaterThanOrEqualTo(DmaFixture.RESERVED);
    f.unmap(bus, 4096, DmaDirection.FROM_DEVICE);
    assertThat(f.ledger.events(EventKind.BOUNCES)).isEqualTo(1);
    assertThat(f.ledger.events(EventKind.HYPERCALLS)).isEqualTo(2);
  }

  @Test
  void bypassDoesNothingAtAll() {
    DmaFixture f = power(StrategyId.TCE_BYPASS);
    long a = f.map(BUF, 65536, DmaDirection.FROM_DEVICE);
    assertThat(a).isEqualTo(BUF);
    assertThat(f.translate(a, 65536)).isEqualTo(BUF);
    f.unmap(a, 65536, DmaDirection.FROM_DEVICE);
    assertThat(f.ledger.grandTotal()).isZero();
    for (EventKind k : EventKind.values()) assertThat(f.ledger.events(k)).as(k.id).isZero();
  }

  @Test
  void unmappingSomethingNeverMappedThrows() {
    DmaFixture f = power(StrategyId.TCE);
    assertThatThrownBy(() -> f.unmap(0x7fff_0000L, 4096, DmaDirection.TO_DEVICE))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("no TCE");
  }

  @ParameterizedTest
  @EnumSource(value = StrategyId.class, names = {"TCE", "TCE_DDW", "TCE_BYPASS", "TCE_BOUNCE", "TCE_DDW_BOUNCE"})
  void tceStrategiesNeedAPowerProfile(StrategyId id) {
    // x86-kvm has iommu_page_size 4096 too, but no hcall or TCE costs: a TCE replay on it would be nonsense
    assertThatThrownBy(() -> new DmaFixture(id, DmaFixture.X86))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("power9-kvm");
    assertThat(id.availableOn("x86")).isFalse();
    assertThat(id.availableOn("power")).isTrue();
  }
}
