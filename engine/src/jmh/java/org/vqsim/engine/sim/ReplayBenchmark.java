package org.vqsim.engine.sim;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.vqsim.engine.cost.CostProfile;
import org.vqsim.engine.dma.StrategyId;

/**
 * Whole-engine replay speed: how many simulated requests per second of host time the engine
 * replays — 4 KiB random reads, closed loop at iodepth 32, QEMU backend, EVENT_IDX and indirect
 * descriptors — per strategy (x86-kvm, or power9-kvm for {@code tce}) and ring layout; on one vCPU
 * (one job at iodepth 32), and on 32 vCPUs with one virtio-blk queue each and one fio-style job per
 * vCPU at iodepth 32 (1024 requests in flight, 32 queues, every per-CPU structure and lock in play).
 * The 32-vCPU score over the 1-vCPU score is the engine's cost of modelling contention.
 *
 * <p>One invocation replays {@link #REQUESTS} requests through a fresh {@link ReplayEngine} (an
 * engine replays one stream once); the score is in requests per second ({@code ops = requests}).
 * The engine is built in a per-invocation setup, outside the measured time; its allocation (and the
 * guest frames its request slots touch on first use) is still seen by {@code -prof gc}, spread
 * over the {@link #REQUESTS} requests, so {@code gc.alloc.rate.norm} should be a few bytes per
 * request at most. The request source is a SplitMix64 stream that fills the engine's cursor and
 * allocates nothing.
 *
 * <p>HOW TO RUN (from {@code engine/}):
 *
 * <pre>
 * cd .. &amp;&amp; mvn -q -B -pl engine install -DskipTests &amp;&amp; cd engine
 * mvn -q -B dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt -Dmdep.includeScope=test
 * java -cp target/test-classes:target/classes:$(cat /tmp/cp.txt) org.openjdk.jmh.Main ReplayBenchmark -prof gc
 * # quick smoke run:
 * java -cp target/test-classes:target/classes:$(cat /tmp/cp.txt) org.openjdk.jmh.Main ReplayBenchmark -f 1 -wi 1 -i 2 -w 1s -r 1s -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-opens=java.base/java.nio=ALL-UNNAMED", "-XX:+IgnoreUnrecognizedVMOptions",
    "--sun-misc-unsafe-memory-access=allow", "--enable-native-access=ALL-UNNAMED"})
public class ReplayBenchmark {
  /** Requests per invocation. */
  public static final int REQUESTS = 1 << 18;

  private static final ReplayConfig CONFIG = ReplayConfig.defaults().withIodepth(32).withFeatures(true, true);

  /** The cheapest and the heaviest strategy of the targets (issue: ≥ 10 M/s for direct, ≥ 2 M/s for viommu-strict+bounce), and the others between. */
  @Param({"direct", "bounce", "viommu-strict", "virtio-iommu", "viommu-strict+bounce", "tce"})
  public String strategy;

  @Param({"split", "packed"})
  public String ring;

  /** 1: one job on one vCPU; 32: one job per vCPU, one queue per vCPU. */
  @Param({"1", "32"})
  public int vcpus;

  private StrategyId id;
  private CostProfile profile;
  private org.vqsim.engine.ring.Ring layout;
  private ReplayConfig config;

  @Setup(Level.Trial)
  public void choose() {
    id = StrategyId.of(strategy);
    profile = CostProfile.builtIn(id.availableOn("x86") ? "x86-kvm" : "power9-kvm");
    layout = org.vqsim.engine.ring.Ring.of(ring);
    config = CONFIG.withTopology(vcpus, 0, 0);
  }

  /** 4 KiB random reads over a 64 GiB device, 4 KiB aligned, from {@code jobs} CPUs in turn (none named for 1); no allocation per request. */
  static final class RandomReads implements RequestSource {
    private static final long BLOCKS = (64L << 30) / 4096;
    private long remaining;
    private long state;
    private int jobs, next;

    void reset(long count, long seed, int jobs) {
      remaining = count;
      state = seed;
      this.jobs = jobs;
      next = 0;
    }

    @Override
    public boolean next(IoRequest into) {
      if (remaining == 0) return false;
      remaining--;
      long z = (state += 0x9E3779B97F4A7C15L);
      z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
      z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
      z ^= z >>> 31;
      into.set(0, IoOp.READ, Math.floorMod(z, BLOCKS) * 4096, 4096);
      if (jobs > 1) {
        into.cpu = next;
        next = next + 1 == jobs ? 0 : next + 1;
      }
      return true;
    }
  }

  private final RandomReads source = new RandomReads();
  private ReplayEngine engine;

  @Setup(Level.Invocation)
  public void newEngine() {
    engine = new ReplayEngine(id, profile, config, org.vqsim.engine.dma.DmaOptions.defaults(), layout);
    source.reset(REQUESTS, 42, vcpus);
  }

  @Benchmark
  @OperationsPerInvocation(REQUESTS)
  public long random4kReadQd32() throws IOException {
    RunResult r = engine.run(source, CompletionSink.NONE);
    return r.requests() + r.simTimeNs();
  }
}
