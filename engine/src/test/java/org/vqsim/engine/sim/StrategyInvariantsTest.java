package org.vqsim.engine.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.vqsim.engine.cost.Actor;
import org.vqsim.engine.cost.Category;
import org.vqsim.engine.cost.CostProfile;
import org.vqsim.engine.cost.CycleLedger;
import org.vqsim.engine.dma.BounceStrategy;
import org.vqsim.engine.dma.DmaOptions;
import org.vqsim.engine.dma.StrategyId;
import org.vqsim.engine.ring.PackedDriverQueue;
import org.vqsim.engine.ring.Ring;
import org.vqsim.engine.ring.SplitDriverQueue;
import org.vqsim.engine.sim.ReplayEngineInvariantsTest.Req;

/**
 * {@link ReplayEngineInvariantsTest}'s invariants for every DMA strategy on both rings, under
 * seeded random workloads (x86 strategies with the x86-kvm profile, POWER ones with power9-kvm):
 * every request completes exactly once with what was submitted; after the run no descriptor,
 * swiotlb slot or mapping (IOVA, TCE) is left; the used index only moves forward, by at most a
 * ring's worth between two completions; and the cycles charged add up, by actor, by category and
 * by request, to the ledger's total.
 */
class StrategyInvariantsTest {
  private static final int REQUESTS = 300;
  private static final long[] SEEDS = {7, 0x5eedL};
  private static final List<String> CONFIGS = List.of("qd1-evidx-indirect", "qd32-evidx-direct", "open-q8-qd8-noevidx-direct");

  static Stream<Arguments> cases() {
    List<Arguments> l = new ArrayList<>();
    for (StrategyId id : StrategyId.values()) {
      for (Ring ring : Ring.values()) {
        for (String config : CONFIGS) {
          for (long seed : SEEDS) l.add(Arguments.of(id.id, ring.id, config, seed));
        }
      }
    }
    return l.stream();
  }

  /** seg_max = 6 on a queue of 8: a 1 MiB read is placed in four 256 KiB segments, each one swiotlb run. */
  @org.junit.jupiter.api.Test
  void aLargeRequestOnASmallQueueBouncesInPieces() throws IOException {
    ReplayConfig c = ReplayConfig.defaults().withQueueSize(8).withIodepth(8).withFeatures(false, false);
    ReplayEngine engine = new ReplayEngine(StrategyId.BOUNCE, CostProfile.builtIn("x86-kvm"), c, DmaOptions.defaults(), Ring.SPLIT);
    RunResult r = engine.run(new ReplayEngineInvariantsTest.ListSource(List.of(new Req(0, IoOp.READ, 0, 1 << 20))), CompletionSink.NONE);
    assertThat(r.requests()).isEqualTo(1);
    assertThat(r.ledger().events(org.vqsim.engine.cost.EventKind.BOUNCES)).as("header, 4 data segments, status").isEqualTo(6);
  }

