package org.vqsim.analysis.arrow;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.vqsim.engine.cost.CycleLedger;

/**
 * Writing requests.arrow: rows per second through {@link StrategyRecorder} (HdrHistogram plus one
 * row of 19 columns) into fixed-size record batches, to a file in the temp folder.
 *
 * <p>HOW TO RUN: {@code scripts/bench.sh -- ArrowWriteBenchmark -prof gc}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-opens=java.base/java.nio=ALL-UNNAMED", "-XX:+IgnoreUnrecognizedVMOptions",
    "--sun-misc-unsafe-memory-access=allow", "--enable-native-access=ALL-UNNAMED"})
public class ArrowWriteBenchmark {
  static final int ROWS = 1 << 18;
  private Path dir;
  private final CycleLedger ledger = new CycleLedger(1);

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    dir = Files.createTempDirectory("vqsim-arrow-bench");
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    try (var s = Files.list(dir)) {
      for (Path p : s.toList()) Files.delete(p);
    }
    Files.delete(dir);
  }

  @Benchmark
  @OperationsPerInvocation(ROWS)
  public long requestRows() throws IOException {
    Path f = dir.resolve("requests.arrow");
    Files.deleteIfExists(f);
    try (TableWriter w = new TableWriter(f, ResultSchemas.requests(Map.of()))) {
      StrategyRecorder rec = new StrategyRecorder("direct", w);
      for (int i = 0; i < ROWS; i++) rec.completed(i, 0, i * 4096L, 4096, i * 1000L, i * 1000L + 80_000, ledger, 0, 0, 0);
      return w.rows();
    }
  }
}
