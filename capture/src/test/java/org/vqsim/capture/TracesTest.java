package org.vqsim.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vqsim.capture.TestData.Req;
import org.vqsim.capture.canonical.CanonicalTrace;
import org.vqsim.capture.canonical.CanonicalTraceWriter;
import org.vqsim.engine.sim.IoOp;
import org.vqsim.engine.sim.IoRequest;

class TracesTest {
  @TempDir Path dir;

  private static final String FTRACE = """
      # tracer: nop
      #
          kworker/0:1H-37      [000] .....     3.176325: block_rq_issue: 254,0 RS 4096 () 0 + 8 [kworker/0:1H]
                <idle>-0       [000] d.h2.     3.183422: block_rq_complete: 254,0 RS () 0 + 8 [0]
          kworker/0:1H-37      [000] .....     3.190271: block_rq_issue: 254,0 RS 4096 () 63352 + 8 [kworker/0:1H]
      """;

  private static final List<Req> FTRACE_REQUESTS = List.of(new Req(0, IoOp.READ, 0, 4096), new Req(13_946_000, IoOp.READ, 63352L * 512, 4096));

  private Path text(String name, String content) throws IOException {
    Path f = dir.resolve(name);
    Files.writeString(f, content);
    return f;
  }

  private Path gzip(String name, byte[] content) throws IOException {
    Path f = dir.resolve(name);
    try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(f))) {
      o.write(content);
    }
    return f;
  }

  private Path arrow(String name) throws IOException {
    Path f = dir.resolve(name);
    IoRequest r = new IoRequest();
    try (CanonicalTraceWriter w = new CanonicalTraceWriter(f, Map.of(CanonicalTrace.META_IODEPTH, "8"))) {
      w.write(r.set(0, IoOp.WRITE, 8192, 512));
      w.write(r.set(5, IoOp.FLUSH, 0, 0));
    }
    return f;
  }

  private static List<Req> drain(Path f) throws IOException {
    try (Traces.Opened o = Traces.open(f, null, null)) {
      return TestData.drain(o.source());
    }
  }

  @Test
  void arrowIsDetectedFromItsContentWhateverTheName() throws IOException {
    Path f = arrow("trace.txt");
    assertThat(Traces.detect(f)).isEqualTo(TraceFormat.CANONICAL);
    try (Traces.Opened o = Traces.open(f, null, null)) {
      assertThat(o.format()).isEqualTo(TraceFormat.CANONICAL);
      assertThat(o.metadata()).containsEntry(CanonicalTrace.META_IODEPTH, "8");
      assertThat(TestData.drain(o.source())).containsExactly(new Req(0, IoOp.WRITE, 8192, 512), new Req(5, IoOp.FLUSH, 0, 0));
    }
  }

  @Test
  void ftraceIsDetectedFromItsContentWhateverTheName() throws IOException {
    Path f = text("trace.arrow", FTRACE);
    assertThat(Traces.detect(f)).isEqualTo(TraceFormat.FTRACE);
    assertThat(drain(f)).isEqualTo(FTRACE_REQUESTS);
  }

  @Test
  void ftraceWithoutTheHeaderIsDetectedByItsEvents() throws IOException {
    Path f = text("events.log", FTRACE.lines().filter(l -> !l.startsWith("#")).reduce("", (a, b) -> a + b + "\n"));
    assertThat(Traces.detect(f)).isEqualTo(TraceFormat.FTRACE);
  }

  @Test
  void gzipIsTransparent() throws IOException {
    Path f = gzip("trace.gz", FTRACE.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThat(Traces.detect(f)).isEqualTo(TraceFormat.FTRACE);
    assertThat(drain(f)).isEqualTo(FTRACE_REQUESTS);
  }

  @Test
  void gzippedLabSampleGivesItsRequests() throws IOException {
    Path f = TestData.samples().resolve("qemu-lab/randread4k.direct.guest-ftrace.txt.gz");
    try (Traces.Opened o = Traces.open(f, null, "254,0")) {
      assertThat(o.format()).isEqualTo(TraceFormat.FTRACE);
      assertThat(TestData.drain(o.source())).hasSize(400);
    }
  }

  @Test
  void forcedFormatIsUsedWithoutDetection() throws IOException {
    Path f = text("t.txt", FTRACE);
    try (Traces.Opened o = Traces.open(f, TraceFormat.FTRACE, null)) {
      assertThat(o.format()).isEqualTo(TraceFormat.FTRACE);
    }
    assertThatThrownBy(() -> Traces.open(f, TraceFormat.CANONICAL, null))
        .isInstanceOf(TraceException.class)
        .hasMessageStartingWith(f.toString())
        .hasMessageContaining("not an Arrow IPC file");
  }

  @Test
  void emptyFileIsReportedWithItsName() throws IOException {
    Path f = text("empty.txt", "");
    assertThatThrownBy(() -> Traces.open(f, null, null))
        .isInstanceOf(TraceException.class)
        .hasMessage(f + ": empty file")
        .extracting(e -> ((TraceException) e).missing()).isEqualTo(false);
  }

  @Test
  void binaryGarbageIsReportedWithItsName() throws IOException {
    byte[] b = new byte[4096];
    for (int i = 0; i < b.length; i++) b[i] = (byte) (i * 131 + 7);
    Path f = dir.resolve("garbage.bin");
    Files.write(f, b);
    assertThatThrownBy(() -> Traces.open(f, null, null))
        .isInstanceOf(TraceException.class)
        .hasMessageStartingWith(f.toString())
        .hasMessageContaining("binary data");
  }

  @Test
  void unknownTextIsReportedAsFileLineOneWithTheFormats() throws IOException {
    Path f = text("notes.txt", "hello world\nsecond line\n");
    assertThatThrownBy(() -> Traces.open(f, null, null))
        .isInstanceOf(TraceException.class)
        .hasMessageStartingWith(f + ":1: ")
        .hasMessageContaining("'hello world'")
        .hasMessageContaining("--format arrow|ftrace");
  }

  @Test
  void truncatedGzipIsReportedWithItsName() throws IOException {
    byte[] whole = Files.readAllBytes(TestData.samples().resolve("qemu-lab/randread4k.direct.guest-ftrace.txt.gz"));
    Path f = dir.resolve("half.txt.gz");
    Files.write(f, Arrays.copyOf(whole, whole.length / 2));
    // the cut may fall after the first 64 KiB the detector reads: then reading reports it
    assertThatThrownBy(() -> drain(f))
        .isInstanceOf(TraceException.class)
        .hasMessageStartingWith(f.toString())
        .hasMessageContaining("gzip");
  }

  @Test
  void gzipCutInsideItsHeaderIsReportedWithItsName() throws IOException {
    byte[] whole = Files.readAllBytes(TestData.samples().resolve("qemu-lab/randread4k.direct.guest-ftrace.txt.gz"));
    Path f = dir.resolve("header.gz");
    Files.write(f, Arrays.copyOf(whole, 5));
    assertThatThrownBy(() -> drain(f))
        .isInstanceOf(TraceException.class)
        .hasMessageStartingWith(f.toString())
        .hasMessageContaining("gzip");
  }

  @Test
  void gzippedArrowIsRefusedWithAHint() throws IOException {
    Path a = arrow("t.arrow");
    Path f = gzip("t.arrow.gz", Files.readAllBytes(a));
    assertThatThrownBy(() -> Traces.open(f, TraceFormat.CANONICAL, null))
        .isInstanceOf(TraceException.class)
        .hasMessageStartingWith(f.toString())
        .hasMessageContaining("decompress");
  }

  @Test
  void missingFileIsReportedAsMissing() {
    Path f = dir.resolve("nope.arrow");
    assertThatThrownBy(() -> Traces.open(f, null, null))
        .isInstanceOf(TraceException.class)
        .hasMessageContaining(f.toString())
        .satisfies(e -> assertThat(((TraceException) e).missing()).isTrue());
  }

  @Test
  void folderIsNotATrace() {
    assertThatThrownBy(() -> Traces.open(dir, null, null))
        .isInstanceOf(TraceException.class)
        .hasMessageContaining("is a directory");
  }
}
