package org.vqsim.engine.dma;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.vqsim.engine.cost.CostProfile;
import org.vqsim.engine.cost.CycleLedger;
import org.vqsim.engine.memory.GuestMemory;
import org.vqsim.engine.cost.CostFigure;
import org.vqsim.engine.sim.Lock;
import org.vqsim.engine.sim.Timeline;

/**
 * One request's DMA work under each strategy, without the ring: the four mappings Linux makes for a
 * 4 KiB virtio-blk read (16-byte header, 4 KiB data page, 1-byte status, 48-byte indirect table),
 * the device's translation of each, and the four unmaps — what {@code map}, {@code translate} and
 * {@code unmap} cost the simulator per request.
 *
 * <p>HOW TO RUN: {@code scripts/bench.sh -- StrategyBenchmark -prof gc}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-opens=java.base/java.nio=ALL-UNNAMED", "-XX:+IgnoreUnrecognizedVMOptions",
    "--sun-misc-unsafe-memory-access=allow", "--enable-native-access=ALL-UNNAMED"})
public class StrategyBenchmark {
  @Param({"direct", "bounce", "viommu-strict", "viommu-passthrough", "virtio-iommu", "virtio-iommu-bypass", "viommu-strict+bounce", "tce", "tce-ddw",
      "tce-ddw+bounce"})
  public String strategy;

  private static final long HDR = 0x20_0100L, DATA = 0x1000_0000L, STATUS = 0x20_0110L, TABLE = 0x20_0400L;
  private DmaStrategy dma;
  private final long[] addr = new long[4];

  @Setup(Level.Trial)
  public void setUp() {
    StrategyId id = StrategyId.of(strategy);
    CostProfile p = CostProfile.builtIn(id.availableOn("x86") ? "x86-kvm" : "power9-kvm");
    GuestMemory mem = new GuestMemory(4L << 30);
    mem.setUntracked(256L << 20, 2L << 30);
    CycleLedger ledger = new CycleLedger(1);
    Timeline tl = new Timeline(ledger, p.get(CostFigure.CPU_GHZ));
    dma = id.create(new DmaContext(ledger, p, mem, DmaOptions.defaults(), tl, 1, tl.lock("qemu.bql", Lock.Kind.MUTEX, 0), false, 2L << 30));
    dma.mapCoherent(0x10_0000L, 8192);
  }

  @Benchmark
  public long mapTranslateUnmap4kRead() {
    addr[0] = dma.map(0, HDR, 16, DmaDirection.TO_DEVICE);
    addr[1] = dma.map(0, DATA, 4096, DmaDirection.FROM_DEVICE);
    addr[2] = dma.map(0, STATUS, 1, DmaDirection.FROM_DEVICE);
    addr[3] = dma.map(0, TABLE, 48, DmaDirection.TO_DEVICE);
    long s = dma.translate(0, addr[3], 48, false) + dma.translate(0, addr[0], 16, false) + dma.translate(0, addr[1], 4096, true)
        + dma.translate(0, addr[2], 1, true);
    dma.unmap(0, addr[3], 48, DmaDirection.TO_DEVICE);
    dma.unmap(0, addr[0], 16, DmaDirection.TO_DEVICE);
    dma.unmap(0, addr[1], 4096, DmaDirection.FROM_DEVICE);
    dma.unmap(0, addr[2], 1, DmaDirection.FROM_DEVICE);
    return s;
  }
}
