package org.vqsim.engine.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.vqsim.engine.cost.Actor;
import org.vqsim.engine.cost.Category;
import org.vqsim.engine.cost.CycleLedger;

/** Locks on the timeline: a spinlock's wait is vCPU cycles, a mutex's is time; short holds fit between a long pass's own. */
class TimelineLockTest {
  // 1 GHz: a cycle is a nanosecond, so cycles and ns read alike
  private final CycleLedger ledger = new CycleLedger(4);
  private final Timeline tl = new Timeline(ledger, 1.0);
  private final Server a = new Server(Server.Kind.VCPU, 0, "vcpu-0"), b = new Server(Server.Kind.VCPU, 1, "vcpu-1");
  private final Server vmm = new Server(Server.Kind.VMM, 0, "qemu-main");

  @Test
  void aSecondSpinnerWaitsAndPaysTheWaitInCycles() {
    Lock l = tl.lock("virtio_iommu.request_lock", Lock.Kind.SPIN, 0);
    tl.atTime(0);
    tl.begin(a, 0);
    tl.hold(l, 0, Actor.VCPU, Category.MAP, 1000); // held [0, 1000) ns
    tl.end();
    tl.begin(b, 0);
    tl.hold(l, 1, Actor.VCPU, Category.MAP, 1000);
    long end = tl.end();
    assertThat(end).as("b spins until 1000, then holds for 1000").isEqualTo(2_000_000);
    assertThat(ledger.slotCycles(1, Actor.VCPU)).isEqualTo(2000);
    assertThat(ledger.total(Actor.VCPU, Category.LOCK_WAIT)).isEqualTo(1000);
    assertThat(l.contended()).isEqualTo(1);
    assertThat(l.waitPs()).isEqualTo(1_000_000);
  }

  @Test
  void aMutexWaitAddsTimeButNoCycles() {
    Lock bql = tl.lock("qemu.bql", Lock.Kind.MUTEX, 0);
    tl.atTime(0);
    tl.begin(vmm, 0);
    tl.acquire(bql, 0);
    ledger.charge(0, Actor.VMM, Category.DEVICE, 5000); // the main loop's pass holds the BQL for 5 µs
    tl.release(bql);
    tl.end();
    tl.begin(a, 0);
    tl.hold(bql, 1, Actor.IOMMU, Category.INVALIDATE, 1000);
    assertThat(tl.end()).isEqualTo(6_000_000);
    assertThat(ledger.total(Actor.VCPU, Category.LOCK_WAIT)).isZero();
    assertThat(ledger.grandTotal()).isEqualTo(6000);
  }

  @Test
  void aShortHoldFitsInAGapOfAPassThatWasPlacedFirst() {
    Lock iommu = tl.lock("vtd.iommu_lock", Lock.Kind.MUTEX, 0);
    tl.atTime(0);
    // the device thread translates at 0..300 and 2000..2300 in one pass
    tl.begin(vmm, 0);
    tl.hold(iommu, 0, Actor.IOMMU, Category.TRANSLATE, 300);
    ledger.charge(0, Actor.VMM, Category.RING, 1700);
    tl.hold(iommu, 0, Actor.IOMMU, Category.TRANSLATE, 300);
    tl.end();
    // a vCPU asking at 500 ns for 1000 fits between them: no wait
    tl.begin(a, 500_000);
    tl.hold(iommu, 1, Actor.IOMMU, Category.INVALIDATE, 1000);
    assertThat(tl.end()).isEqualTo(1_500_000);
    assertThat(iommu.contended()).isZero();
    // one asking at 500 for 1600 does not fit before 2000: it waits for the second translation
    tl.begin(b, 500_000);
    tl.hold(iommu, 2, Actor.IOMMU, Category.INVALIDATE, 1600);
    assertThat(tl.end()).isEqualTo(2_300_000 + 1_600_000);
  }

  @Test
  void aHoldOfUnknownLengthGoesAfterEveryHoldPlaced() {
    Lock vq = tl.lock("virtqueue", Lock.Kind.SPIN, 0);
    tl.atTime(0);
    tl.begin(a, 0);
    tl.hold(vq, 0, Actor.VCPU, Category.RING, 100); // [0,100)
    ledger.charge(0, Actor.VCPU, Category.RING, 400);
    tl.hold(vq, 0, Actor.VCPU, Category.RING, 100); // [500,600)
    tl.end();
    tl.begin(b, 200_000);
    tl.acquire(vq, 1);
    ledger.charge(1, Actor.VCPU, Category.MAP, 50);
    tl.release(vq);
    assertThat(tl.end()).as("starts after 600, not in the gap at 100..500").isEqualTo(650_000);
  }

  @Test
  void holdsThatEndedBeforeTheCurrentEventAreForgotten() {
    Lock l = tl.lock("swiotlb.area", Lock.Kind.SPIN, 0);
    tl.atTime(0);
    for (int i = 0; i < 1000; i++) {
      tl.atTime(i * 10_000L);
      tl.begin(a, i * 10_000L);
      tl.hold(l, 0, Actor.VCPU, Category.BOUNCE_ALLOC, 5);
      tl.end();
    }
    assertThat(l.acquisitions()).isEqualTo(1000);
    assertThat(l.contended()).isZero();
  }
}
