package org.vqsim.capture.fio;

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

/**
 * samples/fio-randrw.v3.iolog was written by fio 3.33 ({@code --rw=randrw --bs=4k --number_ios=48 --fsync=16
 * --write_iolog}); fio 3.33 writes only version 3, so the v2 sample is the same log in the v2 layout.
 */
class FioIologReaderTest {
  private static FioIologReader open(String name) throws IOException {
    return new FioIologReader(Files.newInputStream(LabTracePaths.resource(name)), name, false);
  }

  private static FioIologReader text(String t) {
    return new FioIologReader(new ByteArrayInputStream(t.getBytes()), "f.log", false);
  }

  @Test
  void readsTheRealVersion3LogWithMicrosecondTimestamps() throws IOException {
    FioIologReader r = open("fio-randrw.v3.iolog");
    List<Drain.Row> rows = Drain.rows(r);
    assertThat(r.version()).isEqualTo(3);
    assertThat(rows).hasSize(49);
    assertThat(rows.get(0).op()).isEqualTo("R");
    assertThat(rows.get(0).offset()).isEqualTo(1011712);
    assertThat(rows.get(0).tsNs()).isZero();
    assertThat(rows).filteredOn(x -> x.op().equals("F")).hasSize(1);
    assertThat(rows.get(48).tsNs()).isEqualTo((3037 - 167) * 1000L);
  }

  @Test
  void readsTheVersion2LayoutClosedLoop() throws IOException {
    List<Drain.Row> rows = Drain.rows(open("fio-randrw.v2.iolog"));
    assertThat(rows).hasSize(49);
    assertThat(rows).allMatch(x -> x.tsNs() == 0);
  }

  @Test
  void sortsVersion3LinesWithinTheReorderWindow() throws IOException {
    List<Drain.Row> rows = Drain.rows(text("fio version 3 iolog\n10 /f add\n300 /f read 0 4096\n200 /f write 4096 4096\n250 /f trim 0 8192\n"));
    assertThat(rows).extracting(Drain.Row::op).containsExactly("W", "D", "R");
    assertThat(rows).extracting(Drain.Row::tsNs).containsExactly(0L, 50_000L, 100_000L);
  }

  @Test
  void version2WaitAdvancesTheClock() throws IOException {
    List<Drain.Row> rows = Drain.rows(text("fio version 2 iolog\n/f add\n/f open\n/f read 0 4096\n/f wait 1000 0\n/f read 4096 4096\n/f close\n"));
    assertThat(rows).extracting(Drain.Row::tsNs).containsExactly(0L, 1_000_000L);
  }

  @Test
  void rejectsAFileWithoutTheHeaderAndReportsBadLines() {
    assertThatThrownBy(() -> Drain.rows(text("/f read 0 4096\n"))).isInstanceOf(TraceException.class).hasMessageStartingWith("f.log:1: not a fio iolog");
    assertThatThrownBy(() -> Drain.rows(text("fio version 2 iolog\n/f frobnicate 0 4096\n"))).isInstanceOf(TraceException.class)
        .hasMessageStartingWith("f.log:2: unknown action 'frobnicate'");
  }
}
