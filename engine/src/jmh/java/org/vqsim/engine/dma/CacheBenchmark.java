package org.vqsim.engine.dma;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The data structures behind the strategies: swiotlb slot search (a 16-byte and a 4 KiB mapping,
 * allocated and released, in a pool a quarter full so searches walk), the device IOTLB (a hit, and a
 * miss that inserts then is invalidated), and IOVA allocation with LIFO reuse.
 *
 * <p>HOW TO RUN: {@code scripts/bench.sh -- CacheBenchmark -prof gc}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-opens=java.base/java.nio=ALL-UNNAMED", "-XX:+IgnoreUnrecognizedVMOptions",
    "--sun-misc-unsafe-memory-access=allow", "--enable-native-access=ALL-UNNAMED"})
public class CacheBenchmark {
  private SwiotlbPool pool;
  private IotlbCache iotlb;
  private IovaAllocator iovas;
  private long page;

  @Setup(Level.Trial)
  public void setUp() {
    pool = new SwiotlbPool(2L << 30, 64L << 20, 1, 4096);
    // a quarter of the pool held by long-lived mappings, scattered, so the search has to walk
    for (int i = 0; i < pool.slots() / 4 / 8; i++) {
      pool.alloc(8 * 2048, 0);
      long hole = pool.alloc(8 * 2048, 0);
      pool.release(hole);
    }
    iotlb = new IotlbCache(1024);
    for (int i = 0; i < 512; i++) iotlb.insert(0xf0000L + i);
    iovas = new IovaAllocator(4096, 1L << 32);
  }

  @Benchmark
  public long swiotlbMapUnmapHeaderAndPage() {
    long a = pool.alloc(16, 0);
    long b = pool.alloc(4096, 0);
    pool.release(b);
    pool.release(a);
    return a + b;
  }

  @Benchmark
  public boolean iotlbHit() {
    page = (page + 7) & 511;
    return iotlb.lookup(0xf0000L + page);
  }

  @Benchmark
  public boolean iotlbMissInsertInvalidate() {
    boolean hit = iotlb.lookup(0x1234L);
    iotlb.insert(0x1234L);
    iotlb.invalidate(0x1234L, 1);
    return hit;
  }

  @Benchmark
  public long iovaAllocFree() {
    long a = iovas.alloc(1);
    long b = iovas.alloc(3);
    iovas.free(b, 3);
    iovas.free(a, 1);
    return a ^ b;
  }
}
