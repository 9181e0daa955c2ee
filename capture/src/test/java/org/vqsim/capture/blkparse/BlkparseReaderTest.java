package org.vqsim.capture.blkparse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;
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
}
