package org.vqsim.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vqsim.replay.Cli.vqsim;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vqsim.analysis.io.OutputFaults;
import org.vqsim.analysis.io.RunOutput;

/**
 * Nothing is lost under faults: a full disk (an injected write failure here; scripts/check-faults.sh
 * fills a real tmpfs), a second run on the same output, a failed run's leftovers, a run too large to
 * fit; and traces read from standard input.
 */
class OutputSafetyTest {
  @TempDir Path dir;

  @AfterEach
  void noFaults() {
    OutputFaults.failAfter(-1);
  }

  private Path trace(int count) {
    Path t = dir.resolve("t" + count + ".arrow");
    if (!Files.exists(t)) assertThat(vqsim("generate", "--count", count, "--iodepth", 16, "-o", t).code()).isZero();
    return t;
  }

  @Test
  void aFullDiskIsAnIoErrorNamingTheFileAndEarlierResultsAreKept() throws IOException {
    Path t = trace(20_000);
    Path out = dir.resolve("out");
    assertThat(vqsim("replay", t, "--strategy", "direct", "-o", out).code()).isZero();
    byte[] before = Files.readAllBytes(out.resolve("summary.arrow"));

    OutputFaults.failAfter(300_000); // requests.arrow of two strategies is ~5 MB
    Cli.Result r = vqsim("replay", t, "--strategy", "direct,bounce", "--force", "-o", out);
    assertThat(r.code()).as("%s", r).isEqualTo(ExitCodes.IO);
    assertThat(r.err()).contains(out.toAbsolutePath().resolve("requests.arrow") + ": cannot write: No space left on device")
        .contains("this run needs about").contains("free now").contains("earlier results are kept")
        .doesNotContain("internal error").doesNotContain("bug");
    assertThat(r.err().strip().lines().count()).as("one line").isEqualTo(1);
    assertThat(Cli.list(out)).containsExactly("latency.arrow", "locks.arrow", "requests.arrow", "summary.arrow");
    assertThat(Files.readAllBytes(out.resolve("summary.arrow"))).isEqualTo(before);
  }

  @Test
  void generateAndImportNameTheFileOnAFullDisk() throws IOException {
    OutputFaults.failAfter(100_000);
    Path target = dir.resolve("big.arrow");
    Cli.Result g = vqsim("generate", "--count", 100_000, "-o", target);
    assertThat(g.code()).as("%s", g).isEqualTo(ExitCodes.IO);
    assertThat(g.err()).startsWith("vqsim: " + target.toAbsolutePath() + ": cannot write: No space left on device");
    OutputFaults.failAfter(1_000);
    Path imported = dir.resolve("lab.arrow");
    Cli.Result i = vqsim("import", Cli.samples().resolve("qemu-lab/seqread64k.direct.guest-ftrace.txt.gz"), "-o", imported);
    assertThat(i.code()).as("%s", i).isEqualTo(ExitCodes.IO);
    assertThat(i.err()).contains(imported.toAbsolutePath() + ": cannot write: No space left on device");
    assertThat(Cli.list(dir)).isEmpty();
  }

  @Test
  void aRunTooLargeForTheDiskIsRefusedBeforeItWrites() throws IOException {
    Path out = dir.resolve("demo");
    Cli.Result r = vqsim("demo", "-o", out, "--count", 99_999_999_999_999L, "--samples", Cli.samples());
    assertThat(r.code()).as("%s", r).isEqualTo(ExitCodes.CANT_CREATE);
    assertThat(r.err()).contains("generated-randread4k-qd32/requests.arrow (99,999,999,999,999 requests × "
        + org.vqsim.engine.dma.StrategyId.forPlatform("x86").size() + " strategies) would take about")
        .contains("PB, but its file system has only").contains("use a smaller --count");
    assertThat(Files.exists(out)).as("nothing written, not even the folder").isFalse();

    Cli.Result g = vqsim("generate", "--count", 99_999_999_999_999L, "-o", dir.resolve("huge.arrow"));
    assertThat(g.code()).isEqualTo(ExitCodes.CANT_CREATE);
    assertThat(g.err()).contains("a trace of 99,999,999,999,999 requests would take about").contains("free");
    assertThat(Cli.list(dir)).isEmpty();
  }

  @Test
  void aFailedRunRemovesTheFolderItCreated() throws IOException {
    Path empty = dir.resolve("empty.txt");
    Files.writeString(empty, "");
    Cli.Result r = vqsim("replay", empty, "-o", dir.resolve("new/out"));
    assertThat(r.code()).isEqualTo(ExitCodes.DATA);
    assertThat(Cli.list(dir)).containsExactly("empty.txt");
  }

  @Test
  void aSecondRunOnTheSameFolderIsRefusedNamingTheFirst() throws IOException {
    Path t = trace(1000);
    Path out = dir.resolve("out");
    try (RunOutput other = RunOutput.folder(out, "vqsim replay other.arrow -o out")) {
      Cli.Result r = vqsim("replay", t, "-o", out);
      assertThat(r.code()).isEqualTo(ExitCodes.CANT_CREATE);
      assertThat(r.err()).contains("is being written by another vqsim run (pid " + ProcessHandle.current().pid())
          .contains("vqsim replay other.arrow -o out");
      Cli.Result g = vqsim("report", out);
      assertThat(g.code()).isNotZero();
    }
    assertThat(vqsim("replay", t, "-o", out).code()).isZero();
    assertThat(Cli.list(out)).containsExactly("latency.arrow", "locks.arrow", "requests.arrow", "summary.arrow");
  }

  @Test
  void aTraceCanComeFromStandardInput() throws IOException {
    Path gz = Cli.samples().resolve("qemu-lab/randread4k.direct.guest-ftrace.txt.gz");
    InputStream old = System.in;
    try {
      System.setIn(new ByteArrayInputStream(Files.readAllBytes(gz)));
      Cli.Result r = vqsim("replay", "-", "--strategy", "direct", "--summary-only", "-o", dir.resolve("out"));
      assertThat(r.code()).as("%s", r).isZero();
      assertThat(r.out()).startsWith("stdin: 400 requests");
      assertThat(Cli.read(dir.resolve("out/summary.arrow")).rows().get(0).get("trace")).isEqualTo("stdin");

      System.setIn(new ByteArrayInputStream("not a trace\n".getBytes()));
      Cli.Result bad = vqsim("inspect", "-");
      assertThat(bad.code()).isEqualTo(ExitCodes.DATA);
      assertThat(bad.err()).startsWith("vqsim: stdin:1: cannot tell the trace format");
    } finally {
      System.setIn(old);
    }
  }
}
