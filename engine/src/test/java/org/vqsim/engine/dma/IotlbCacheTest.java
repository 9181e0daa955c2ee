package org.vqsim.engine.dma;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * The device-side IOTLB as QEMU {@code hw/i386/intel_iommu.c} keeps it: {@code vtd_update_iotlb}
 * resets the whole hash table when it holds VTD_IOTLB_MAX_SIZE (1024) entries ("iotlb exceeds size
 * limit"); page-selective and domain-selective invalidations remove entries.
 */
class IotlbCacheTest {
  @Test
  void pageHitsAfterItIsInserted() {
    IotlbCache c = new IotlbCache(1024);
    assertThat(c.lookup(0xfffffL)).isFalse();
    c.insert(0xfffffL);
    assertThat(c.lookup(0xfffffL)).isTrue();
    assertThat(c.lookup(0xffffeL)).isFalse();
    assertThat(c.size()).isEqualTo(1);
  }

  @Test
  void insertIntoAFullCacheEmptiesItFirst() {
    IotlbCache c = new IotlbCache(4);
    for (long p = 1; p <= 4; p++) c.insert(p);
    assertThat(c.size()).isEqualTo(4);
    assertThat(c.resets()).isZero();
    c.insert(5);
    assertThat(c.resets()).as("vtd_reset_iotlb_locked on the fifth insert").isEqualTo(1);
    assertThat(c.size()).isEqualTo(1);
    assertThat(c.lookup(5)).isTrue();
    for (long p = 1; p <= 4; p++) assertThat(c.lookup(p)).isFalse();
  }

  @Test
  void qemuDefaultCapacityIs1024() {
    // x86-kvm.profile iotlb_entries = 1024 (QEMU VTD_IOTLB_MAX_SIZE)
    IotlbCache c = new IotlbCache((int) DmaFixture.X86.get(org.vqsim.engine.cost.CostFigure.IOTLB_ENTRIES));
    for (long p = 0; p < 1024; p++) c.insert(p);
    assertThat(c.size()).isEqualTo(1024);
    assertThat(c.resets()).isZero();
    c.insert(5000);
    assertThat(c.size()).isEqualTo(1);
    assertThat(c.resets()).isEqualTo(1);
  }

  @Test
  void pageSelectiveInvalidationRemovesOnlyItsRange() {
    IotlbCache c = new IotlbCache(64);
    for (long p = 10; p < 20; p++) c.insert(p);
    c.invalidate(12, 3);
    assertThat(c.lookup(11)).isTrue();
    assertThat(c.lookup(12)).isFalse();
    assertThat(c.lookup(13)).isFalse();
    assertThat(c.lookup(14)).isFalse();
    assertThat(c.lookup(15)).isTrue();
    assertThat(c.size()).isEqualTo(7);
    c.invalidate(100, 4); // nothing cached there
    assertThat(c.size()).isEqualTo(7);
  }

  @Test
  void domainInvalidationEmptiesTheCache() {
    IotlbCache c = new IotlbCache(64);
    for (long p = 0; p < 30; p++) c.insert(p);
    c.invalidateAll();
    assertThat(c.size()).isZero();
    assertThat(c.lookup(0)).isFalse();
    assertThat(c.resets()).as("an invalidation is not a capacity reset").isZero();
  }

  @Test
  void capacityMustBePositive() {
    assertThatThrownBy(() -> new IotlbCache(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1");
  }
}
