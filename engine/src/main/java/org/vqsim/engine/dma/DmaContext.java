package org.vqsim.engine.dma;

import org.vqsim.engine.cost.CostProfile;
import org.vqsim.engine.cost.CycleLedger;
import org.vqsim.engine.memory.GuestMemory;
import org.vqsim.engine.sim.Lock;
import org.vqsim.engine.sim.Timeline;

/**
 * What a strategy is built with: where it charges, what it costs, the memory it maps, its model
 * parameters, the timeline (its clock, the running vCPU, its locks), the guest's vCPU count (for
 * per-CPU state), QEMU's big lock (taken by the exits QEMU handles in userspace) and whether the
 * device runs in vhost (which changes what an IOTLB miss costs).
 *
 * @param reservedBase guest-physical base of the region the strategy may use for its own
 *     structures (the swiotlb pool, request buffers of a virtio-iommu queue)
 */
public record DmaContext(CycleLedger ledger, CostProfile profile, GuestMemory memory, DmaOptions options, Timeline timeline, int vcpus, Lock bql,
    boolean vhost, long reservedBase) {
  public DmaContext {
    if (vcpus < 1) throw new IllegalArgumentException("a guest needs at least one vCPU");
  }
}
