package org.vqsim.engine.dma;

import java.lang.reflect.Field;
import org.vqsim.engine.cost.CostProfile;
import org.vqsim.engine.cost.CycleLedger;
import org.vqsim.engine.memory.GuestMemory;
import org.vqsim.engine.sim.SimClock;

/**
 * One strategy under test with everything it is built with: a real ledger, a built-in profile, a
 * 4 GiB sparse guest memory and the timeline clock. Request slot 0 is charged throughout.
 */
final class DmaFixture {
  static final CostProfile X86 = CostProfile.builtIn("x86-kvm");
  static final CostProfile POWER9 = CostProfile.builtIn("power9-kvm");
  /** Where the strategy's own structures go (the swiotlb pool first): 2 GiB, as ReplayEngine uses guest memory / 2. */
  static final long RESERVED = 2L << 30;
  static final int SLOT = 0;

  final CycleLedger ledger = new CycleLedger(4);
  final GuestMemory mem = new GuestMemory(4L << 30);
  final SimClock clock = new SimClock();
  final DmaContext ctx;
  final DmaStrategy dma;

  DmaFixture(StrategyId id, CostProfile profile) {
    this(id, profile, DmaOptions.defaults(), false);
  }

  DmaFixture(StrategyId id, CostProfile profile, DmaOptions options, boolean vhost) {
    this.ctx = new DmaContext(ledger, profile, mem, options, clock, vhost, RESERVED);
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

  /** Moves the timeline's clock (its field is the engine's, package-private in org.vqsim.engine.sim). */
  void setTimeMs(double ms) {
    try {
      Field f = SimClock.class.getDeclaredField("nowPs");
      f.setAccessible(true);
      f.setLong(clock, Math.round(ms * 1e9));
    } catch (ReflectiveOperationException e) {
      throw new AssertionError("SimClock has no nowPs field any more", e);
    }
  }

  static DmaOptions options(long poolBytes, int areas, int iotlbEntries, boolean batching, int kernel, boolean realMode) {
    return new DmaOptions(poolBytes, areas, iotlbEntries, batching, kernel, realMode);
  }
}
