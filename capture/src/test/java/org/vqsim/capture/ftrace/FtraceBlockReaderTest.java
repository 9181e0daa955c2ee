package org.vqsim.capture.ftrace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vqsim.capture.TestData;
import org.vqsim.capture.TestData.Req;
import org.vqsim.capture.TraceException;
import org.vqsim.capture.Traces;
import org.vqsim.engine.sim.IoOp;
import org.vqsim.engine.sim.IoRequest;

class FtraceBlockReaderTest {
  /** The head of samples/qemu-lab/randread4k.direct.guest-ftrace.txt.gz (Linux 6.1 guest, tracer: nop). */
  private static final String LAB_HEAD = """
      # tracer: nop
      #
      # entries-in-buffer/entries-written: 800/800   #P:1
      #
      #           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION
      #              | |         |   |||||     |         |
          kworker/0:1H-37      [000] .....     3.176325: block_rq_issue: 254,0 RS 4096 () 0 + 8 [kworker/0:1H]
                <idle>-0       [000] d.h2.     3.183422: block_rq_complete: 254,0 RS () 0 + 8 [0]
          kworker/0:1H-37      [000] .....     3.190271: block_rq_issue: 254,0 RS 4096 () 63352 + 8 [kworker/0:1H]
                <idle>-0       [000] d.h2.     3.191328: block_rq_complete: 254,0 RS () 63352 + 8 [0]
          kworker/0:1H-37      [000] .....     3.197363: block_rq_issue: 254,0 RS 4096 () 126704 + 8 [kworker/0:1H]
                <idle>-0       [000] d.h2.     3.198201: block_rq_complete: 254,0 RS () 126704 + 8 [0]
      """;

  private static List<Req> read(String text, String device) throws IOException {
    try (FtraceBlockReader r = reader(text, device)) {
      return TestData.drain(r);
    }
  }

  private static FtraceBlockReader reader(String text, String device) {
    return new FtraceBlockReader(new BufferedReader(new StringReader(text)), "lab.txt", device);
  }

  private static String issue(String ts, String fields) {
    return "              dd-210     [000] .....     " + ts + ": block_rq_issue: " + fields + "\n";
  }

  @Test
  void realLinux61LinesGiveOneRequestPerIssue() throws IOException {
    List<Req> l = read(LAB_HEAD, null);
    assertThat(l).containsExactly(
        new Req(0, IoOp.READ, 0, 4096),
        new Req(13_946_000, IoOp.READ, 63352L * 512, 4096),
        new Req(21_038_000, IoOp.READ, 126704L * 512, 4096));
  }

  @Test
  void otherEventsAreSkippedAndCounted() throws IOException {
    try (FtraceBlockReader r = reader(LAB_HEAD, null)) {
      TestData.drain(r);
      assertThat(r.requests()).isEqualTo(3);
      assertThat(r.otherLines()).isEqualTo(3);
    }
  }

  @Test
  void newerKernelsIoprioTripleIsTolerated() throws IOException {
    List<Req> l = read(issue("12.000001", "8,0 RA 16384 () 6500840 + 32 be,0,6 [dd]"), null);
    assertThat(l).containsExactly(new Req(0, IoOp.READ, 6500840L * 512, 16384));
  }

  @Test
  void trailingCommWithSpacesIsTolerated() throws IOException {
    assertThat(read(issue("1.5", "8,0 W 8192 () 16 + 16 [kworker/u8:2 flush]"), null)).containsExactly(new Req(0, IoOp.WRITE, 8192, 8192));
  }

  @ParameterizedTest(name = "rwbs {0} is op {1}")
  @CsvSource({"RS, R", "R, R", "RA, R", "RM, R", "WS, W", "W, W", "FWS, W", "FWFS, W", "WFS, W", "FF, F", "D, D", "DS, D"})
  void rwbsGivesTheOpAsBlkFillRwbsWritesIt(String rwbs, String letter) {
    assertThat(FtraceBlockReader.opOf(rwbs)).isEqualTo(IoOp.parse(letter));
  }