  /** A request no segment layout fits (queue of 8: six segments of at most 256 KiB) is a clear model error, as Linux would have split it. */
  @org.junit.jupiter.api.Test
  void aRequestTooLargeForTheQueueIsAModelError() {
    ReplayConfig c = ReplayConfig.defaults().withQueueSize(8).withIodepth(8).withFeatures(false, false);
    ReplayEngine engine = new ReplayEngine(StrategyId.BOUNCE, CostProfile.builtIn("x86-kvm"), c, DmaOptions.defaults(), Ring.SPLIT);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> engine.run(new ReplayEngineInvariantsTest.ListSource(List.of(new Req(0, IoOp.READ, 0, 4 << 20))),
        CompletionSink.NONE)).isInstanceOf(ModelException.class).hasMessageContaining("seg_max");
  }

  static CostProfile profileFor(StrategyId id) {
    return CostProfile.builtIn(id.availableOn("x86") ? "x86-kvm" : "power9-kvm");
  }

  /** Records completions and watches the used index as the driver reclaims. */
  static final class Watcher implements CompletionSink {
    final List<Long> requests = new ArrayList<>();
    long perRequestCycles, perRequestGuest;
    ReplayEngine engine;
    long usedPosition; // used entries consumed, unwrapped
    int lastSplitUsedIdx;
    int lastPackedIdx;
    boolean packedWrap = true;

    @Override
    public void completed(long request, int op, long offset, int length, long submitNs, long completeNs, CycleLedger ledger, int slot, int cpu, int queue) {
      assertThat(completeNs).as("request %d completes after it was submitted", request).isGreaterThanOrEqualTo(submitNs);
      requests.add(request);
      perRequestCycles += ledger.slotGuestCycles(slot) + ledger.slotHostCycles(slot);
      perRequestGuest += ledger.slotGuestCycles(slot);
      int size = engine.driver().size();
      if (engine.driver() instanceof SplitDriverQueue q) {
        // virtio 1.2 §2.7.8: the device only ever increments used->idx (mod 2^16)
        int idx = engine.memory().readU16(q.layout().usedIdx());
        int delta = (idx - lastSplitUsedIdx) & 0xffff;
        assertThat(delta).as("used idx moved from %d to %d", lastSplitUsedIdx, idx).isBetween(0, size);
        lastSplitUsedIdx = idx;
        usedPosition += delta;
      } else if (engine.driver() instanceof PackedDriverQueue q) {
        // virtio 1.2 §2.8: the driver's used index advances through the ring, flipping its wrap counter at the end
        int idx = q.lastUsedIdx();
        boolean wrap = q.usedWrapCounter();
        long before = usedPosition;
        long step = wrap == packedWrap ? idx - lastPackedIdx : idx + size - lastPackedIdx;
        assertThat(step).as("packed used index moved from %d to %d", lastPackedIdx, idx).isBetween(1L, (long) size);
        usedPosition = before + step;
        lastPackedIdx = idx;
        packedWrap = wrap;
      }
    }
  }

  @ParameterizedTest(name = "{0} {1} {2} seed {3}")
  @MethodSource("cases")
  void everyStrategyCompletesEachRequestOnceLeaksNothingAndAccountsEveryCycle(String strategy, String ringId, String configName, long seed)
      throws IOException {
    StrategyId id = StrategyId.of(strategy);
    CostProfile profile = profileFor(id);
    ReplayConfig config = ReplayEngineInvariantsTest.config(configName, seed);
    List<Req> reqs = ReplayEngineInvariantsTest.workload(seed, REQUESTS);
    ReplayEngine engine = new ReplayEngine(id, profile, config, DmaOptions.defaults(), Ring.of(ringId));
    Watcher w = new Watcher();
    w.engine = engine;
    RunResult r;
    try (var src = new ReplayEngineInvariantsTest.ListSource(reqs)) {
      r = engine.run(src, w);
    }

    // every request completes exactly once
    assertThat(r.requests()).isEqualTo(REQUESTS);
    assertThat(w.requests).hasSize(REQUESTS).doesNotHaveDuplicates();
    assertThat(r.maxInFlight()).isBetween(1, config.iodepth());

    // nothing leaks: descriptors, mappings (IOVAs, TCEs), swiotlb slots
    assertThat(engine.driver().numFree()).as("free descriptors").isEqualTo(config.queueSize());
    assertThat(engine.driver().inFlight()).isZero();
    assertThat(engine.strategy().liveMappings()).as("live mappings").isZero();
    if (engine.strategy() instanceof BounceStrategy b) assertThat(b.pool().usedSlots()).as("swiotlb slots in use").isZero();

    // the used index moved forward by one chain per request on the split ring
    if (engine.driver() instanceof SplitDriverQueue) assertThat(w.usedPosition).isEqualTo(REQUESTS);
    else assertThat(w.usedPosition).isGreaterThanOrEqualTo(REQUESTS);

    // cycle totals: every cell, actor and category sums to the total, and the requests account for all of it
    CycleLedger ledger = r.ledger();
    long cells = 0, byActor = 0, byCategory = 0;
    for (Actor a : Actor.values()) {
      byActor += ledger.total(a);
      for (Category c : Category.values()) cells += ledger.total(a, c);
    }
    for (Category c : Category.values()) byCategory += ledger.total(c);
    assertThat(cells).isEqualTo(ledger.grandTotal());
    assertThat(byActor).isEqualTo(ledger.grandTotal());
    assertThat(byCategory).isEqualTo(ledger.grandTotal());
    assertThat(w.perRequestCycles).as("sum of per-request guest+host cycles").isEqualTo(ledger.grandTotal());
    assertThat(w.perRequestGuest).as("per-request guest cycles").isEqualTo(ledger.total(Actor.VCPU));
  }
}
