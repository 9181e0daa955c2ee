package org.vqsim.capture.observed;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.vqsim.capture.ReadOptions;
import org.vqsim.capture.Traces;
import org.vqsim.engine.sim.IoRequest;

/**
 * Trace reading speed on uncompressed text shaped like the lab traces (a 4 KiB read with its four
 * maps and unmaps; the QEMU log lines of one request): the {@code bytes} counter is the figure that
 * matters (bytes per second per core; the target is ≥ 200 MB/s), {@code requests} the requests
 * formed. Each invocation reads the whole file from the page cache.
 *
 * <p>HOW TO RUN: {@code scripts/bench.sh -- ReaderBenchmark -prof gc}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {"--add-opens=java.base/java.nio=ALL-UNNAMED", "-XX:+IgnoreUnrecognizedVMOptions",
    "--sun-misc-unsafe-memory-access=allow", "--enable-native-access=ALL-UNNAMED", "-Xmx256m"})
public class ReaderBenchmark {
  static final long SIZE = 64L << 20;

  @Param({"ftrace", "qemu"})
  public String format;

  private Path dir;
  private Path file;
  private long fileBytes;

  /** Bytes and requests read, reported per second. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Read {
    public long bytes;
    public long requests;
  }

  @Setup(Level.Trial)
  public void write() throws IOException {
    dir = Files.createTempDirectory("vqsim-reader-bench");
    file = dir.resolve(format + ".txt");
    if (format.equals("ftrace")) ReaderThroughput.writeFtrace(file, SIZE);
    else ReaderThroughput.writeQemu(file, SIZE);
    fileBytes = Files.size(file);
  }

  @TearDown(Level.Trial)
  public void delete() throws IOException {
    Files.deleteIfExists(file);
    Files.deleteIfExists(dir);
  }

  @Benchmark
  public void readWholeFile(Read counters) throws IOException {
    IoRequest r = new IoRequest();
    long n = 0;
    try (Traces.Opened t = Traces.open(file, ReadOptions.defaults())) {
      while (t.source().next(r)) n++;
    }
    counters.bytes += fileBytes;
    counters.requests += n;
  }
}
