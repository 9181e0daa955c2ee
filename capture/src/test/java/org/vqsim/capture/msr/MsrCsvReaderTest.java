package org.vqsim.capture.msr;

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

/** samples/msr-hm.csv: the SNIA MSR Cambridge layout (hm = hardware monitoring server). */
class MsrCsvReaderTest {
  private static MsrCsvReader sample(Integer disk) throws IOException {
    return new MsrCsvReader(Files.newInputStream(LabTracePaths.resource("msr-hm.csv")), "msr-hm.csv", disk, false);
  }

  @Test
  void convertsFiletimeTicksToNanosecondsFromTheFirstRequest() throws IOException {
    List<Drain.Row> rows = Drain.rows(sample(null));
    assertThat(rows).hasSize(5);
    assertThat(rows.get(1).op()).isEqualTo("W");
    assertThat(rows.get(1).tsNs()).isEqualTo((128166372003065845L - 128166372003061629L) * 100);
    assertThat(rows.get(0).completeNs()).as("ResponseTime in 100 ns ticks").isEqualTo(195_300);
  }

  @Test
  void keepsOneDisk() throws IOException {
    assertThat(Drain.rows(sample(0))).extracting(Drain.Row::length).containsExactly(65536);
  }

  @Test
  void acceptsAHeaderAndReportsBadRows() throws IOException {
    String t = "Timestamp,Hostname,DiskNumber,Type,Offset,Size,ResponseTime\n128166372003061629,hm,1,Read,3551232,4096,1953\n";
    assertThat(Drain.rows(new MsrCsvReader(new ByteArrayInputStream(t.getBytes()), "m.csv", null, false))).hasSize(1);
    String bad = "128166372003061629,hm,1,Erase,3551232,4096,1953\n";
    assertThatThrownBy(() -> Drain.rows(new MsrCsvReader(new ByteArrayInputStream(bad.getBytes()), "m.csv", null, false)))
        .isInstanceOf(TraceException.class).hasMessage("m.csv:1: Type 'Erase' is neither Read nor Write");
  }
}
