package org.vqsim.engine.ring;

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
import org.vqsim.engine.memory.GuestMemory;

/**
 * The ring work of one virtio-blk request on a packed virtqueue (VIRTIO_F_RING_PACKED), both sides,
 * with nothing else; the same request and steps as {@link SplitRingBenchmark}, so the two compare
 * directly ({@code RingBenchmark} runs both):
 *
 * <ol>
 *   <li>driver: add a 3-buffer chain (16-byte header out, 4 KiB data in, 1-byte status in) through
 *       an indirect table ({@code indirect=true}, one ring slot) or as 3 consecutive ring
 *       slots ({@code indirect=false}), the head's flags last, {@code kickPrepare};
 *   <li>device: {@code pop}, {@code readIndirect} when the ring descriptor is indirect, {@code fill}
 *       and {@code flush} the used entry;
 *   <li>driver: {@code getBuf} reclaims the chain.
 * </ol>
 *
 * Everything (guest memory and its frames, the chains) is allocated and touched in {@link
 * #setUp}; the measured method allocates nothing, which {@code -prof gc} shows as
 * {@code gc.alloc.rate.norm ≈ 0 B/op}. Positions wrap with counters every {@code queueSize}
 * slots, so every run crosses the wrap many times. {@code queueSize} is a control: with one chain
 * in flight it should not change the cost, and 255 (not a power of two, which only a packed ring
 * allows) should cost the same as 256, since nothing is masked.
 *
 * <p>HOW TO RUN (from {@code engine/}):
 *
 * <pre>
 * cd .. &amp;&amp; mvn -q -B -pl engine install -DskipTests &amp;&amp; cd engine
 * mvn -q -B dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt -Dmdep.includeScope=test
 * java -cp target/test-classes:target/classes:$(cat /tmp/cp.txt) org.openjdk.jmh.Main PackedRing -prof gc
 * # quick smoke run:
 * java -cp target/test-classes:target/classes:$(cat /tmp/cp.txt) org.openjdk.jmh.Main PackedRing -f 1 -wi 1 -i 2 -w 1s -r 1s -prof gc
 * # split and packed side by side:
 * java -cp target/test-classes:target/classes:$(cat /tmp/cp.txt) org.openjdk.jmh.Main RingBenchmark -f 1 -wi 1 -i 2 -w 1s -r 1s -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-opens=java.base/java.nio=ALL-UNNAMED", "-XX:+IgnoreUnrecognizedVMOptions",
    "--sun-misc-unsafe-memory-access=allow", "--enable-native-access=ALL-UNNAMED"})
public class PackedRingBenchmark {
  private static final long RING = 0x10_0000L;
  private static final long REQ_PAGE = 0x20_0000L;
  private static final long HEADER = REQ_PAGE + 0x100;
  private static final long STATUS = REQ_PAGE + 0x110;
  private static final long TABLE = REQ_PAGE + 0x400;
  private static final long DATA = 0x100_0000L;

  @Param({"256", "255"})
  public int queueSize;

  @Param({"true", "false"})
  public boolean indirect;

  private GuestMemory mem;
  private PackedDriverQueue driver;
  private PackedDeviceQueue device;
  private Chain request;
  private Chain popped;
  private int token;

  @Setup(Level.Trial)
  public void setUp() {
    mem = new GuestMemory(1L << 30);
    PackedRingLayout layout = PackedRingLayout.contiguous(queueSize, RING);
    driver = new PackedDriverQueue(mem, layout, true, indirect);
    device = new PackedDeviceQueue(layout, true, indirect);
    request = new Chain(3);
    request.add(HEADER, 16, false);
    request.add(DATA, 4096, true);
    request.add(STATUS, 1, true);
    popped = new Chain(8);
    mem.fill(REQ_PAGE, 4096, (byte) 0); // header, status and table live in one touched page
    for (int i = 0; i < 2 * queueSize; i++) oneRequest(); // touch every ring slot, in both laps
  }

  @Benchmark
  public int oneRequest() {
    GuestMemory m = mem;
    int head = indirect ? driver.addIndirect(m, request, TABLE, TABLE, token) : driver.addDirect(m, request, token);
    boolean kick = driver.kickPrepare(m);
    device.pop(m, popped);
    if (popped.count == 0) device.readIndirect(m, popped.indirectAddr, popped.indirectLen, popped);
    device.fill(m, popped.head, 4097);
    device.flush(m);
    int tok = driver.getBuf(m);
    token++;
    return tok ^ head ^ (kick ? 1 : 0) ^ popped.count;
  }
}