  @ParameterizedTest
  @CsvSource({"N", "FN", "''"})
  void otherOpsAreNotRequests(String rwbs) {
    assertThat(FtraceBlockReader.opOf(rwbs)).isEqualTo(-1);
  }

  @Test
  void flushHasNoDataAndDiscardKeepsItsRange() throws IOException {
    String t = issue("1.000000", "254,0 FF 0 () 0 + 0 [kworker/0:1H]")
        + issue("1.000010", "254,0 FWS 4096 () 2048 + 8 [jbd2/vda1-8]")
        + issue("1.000020", "254,0 D 1048576 () 4096 + 2048 [fstrim]")
        + issue("1.000030", "254,0 N 0 () 0 + 0 [scsi_id]");
    try (FtraceBlockReader r = reader(t, null)) {
      assertThat(TestData.drain(r)).containsExactly(
          new Req(0, IoOp.FLUSH, 0, 0),
          new Req(10_000, IoOp.WRITE, 2048L * 512, 4096),
          new Req(20_000, IoOp.DISCARD, 4096L * 512, 1 << 20));
      assertThat(r.skippedOps()).isEqualTo(1);
    }
  }

  @Test
  void byteCountZeroFallsBackToTheSectorCount() throws IOException {
    assertThat(read(issue("2.0", "254,0 R 0 () 100 + 16 [dd]"), null)).containsExactly(new Req(0, IoOp.READ, 51200, 8192));
  }

  @Test
  void deviceFilterKeepsOneDeviceAndTimesFromItsFirstIssue() throws IOException {
    String t = issue("5.000000", "8,0 WS 4096 () 8 + 8 [boot]")
        + issue("5.000100", "254,0 RS 4096 () 16 + 8 [dd]")
        + issue("5.000150", "8,0 WS 4096 () 8 + 8 [boot]")
        + issue("5.000300", "254,0 RS 4096 () 24 + 8 [dd]");
    assertThat(read(t, "254,0")).containsExactly(new Req(0, IoOp.READ, 16 * 512, 4096), new Req(200_000, IoOp.READ, 24 * 512, 4096));
    assertThat(read(t, null)).hasSize(4);
    assertThat(read(t, "7,0")).isEmpty();
  }

  @Test
  void timestampsAreNanosecondsFromTheFirstIssue() throws IOException {
    String t = issue("100.123456789", "254,0 RS 4096 () 0 + 8 [dd]")
        + issue("101.5", "254,0 RS 4096 () 8 + 8 [dd]")
        + issue("101.500000001", "254,0 RS 4096 () 8 + 8 [dd]");
    assertThat(read(t, null)).extracting(Req::tsNs).containsExactly(0L, 1_376_543_211L, 1_376_543_212L);
  }

  @Test
  void malformedLineIsReportedAsFileColonLine() {
    String t = LAB_HEAD + issue("3.2", "254,0 RS lots () 0 + 8 [dd]");
    int line = (int) LAB_HEAD.lines().count() + 1;
    assertThatThrownBy(() -> read(t, null))
        .isInstanceOf(TraceException.class)
        .hasMessageStartingWith("lab.txt:" + line + ": ")
        .hasMessageContaining("byte count 'lots' is not a number");
  }

  @Test
  void missingSectorIsReportedAsFileColonLine() {
    String t = issue("3.2", "254,0 RS 4096 () [dd]");
    assertThatThrownBy(() -> read(t, null)).isInstanceOf(TraceException.class).hasMessageStartingWith("lab.txt:1: ");
  }

  @Test
  void badTimestampIsReportedAsFileColonLine() {
    String t = "# tracer: nop\n" + issue("3,2", "254,0 RS 4096 () 0 + 8 [dd]");
    assertThatThrownBy(() -> read(t, null))
        .isInstanceOf(TraceException.class)
        .hasMessageStartingWith("lab.txt:2: ")
        .hasMessageContaining("timestamp '3,2'");
  }

