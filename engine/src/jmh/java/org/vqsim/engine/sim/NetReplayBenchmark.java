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
import org.vqsim.engine.device.net.NetFeatures;
import org.vqsim.engine.device.net.NetPacket;
import org.vqsim.engine.device.net.NetResult;
import org.vqsim.engine.device.net.PacketSink;
import org.vqsim.engine.device.net.PacketSource;
import org.vqsim.engine.dma.DmaOptions;
import org.vqsim.engine.dma.StrategyId;
import org.vqsim.engine.ring.Ring;

/**
 * virtio-net replay speed: simulated packets per second of host time — a stream of 64-byte UDP
 * datagrams (the packet-rate case: one descriptor, one mapping per packet), half transmitted, half
 * received, one every 50 µs (no drops under any strategy: the guest keeps up), through a fresh {@link NetReplay} per invocation. Run as
 * {@code ReplayBenchmark} (see there), with {@code NetReplayBenchmark} as the pattern.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-opens=java.base/java.nio=ALL-UNNAMED", "-XX:+IgnoreUnrecognizedVMOptions",
    "--sun-misc-unsafe-memory-access=allow", "--enable-native-access=ALL-UNNAMED"})
public class NetReplayBenchmark {
  public static final int PACKETS = 1 << 18;

  @Param({"direct", "bounce", "viommu-strict", "virtio-iommu"})
  public String strategy;

  private StrategyId id;
  private CostProfile profile;

  @Setup(Level.Trial)
  public void choose() {
    id = StrategyId.of(strategy);
    profile = CostProfile.builtIn("x86-kvm");
  }

  /** Alternating tx and rx 106-byte frames, 500 ns apart; allocates nothing. */
  static final class Datagrams implements PacketSource {
    long i;

    @Override
    public boolean next(NetPacket p) {
      if (i >= PACKETS) return false;
      p.set(i * 50_000, (i & 1) == 0 ? NetPacket.TX : NetPacket.RX, NetPacket.UDP, 106);
      i++;
      return true;
    }
  }

  @Benchmark
  @OperationsPerInvocation(PACKETS)
  public long replay() throws IOException {
    NetResult r = new NetReplay(id, profile, ReplayConfig.defaults().withTopology(1, 1, 0), DmaOptions.defaults(), Ring.SPLIT, NetFeatures.qemuDefault())
        .run(new Datagrams(), PacketSink.NONE);
    if (r.packets() != PACKETS) throw new IllegalStateException(r.packets() + " of " + PACKETS + " packets completed (drops " + (r.txDrops() + r.rxDrops()) + ")");
    return r.packets();
  }
}
