package org.vqsim.engine.dma;

import org.vqsim.engine.cost.CostFigure;
import org.vqsim.engine.cost.CostProfile;
import org.vqsim.engine.cost.CycleLedger;
import org.vqsim.engine.memory.GuestMemory;
import org.vqsim.engine.sim.Lock;
import org.vqsim.engine.sim.Timeline;

/**
 * One strategy under test with everything it is built with: a real ledger, a built-in profile, a
 * 4 GiB sparse guest memory and a timeline (one vCPU, no pass running: its locks are never contended).
 * Request slot 0 is charged throughout.
 */
final class DmaFixture {
  static final CostProfile X86 = CostProfile.builtIn("x86-kvm");
  static final CostProfile POWER9 = CostProfile.builtIn("power9-kvm");
  /** Where the strategy's own structures go (the swiotlb pool first): 2 GiB, as ReplayEngine uses guest memory / 2. */
  static final long RESERVED = 2L << 30;
  static final int SLOT = 0;

  final CycleLedger ledger = new CycleLedger(4);
  final GuestMemory mem = new GuestMemory(4L << 30);
  final Timeline timeline;
  final DmaContext ctx;
  final DmaStrategy dma;

  DmaFixture(StrategyId id, CostProfile profile) {
    this(id, profile, DmaOptions.defaults(), false);
  }

  DmaFixture(StrategyId id, CostProfile profile, DmaOptions options, boolean vhost) {
    this(id, profile, options, vhost, 1);
  }

  /** A guest of {@code vcpus} vCPUs: run {@link #onCpu} to map from one of them. */
  DmaFixture(StrategyId id, CostProfile profile, DmaOptions options, boolean vhost, int vcpus) {
    this.timeline = new Timeline(ledger, profile.get(CostFigure.CPU_GHZ));
    Lock bql = timeline.lock("qemu.bql", Lock.Kind.MUTEX, 0);
    this.ctx = new DmaContext(ledger, profile, mem, options, timeline, vcpus, bql, vhost, RESERVED);
    this.dma = id.create(ctx);
  }

  long map(long paddr, int length, DmaDirection dir) {
    return dma.map(SLOT, paddr, length, dir);
  }

  void unmap(long dmaAddr, int length, DmaDirection dir) {
    dma.unmap(SLOT, dmaAddr, length, dir);
  }

  long translate(long dmaAddr, int length) {
    return dma.translate(SLOT, dmaAddr, length, false);
  }

  /** Runs {@code body} in a pass of vCPU {@code cpu} at the timeline's current time (what the per-CPU structures see as the CPU). */
  void onCpu(int cpu, Runnable body) {
    timeline.begin(new org.vqsim.engine.sim.Server(org.vqsim.engine.sim.Server.Kind.VCPU, cpu, "vcpu-" + cpu), timeline.nowPs());
    body.run();
    timeline.end();
  }

  /** The lock of this name and instance the strategy made on the timeline. */
  Lock lock(String name, int instance) {
    return timeline.locks().stream().filter(l -> l.name.equals(name) && l.instance == instance).findFirst()
        .orElseThrow(() -> new AssertionError("no lock " + name + "[" + instance + "] among " + timeline.locks()));
  }

  /** How many locks of this name the strategy made. */
  long locks(String name) {
    return timeline.locks().stream().filter(l -> l.name.equals(name)).count();
  }

  /** Moves the timeline's clock. */
  void setTimeMs(double ms) {
    timeline.atTime(Math.round(ms * 1e9));
  }

  static DmaOptions options(long poolBytes, int areas, int iotlbEntries, boolean batching, int kernel, boolean realMode) {
    return new DmaOptions(poolBytes, areas, iotlbEntries, batching, kernel, realMode, 0);
  }
}
