package org.vqsim.capture;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.vqsim.capture.blkparse.BlkparseReader;
import org.vqsim.capture.canonical.CanonicalTraceReader;
import org.vqsim.capture.fio.FioIologReader;
import org.vqsim.capture.ftrace.FtraceEventReader;
import org.vqsim.capture.msr.MsrCsvReader;
import org.vqsim.capture.observed.ObservedSource;
import org.vqsim.capture.qemu.QemuLogReader;
import org.vqsim.capture.text.CpuNumber;
import org.vqsim.capture.text.TimeBase;
import org.vqsim.engine.sim.IoOp;
import org.vqsim.engine.sim.IoRequest;
import org.vqsim.engine.sim.RequestSource;

/**
 * Jazzer fuzz tests of every trace reader and of format detection: whatever the bytes, a reader
 * either hands out well-formed requests (a known op, offset ≥ 0, a length that fits the op, times
 * from 0 that never go backwards and stay within 100 days, a CPU of -1 or 0 to 65535) or throws {@link TraceException} —
 * never another exception, never a hang. Every text reader runs twice: stopping at the first bad
 * line and skipping bad lines.
 *
 * <p>{@code mvn verify} runs the regression inputs in
 * {@code src/test/resources/org/vqsim/capture/TraceReadersFuzzTestInputs/<method>/} (seeds and every
 * input that once failed). To fuzz one reader (README "Reliability"):
 *
 * <pre>
 *  JAZZER_FUZZ=1 MAVEN_OPTS=-Xmx3g mvn -pl capture -am test -Dsurefire.failIfNoSpecifiedTests=false \
 *      -Dtest=TraceReadersFuzzTest#ftrace -Djazzer.max_duration=2m
 * </pre>
 *
 * A finding is written into that folder as {@code crash-…}; fix the reader and keep the file.
 */
class TraceReadersFuzzTest {
  private static Path dir;

  @BeforeAll
  static void tempDir() throws IOException {
    dir = Files.createTempDirectory("vqsim-fuzz");
  }

  @AfterAll
  static void cleanUp() throws IOException {
    try (var s = Files.list(dir)) {
      for (Path p : s.toList()) Files.deleteIfExists(p);
    }
    Files.deleteIfExists(dir);
  }

  @FunctionalInterface
  interface Opener {
    RequestSource open(boolean skipBadLines) throws IOException;
  }

  /** Reads everything the source hands out, checking each request; a TraceException is an accepted answer. */
  private static void drainBothWays(Opener o) {
    drain(o, false);
    drain(o, true);
  }

  private static void drain(Opener o, boolean skipBadLines) {
    try (RequestSource src = o.open(skipBadLines)) {
      IoRequest r = new IoRequest();
      long last = 0;
      long n = 0;
      while (src.next(r)) {
        assertThat(r.op).as("op").isBetween(IoOp.READ, IoOp.DISCARD);
        assertThat(r.offset).as("offset").isNotNegative();
        assertThat(r.length).as("length").isNotNegative();
        if (IoOp.hasData(r.op)) assertThat(r.length).as("a read or write carries data").isPositive();
        assertThat(r.tsNs).as("request time never goes backwards").isGreaterThanOrEqualTo(last).isLessThanOrEqualTo(TimeBase.MAX_NS);
        assertThat(r.cpu).as("cpu: -1 (not in the trace) or a CPU number").isBetween(-1, CpuNumber.MAX);
        last = r.tsNs;
        n++;
      }
      if (src instanceof ObservedSource obs) {
        assertThat(obs.counters().lines).isNotNegative(); // counters and notes build without failing
      }
      assertThat(n).isNotNegative();
    } catch (TraceException expected) {
      assertThat(expected.getMessage()).as("a message for the user").isNotBlank();
    } catch (IOException e) {
      throw new UncheckedIOException("an I/O error reading bytes from memory", e);
    }
  }

  private static ByteArrayInputStream bytes(byte[] data) {
    return new ByteArrayInputStream(data);
  }

  private static Path file(byte[] data) throws IOException {
    Path f = dir.resolve("input");
    Files.write(f, data);
    return f;
  }

  @FuzzTest(maxDuration = "10m")
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void ftrace(byte[] data) {
    drainBothWays(skip -> new FtraceEventReader(bytes(data), "fuzz.txt", null, skip));
  }

  @FuzzTest(maxDuration = "10m")
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void qemu(byte[] data) {
    drainBothWays(skip -> new QemuLogReader(() -> bytes(data), "fuzz.log", QemuLogReader.DEFAULT_IDLE_GAP_S, skip));
    drainBothWays(skip -> new QemuLogReader(() -> bytes(data), "fuzz.log", 0, skip));
  }

  @FuzzTest(maxDuration = "10m")
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void blkparse(byte[] data) {
    drainBothWays(skip -> new BlkparseReader(bytes(data), "fuzz.txt", null, skip));
  }

  @FuzzTest(maxDuration = "10m")
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void fio(byte[] data) {
    drainBothWays(skip -> new FioIologReader(bytes(data), "fuzz.iolog", skip));
  }

  @FuzzTest(maxDuration = "10m")
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void msr(byte[] data) {
    drainBothWays(skip -> new MsrCsvReader(bytes(data), "fuzz.csv", null, skip));
  }

  @FuzzTest(maxDuration = "10m")
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void canonical(byte[] data) throws IOException {
    Path f = file(data);
    drain(skip -> new CanonicalTraceReader(f), false);
  }

  /** Format detection and gzip through the front door, as {@code replay FILE} opens a trace. */
  @FuzzTest(maxDuration = "10m")
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void detectAndOpen(byte[] data) throws IOException {
    Path f = file(data);
    drainBothWays(skip -> Traces.open(f, ReadOptions.defaults().withSkipBadLines(skip)).source());
  }
}
