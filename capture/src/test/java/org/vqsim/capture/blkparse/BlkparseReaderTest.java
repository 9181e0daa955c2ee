package org.vqsim.capture.blkparse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vqsim.capture.ReadOptions;
import org.vqsim.capture.TestData;
import org.vqsim.capture.TraceFormat;
import org.vqsim.capture.Traces;
import org.vqsim.capture.TraceException;
import org.vqsim.capture.observed.Drain;
import org.vqsim.capture.observed.LabTracePaths;

/** samples/blkparse-dd.txt: blkparse's default output layout (blktrace cannot trace inside this container). */
class BlkparseReaderTest {
  private static BlkparseReader sample(String device) throws IOException {
    return new BlkparseReader(Files.newInputStream(LabTracePaths.resource("blkparse-dd.txt")), "blkparse-dd.txt", device, false);
  }

  @Test
  void makesOneRequestPerDispatchPairedWithItsCompletion() throws IOException {
    BlkparseReader r = sample(null);
    List<Drain.Row> rows = Drain.rows(r);
    assertThat(rows).extracting(Drain.Row::op).containsExactly("R", "W", "R", "W", "F", "D");
    assertThat(rows.get(0).offset()).isEqualTo(223490L * 512);
    assertThat(rows.get(0).length()).isEqualTo(4096);
    assertThat(rows.get(0).completeNs()).isEqualTo(412_331 - 7_940);
    assertThat(rows.get(1).length()).isEqualTo(256 * 512);
    assertThat(rows.get(1).completeNs()).as("completed after the later write").isEqualTo(1_203_997 - 7_940);
    assertThat(rows.get(4).length()).isZero();
    assertThat(rows).extracting(Drain.Row::cpu).as("each Q's CPU; the flush was queued as a preflush write (FWS), the discard not at all")
        .containsExactly(3, 3, 1, 3, -1, -1);
    assertThat(r.counters().issuesWithoutCompletion).isZero();
  }

  @Test
  void keepsOneDeviceAndStopsAtTheSummary() throws IOException {
    BlkparseReader r = sample("8,16");
    assertThat(Drain.rows(r)).extracting(Drain.Row::offset).containsExactly(64L * 512);
    assertThat(r.counters().filtered).isEqualTo(5);
  }

  @Test
  void reportsABadLine() {
    String t = "  8,0 3 1 0.000000000 697 D R 22x + 8 [dd]\n";
    assertThatThrownBy(() -> Drain.rows(new BlkparseReader(new ByteArrayInputStream(t.getBytes()), "b.txt", null, false)))
        .isInstanceOf(TraceException.class).hasMessage("b.txt:1: sector '22x' is not a number");
  }

  // ---- the submitting CPU -------------------------------------------------------------------

  @TempDir Path dir;

  private List<Drain.Row> readFile(String text) throws IOException {
    Path f = dir.resolve("blkparse.txt");
    Files.writeString(f, text);
    try (Traces.Opened t = Traces.open(f, ReadOptions.defaults())) {
      assertThat(t.format()).isEqualTo(TraceFormat.BLKPARSE);
      return Drain.rows(t.source());
    }
  }

  @Test
  void theSubmittingCpuIsTheCpuColumnOfTheRequestsQueueEvent() throws IOException {
    // the read is queued on CPU 2 and dispatched on CPU 0; the write queued on CPU 3 (its I on CPU 1:
    // Q wins); the second read has only an I (CPU 1); the third request neither
    String t = """
          8,0    2        1     0.000000000   697  Q   R 100 + 8 [fio]
          8,0    2        2     0.000001000   697  G   R 100 + 8 [fio]
          8,0    3        3     0.000002000   698  Q  WS 500 + 16 [fio]
          8,0    1        4     0.000003000   698  I  WS 500 + 16 [fio]
          8,0    1        5     0.000003500   699  I   R 900 + 8 [fio]
          8,0    0        6     0.000004000    37  D   R 100 + 8 [kworker/0:1H]
          8,0    0        7     0.000005000    37  D  WS 500 + 16 [kworker/0:1H]
          8,0    0        8     0.000005500    37  D   R 900 + 8 [kworker/0:1H]
          8,0    0        9     0.000006000    37  D   R 1300 + 8 [kworker/0:1H]
          8,0    0       10     0.000100000     0  C   R 100 + 8 [0]
          8,0    0       11     0.000200000     0  C  WS 500 + 16 [0]
          8,0    0       12     0.000300000     0  C   R 900 + 8 [0]
          8,0    0       13     0.000400000     0  C   R 1300 + 8 [0]
        """;
    assertThat(readFile(t)).extracting(Drain.Row::cpu).containsExactly(2, 3, 1, -1);
  }

  @Test
  void theRealFormatSampleWasQueuedOnCpu0() throws IOException {
    // samples/formats/blkparse.txt: one fio job, every Q on CPU 0 (completions also on CPU 1)
    try (Traces.Opened t = Traces.open(TestData.samples().resolve("formats/blkparse.txt"), ReadOptions.defaults())) {
      assertThat(Drain.rows(t.source())).hasSize(185).extracting(Drain.Row::cpu).containsOnly(0);
    }
  }

  @Test
  void aCpuColumnBeyondAnyKernelsIsABadLine() {
    String t = "  8,0 70000 1 0.000000000 697 Q R 100 + 8 [dd]\n  8,0 0 2 0.000001000 697 D R 100 + 8 [dd]\n";
    assertThatThrownBy(() -> Drain.rows(new BlkparseReader(new ByteArrayInputStream(t.getBytes()), "b.txt", null, false)))
        .isInstanceOf(TraceException.class).hasMessage("b.txt:1: cpu 70000 is beyond 65535");
  }
}
