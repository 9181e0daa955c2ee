package org.vqsim.engine.sim;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.vqsim.engine.cost.CostProfile;
import org.vqsim.engine.dma.DmaOptions;
import org.vqsim.engine.dma.StrategyId;
import org.vqsim.engine.ring.Ring;

/**
 * The engine's cost of modelling 32 vCPUs, as a paired measurement: {@link ReplayBenchmark}'s
 * workload and engine (4 KiB random reads, iodepth 32 per job, EVENT_IDX and indirect descriptors;
 * 1 vCPU with one job against 32 vCPUs with one job and one queue each), replayed in one JVM with
 * the 1- and 32-vCPU runs of each strategy alternating within every round (the order flips from one
 * round to the next). A machine shared with other work drifts in speed over seconds; a ratio of two
 * runs made back to back cancels most of that drift, where JMH's parameters, run one after the
 * other, each see a different machine. Each run is timed twice: by the replaying thread's CPU time
 * (the engine is single-threaded and allocates nothing per request, so this is its work, and it does
 * not count the time the thread waits for a core on a machine with more runnable threads than cores)
 * and by the wall clock, as JMH does. Prints, per strategy, the median engine time per request at 1
 * and at 32 vCPUs, the median of the per-round ratios and their range (CPU time, then wall clock),
 * and the model's result (simulated time of each run, which must not change when the engine is made
 * faster).
 *
 * <p>HOW TO RUN (from {@code engine/}, after {@code mvn -o -q -pl engine -am -DskipTests package}
 * from the root):
 *
 * <pre>
 * mvn -q -o dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt -Dmdep.includeScope=test
 * java -cp target/test-classes:target/classes:$(cat /tmp/cp.txt) org.vqsim.engine.sim.VcpuScalingRatio [ROUNDS [STRATEGY,… [RING]]]
 * </pre>
 *
 * ROUNDS defaults to 7, the strategies to those of {@link ReplayBenchmark}, the ring to split. Two
 * untimed rounds warm the JIT first.
 */
public final class VcpuScalingRatio {
  private static final String[] STRATEGIES = {"direct", "bounce", "viommu-strict", "virtio-iommu", "viommu-strict+bounce", "tce"};

  private VcpuScalingRatio() {}

  private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

  /**
   * One timed replay: CPU nanoseconds of the replaying thread per request; {@code out[0]} gets the
   * simulated time, {@code wall[0]} the wall-clock nanoseconds per request.
   */
  private static double nsPerRequest(StrategyId id, CostProfile profile, Ring ring, int vcpus, ReplayBenchmark.RandomReads src, long[] sim, double[] wall)
      throws IOException {
    ReplayConfig config = ReplayConfig.defaults().withIodepth(32).withFeatures(true, true).withTopology(vcpus, 0, 0);
    ReplayEngine e = new ReplayEngine(id, profile, config, DmaOptions.defaults(), ring);
    src.reset(ReplayBenchmark.REQUESTS, 42, vcpus);
    long c0 = THREADS.getCurrentThreadCpuTime();
    long t0 = System.nanoTime();
    RunResult r = e.run(src, CompletionSink.NONE);
    long t1 = System.nanoTime();
    long c1 = THREADS.getCurrentThreadCpuTime();
    if (r.requests() != ReplayBenchmark.REQUESTS) throw new IllegalStateException(id.id + ": " + r.requests() + " requests replayed");
    sim[0] = r.simTimeNs();
    wall[0] = (double) (t1 - t0) / r.requests();
    return (double) (c1 - c0) / r.requests();
  }

  private static double median(double[] xs) {
    double[] s = xs.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }

  public static void main(String[] args) throws IOException {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
    String[] names = args.length > 1 ? args[1].split(",") : STRATEGIES;
    Ring ring = Ring.of(args.length > 2 ? args[2] : "split");
    int n = names.length;
    StrategyId[] ids = new StrategyId[n];
    CostProfile[] profiles = new CostProfile[n];
    for (int i = 0; i < n; i++) {
      ids[i] = StrategyId.of(names[i]);
      profiles[i] = CostProfile.builtIn(ids[i].availableOn("x86") ? "x86-kvm" : "power9-kvm");
    }
    ReplayBenchmark.RandomReads src = new ReplayBenchmark.RandomReads();
    long[] sim = new long[1];
    double[] wall = new double[1];
    long[][] simTime = new long[n][2];
    for (int w = 0; w < 2; w++) {
      for (int i = 0; i < n; i++) {
        nsPerRequest(ids[i], profiles[i], ring, 1, src, sim, wall);
        nsPerRequest(ids[i], profiles[i], ring, 32, src, sim, wall);
      }
    }
    double[][] one = new double[n][rounds], many = new double[n][rounds], ratio = new double[n][rounds];
    double[][] oneWall = new double[n][rounds], manyWall = new double[n][rounds], ratioWall = new double[n][rounds];
    for (int r = 0; r < rounds; r++) {
      for (int i = 0; i < n; i++) {
        if (r % 2 == 0) {
          one[i][r] = nsPerRequest(ids[i], profiles[i], ring, 1, src, sim, wall);
          oneWall[i][r] = wall[0];
          simTime[i][0] = sim[0];
          many[i][r] = nsPerRequest(ids[i], profiles[i], ring, 32, src, sim, wall);
          manyWall[i][r] = wall[0];
          simTime[i][1] = sim[0];
        } else {
          many[i][r] = nsPerRequest(ids[i], profiles[i], ring, 32, src, sim, wall);
          manyWall[i][r] = wall[0];
          simTime[i][1] = sim[0];
          one[i][r] = nsPerRequest(ids[i], profiles[i], ring, 1, src, sim, wall);
          oneWall[i][r] = wall[0];
          simTime[i][0] = sim[0];
        }
        ratio[i][r] = many[i][r] / one[i][r];
        ratioWall[i][r] = manyWall[i][r] / oneWall[i][r];
      }
    }
    System.out.printf(Locale.ROOT, "%d requests per run, %d rounds, %s ring, load average %.2f%n", ReplayBenchmark.REQUESTS, rounds, ring,
        java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    System.out.printf(Locale.ROOT, "%-22s %9s %9s %7s %11s | %9s %9s %7s %11s | %12s %12s%n", "", "CPU ns/rq", "", "", "",
        "wall ns/rq", "", "", "", "sim ns", "");
    System.out.printf(Locale.ROOT, "%-22s %9s %9s %7s %11s | %9s %9s %7s %11s | %12s %12s%n", "strategy", "1 vCPU", "32 vCPUs", "32/1",
        "range", "1 vCPU", "32 vCPUs", "32/1", "range", "1 vCPU", "32 vCPUs");
    List<String> misses = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      double[] s = ratio[i].clone(), w = ratioWall[i].clone();
      Arrays.sort(s);
      Arrays.sort(w);
      double m = median(ratio[i]);
      System.out.printf(Locale.ROOT, "%-22s %9.1f %9.1f %6.2fx %5.2f-%-5.2f | %9.1f %9.1f %6.2fx %5.2f-%-5.2f | %12d %12d%n", names[i],
          median(one[i]), median(many[i]), m, s[0], s[s.length - 1], median(oneWall[i]), median(manyWall[i]), median(ratioWall[i]), w[0],
          w[w.length - 1], simTime[i][0], simTime[i][1]);
      if (m > 1.5) misses.add(names[i]);
    }
    System.out.println(misses.isEmpty() ? "every strategy within 1.5x (CPU time)" : "above 1.5x (CPU time): " + String.join(", ", misses));
  }
}
