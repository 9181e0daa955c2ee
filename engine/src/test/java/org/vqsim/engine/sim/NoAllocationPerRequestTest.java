package org.vqsim.engine.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vqsim.engine.cost.CostProfile;
import org.vqsim.engine.dma.DmaOptions;
import org.vqsim.engine.dma.StrategyId;

/**
 * The replay loop allocates nothing per request, on one vCPU and on 32: two replays of the same
 * workload, one three times longer, allocate the same bytes within a small margin (what an engine
 * allocates once — its slots, guest frames, lock blocks — is the same for both). Prints the figure.
 */
class NoAllocationPerRequestTest {
  /** 4 KiB random reads over 64 GiB, from {@code jobs} CPUs in turn (none named for 1). */
  static final class Reads implements RequestSource {
    private long left, state;
    private final int jobs;
    private int next;

    Reads(long count, int jobs) {
      this.left = count;
      this.state = 7;
      this.jobs = jobs;
    }

    @Override
    public boolean next(IoRequest into) {
      if (left-- == 0) return false;
      long z = (state += 0x9E3779B97F4A7C15L);
      z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
      z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
      z ^= z >>> 31;
      into.set(0, IoOp.READ, Math.floorMod(z, (64L << 30) / 4096) * 4096, 4096);
      if (jobs > 1) {
        into.cpu = next;
        next = next + 1 == jobs ? 0 : next + 1;
      }
      return true;
    }
  }

  private static long allocatedReplaying(StrategyId id, int vcpus, long requests) throws IOException {
    return allocatedReplaying(id, vcpus, requests, id.availableOn("x86") ? "x86-kvm" : "power9-kvm");
  }

  private static long allocatedReplaying(StrategyId id, int vcpus, long requests, String profileName) throws IOException {
    CostProfile profile = CostProfile.builtIn(profileName);
    ReplayConfig config = ReplayConfig.defaults().withIodepth(32).withFeatures(true, true).withTopology(vcpus, 0, 0);
    com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long tid = Thread.currentThread().getId();
    long before = mx.getThreadAllocatedBytes(tid);
    ReplayEngine engine = new ReplayEngine(id, profile, config, DmaOptions.defaults());
    RunResult r = engine.run(new Reads(requests, vcpus), CompletionSink.NONE);
    long after = mx.getThreadAllocatedBytes(tid);
    assertThat(r.requests()).isEqualTo(requests);
    return after - before;
  }

  @ParameterizedTest(name = "{0} on {1} vCPUs")
  @CsvSource({"direct, 1", "direct, 32", "bounce, 1", "bounce, 32", "viommu-strict, 1", "viommu-strict, 32", "viommu-lazy, 32",
      "virtio-iommu, 1", "virtio-iommu, 32", "tce, 1", "tce, 32", "viommu-strict+bounce, 32"})
  void aLongerReplayAllocatesNoMore(String strategy, int vcpus) throws IOException {
    StrategyId id = StrategyId.of(strategy);
    long shortRun = 100_000, longRun = 300_000;
    allocatedReplaying(id, vcpus, shortRun); // warm-up: classes loaded, code compiled
    long a = allocatedReplaying(id, vcpus, shortRun);
    long b = allocatedReplaying(id, vcpus, longRun);
    double perRequest = (double) (b - a) / (longRun - shortRun);
    System.out.printf(java.util.Locale.ROOT, "%s on %d vCPUs: %,d bytes for %,d requests, %,d for %,d: %.3f bytes per extra request%n",
        strategy, vcpus, a, shortRun, b, longRun, perRequest);
    assertThat(perRequest).as("bytes allocated per request beyond the engine's own set-up").isLessThan(0.5);
  }

  /** qemu-tcg-x86 draws a service time and a guest jitter per request (and has its own write bandwidth), and charges a virtio-iommu request its measured spans: still nothing allocated. */
  @ParameterizedTest(name = "{0} on {1} vCPUs with qemu-tcg-x86")
  @CsvSource({"direct, 1", "bounce, 32", "viommu-strict, 1", "virtio-iommu, 1", "virtio-iommu, 32"})
  void withTheDrawsOfACalibratedProfileToo(String strategy, int vcpus) throws IOException {
    StrategyId id = StrategyId.of(strategy);
    CostProfile p = CostProfile.builtIn("qemu-tcg-x86");
    assertThat(p.guestJitterFor(id.id)).as("the profile has a guest jitter for " + strategy).isNotNull();
    long shortRun = 100_000, longRun = 300_000;
    allocatedReplaying(id, vcpus, shortRun, "qemu-tcg-x86");
    long a = allocatedReplaying(id, vcpus, shortRun, "qemu-tcg-x86");
    long b = allocatedReplaying(id, vcpus, longRun, "qemu-tcg-x86");
    double perRequest = (double) (b - a) / (longRun - shortRun);
    System.out.printf(java.util.Locale.ROOT, "%s on %d vCPUs, qemu-tcg-x86: %.3f bytes per extra request%n", strategy, vcpus, perRequest);
    assertThat(perRequest).as("bytes allocated per request beyond the engine's own set-up").isLessThan(0.5);
  }
}
