package org.vqsim.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vqsim.capture.canonical.CanonicalTraceReader;
import org.vqsim.engine.sim.IoRequest;

class ImportAndInspectCommandTest {
  @TempDir Path dir;

  record Run(int code, String out, String err) {}

  private static synchronized Run vqsim(Object... args) {
    String[] a = new String[args.length];
    for (int i = 0; i < args.length; i++) a[i] = String.valueOf(args[i]);
    PrintStream oldOut = System.out, oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
    int code;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8); PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      System.setOut(o);
      System.setErr(e);
      code = Main.run(a);
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private static Path lab(String folder, String file) {
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      Path p = d.resolve("samples").resolve(folder).resolve(file);
      if (Files.exists(p)) return p;
    }
    throw new IllegalStateException("samples/" + folder + "/" + file + " not found");
  }

  @Test
  void inspectShowsFourMapsAndUnmapsPerRequestOfTheViommuGuestTrace() {
    Run r = vqsim("inspect", lab("qemu-lab", "randread4k.viommu-strict.guest-ftrace.txt.gz"));
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("format       ftrace", "requests     400: 400 read", "queue depth  max 1", "4k                400  100.0%");
    assertThat(r.out()).containsPattern("maps +4\\.00 +\\[4\\.\\.4\\]").containsPattern("unmaps +4\\.00 +\\[4\\.\\.4\\]");
  }

  @Test
  void inspectShowsInvalidationsAndIotlbMissesPerRequestOfTheQemuLog() {
    Run r = vqsim("inspect", lab("qemu-lab", "randread4k.viommu-strict.qemu-trace.log.gz"));
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("format       qemu", "requests     400").containsPattern("invalidations +8\\.00").containsPattern("iotlb_misses +4\\.00")
        .containsPattern("kicks +1\\.00").containsPattern("interrupts +1\\.00");
  }

  @Test
  void inspectShowsTceHypercallsOfThePowerTraces() {
    Run r = vqsim("inspect", lab("qemu-lab-ppc", "seqread64k.tce.guest-ftrace.txt.gz"));
    assertThat(r.out()).containsPattern("put_tce +3\\.00").containsPattern("put_tce_indirect +1\\.00").containsPattern("stuff_tce +4\\.00");
    Run b = vqsim("inspect", lab("qemu-lab", "seqwrite128k.bounce.guest-ftrace.txt.gz"));
    assertThat(b.out()).containsPattern("bounces +\\d+\\.\\d\\d").contains("bounce_bytes");
  }

  @Test
  void importWritesTheCanonicalTraceWithItsProvenance() throws IOException {
    Path out = dir.resolve("lab.arrow");
    Run r = vqsim("import", lab("qemu-lab", "randread4k.viommu-strict.guest-ftrace.txt.gz"), "-o", out);
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("Wrote 400 requests to " + out);
    try (CanonicalTraceReader t = new CanonicalTraceReader(out)) {
      Map<String, String> m = t.metadata();
      assertThat(m).containsEntry("vqsim.kind", "trace").containsEntry("vqsim.command", "import").containsEntry("vqsim.format", "ftrace")
          .containsEntry("vqsim.sources", "randread4k.viommu-strict.guest-ftrace.txt.gz").containsEntry("vqsim.skipped_lines", "0")
          .containsEntry("vqsim.observed.maps_per_request", "4.0000");
      IoRequest q = new IoRequest();
      int n = 0;
      while (t.next(q)) n++;
      assertThat(n).isEqualTo(400);
    }
  }

  @Test
  void importKeepsATimeWindowAndRefusesToOverwrite() throws IOException {
    Path out = dir.resolve("w.arrow");
    Run r = vqsim("import", lab("qemu-lab", "randread4k.direct.guest-ftrace.txt.gz"), "--from", "0.5", "--to", "1.0", "-o", out);
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).doesNotContain("Wrote 400 ");
    Run again = vqsim("import", lab("qemu-lab", "randread4k.direct.guest-ftrace.txt.gz"), "-o", out);
    assertThat(again.code()).isEqualTo(ExitCodes.CANT_CREATE);
    assertThat(again.err()).contains("already exists; use --force");
    assertThat(vqsim("import", lab("qemu-lab", "randread4k.direct.guest-ftrace.txt.gz"), "-o", out, "--force").code()).isZero();
  }

  @Test
  void badLinesStopWithFileLineOrAreSkippedAndCounted() throws IOException {
    Path t = dir.resolve("bad.iolog");
    Files.writeString(t, "fio version 2 iolog\n/f add\n/f open\n/f read 0 4096\n/f read zero 4096\n/f write 4096 4096\n");
    Run r = vqsim("import", t, "-o", dir.resolve("x.arrow"));
    assertThat(r.code()).isEqualTo(ExitCodes.DATA);
    assertThat(r.err()).contains(t + ":5: ");
    Run s = vqsim("import", t, "-o", dir.resolve("x.arrow"), "--skip-bad-lines");
    assertThat(s.code()).as(s.err()).isZero();
    assertThat(s.out()).contains("Skipped 1 malformed lines", "Wrote 2 requests");
    Run rep = vqsim("replay", t, "--skip-bad-lines", "-o", dir.resolve("out"));
    assertThat(rep.code()).as(rep.err()).isZero();
    assertThat(rep.out()).contains("Skipped 1 malformed lines");
  }

  @Test
  void aMissingInputExitsWith66() {
    Run r = vqsim("inspect", dir.resolve("nope.txt"));
    assertThat(r.code()).isEqualTo(ExitCodes.NO_INPUT);
  }
}