  @Test
  void badDeviceIsReportedAsFileColonLine() {
    assertThatThrownBy(() -> read(issue("1.0", "vda RS 4096 () 0 + 8 [dd]"), null))
        .isInstanceOf(TraceException.class)
        .hasMessageStartingWith("lab.txt:1: ")
        .hasMessageContaining("MAJOR,MINOR");
  }

  @Test
  void readOfZeroBytesIsReportedAsFileColonLine() {
    assertThatThrownBy(() -> read(issue("1.0", "254,0 WS 0 () 0 + 0 [dd]"), null))
        .isInstanceOf(TraceException.class)
        .hasMessageStartingWith("lab.txt:1: ");
  }

  @Test
  void emptyInputIsAnError() {
    assertThatThrownBy(() -> read("", null)).isInstanceOf(TraceException.class).hasMessageContaining("lab.txt: empty trace");
  }

  @Test
  void headerWithoutEventsIsAnEmptyTrace() throws IOException {
    assertThat(read("# tracer: nop\n#\n", null)).isEmpty();
  }

  // --- the real lab samples (samples/qemu-lab/README.md) ---

  private static List<Req> sample(String name, String device) throws IOException {
    Path f = TestData.samples().resolve("qemu-lab").resolve(name);
    try (FtraceBlockReader r = new FtraceBlockReader(Traces.textReader(f), f.toString(), device)) {
      return TestData.drain(r);
    }
  }

  @Test
  void labRandread4kIs400ReadsOf4KiB() throws IOException {
    List<Req> l = sample("randread4k.direct.guest-ftrace.txt.gz", "254,0");
    assertThat(l).hasSize(400);
    assertThat(l).extracting(Req::length).containsOnly(4096);
    assertThat(l).extracting(Req::op).containsOnly(IoOp.READ);
    assertThat(l.get(0).tsNs()).isZero();
    assertThat(l).extracting(Req::tsNs).isSorted();
    // the guest trace holds only the workload: no boot I/O on other devices
    assertThat(sample("randread4k.direct.guest-ftrace.txt.gz", null)).hasSize(400);
  }

  @Test
  void labSeqread64kIs300SequentialReadsOf64KiB() throws IOException {
    List<Req> l = sample("seqread64k.direct.guest-ftrace.txt.gz", "254,0");
    assertThat(l).hasSize(300);
    assertThat(l).extracting(Req::length).containsOnly(65536);
    assertThat(l).extracting(Req::op).containsOnly(IoOp.READ);
    for (int i = 1; i < l.size(); i++) assertThat(l.get(i).offset()).isEqualTo(l.get(i - 1).offset() + 65536);
    assertThat(sample("seqread64k.direct.guest-ftrace.txt.gz", null)).hasSize(300);
  }

  @Test
  void labSeqwrite128kIs150WritesOf128KiB() throws IOException {
    List<Req> l = sample("seqwrite128k.direct.guest-ftrace.txt.gz", "254,0");
    assertThat(l).hasSize(150);
    assertThat(l).extracting(Req::length).containsOnly(131072);
    assertThat(l).extracting(Req::op).containsOnly(IoOp.WRITE);
    assertThat(sample("seqwrite128k.direct.guest-ftrace.txt.gz", null)).hasSize(150);
  }

  @Test
  void readerReusesTheCallersCursor() throws IOException {
    IoRequest r = new IoRequest();
    try (FtraceBlockReader f = reader(LAB_HEAD, null)) {
      assertThat(f.next(r)).isTrue();
      assertThat(r.offset).isZero();
      assertThat(f.next(r)).isTrue();
      assertThat(r.offset).isEqualTo(63352L * 512);
    }
  }
}
