package org.vqsim.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vqsim.replay.Cli.vqsim;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vqsim.engine.cost.CostProfile;

/** Every failure ends in one line naming what is wrong, the exit code of DESIGN.md §7, and no half-written output. */
class ExitCodesTest {
  @TempDir static Path shared;
  static Path trace;
  @TempDir Path dir;

  @BeforeAll
  static void generate() {
    trace = shared.resolve("t.arrow");
    assertThat(vqsim("generate", "--count", 300, "-o", trace).code()).isZero();
  }

  /** The output folder holds no temporary or partial result files: only {@code expected}. */
  private static void assertOnlyFiles(Path out, String... expected) throws IOException {
    List<String> files = Cli.list(out);
    assertThat(files).noneMatch(f -> f.contains(".tmp-"));
    assertThat(files).containsExactlyInAnyOrder(expected);
  }

  private Cli.Result failing(int code, Object... args) {
    Cli.Result r = vqsim(args);
    assertThat(r.code()).as("%s", r).isEqualTo(code);
    assertThat(r.err()).as("%s", r).contains("vqsim: ");
    assertThat(r.err()).as("no stack trace without --debug").doesNotContain("\tat ");
    return r;
  }

  @Test
  void unknownOptionIsUsageWithAHint() throws IOException {
    Path out = dir.resolve("out");
    Cli.Result r = failing(2, "replay", trace, "--bogus", "-o", out);
    assertThat(r.err()).contains("--bogus").contains("Try 'vqsim replay --help'");
    assertOnlyFiles(out);
  }

  @Test
  void unknownCommandIsUsage() {
    Cli.Result r = failing(2, "replya", trace);
    assertThat(r.err()).contains("Try");
  }

  @Test
  void mistypedStrategySuggestsTheClosest() throws IOException {
    Path out = dir.resolve("out");
    Cli.Result r = failing(2, "replay", trace, "--strategy", "direkt", "-o", out);
    assertThat(r.err()).contains("did you mean 'direct'");
    assertOnlyFiles(out);
  }

  @Test
  void mistypedProfileSuggestsTheClosest() throws IOException {
    Path out = dir.resolve("out");
    Cli.Result r = failing(2, "replay", trace, "--profile", "x86kvm", "-o", out);
    assertThat(r.err()).contains("did you mean 'x86-kvm'");
    assertOnlyFiles(out);
  }

  @Test
  void missingTraceIsNoInput() throws IOException {
    Path out = dir.resolve("out");
    Path missing = dir.resolve("nope.arrow");
    Cli.Result r = failing(66, "replay", missing, "-o", out);
    assertThat(r.err()).contains(missing.toString());
    assertOnlyFiles(out);
  }

  @Test
  void garbageTraceIsBadDataNamingTheFile() throws IOException {
    Path g = dir.resolve("garbage.bin");
    byte[] b = new byte[2048];
    for (int i = 0; i < b.length; i++) b[i] = (byte) (i * 37 + 11);
    Files.write(g, b);
    Path out = dir.resolve("out");
    Cli.Result r = failing(65, "replay", g, "-o", out);
    assertThat(r.err()).contains(g.toString());
    assertOnlyFiles(out);
  }

  @Test
  void traceThatBreaksHalfwayLeavesNoPartialResults() throws IOException {
    Path t = dir.resolve("broken.txt");
    StringBuilder s = new StringBuilder("# tracer: nop\n");
    for (int i = 0; i < 100; i++) s.append(String.format("  dd-1 [000] .....  1.%06d: block_rq_issue: 254,0 RS 4096 () %d + 8 [dd]%n", i * 10, i * 8));
    s.append("  dd-1 [000] .....  2.000000: block_rq_issue: 254,0 RS 4096 () oops + 8 [dd]\n");
    Files.writeString(t, s);
    Path out = dir.resolve("out");
    Cli.Result r = failing(65, "replay", t, "-o", out);
    assertThat(r.err()).contains(t + ":102: ");
    assertOnlyFiles(out);
  }

  @Test
  void failedForcedRunKeepsThePreviousResults() throws IOException {
    Path out = dir.resolve("out");
    assertThat(vqsim("replay", trace, "-o", out).code()).isZero();
    byte[] before = Files.readAllBytes(out.resolve("summary.arrow"));
    Path t = dir.resolve("broken.txt");
    Files.writeString(t, "  dd-1 [000] .....  1.000000: block_rq_issue: 254,0 RS 4096 () 0 + 8 [dd]\n"
        + "  dd-1 [000] .....  1.000100: block_rq_issue: 254,0 RS 4096 () 8 + [dd]\n");
    failing(65, "replay", t, "--force", "-o", out);
    assertOnlyFiles(out, "latency.arrow", "locks.arrow", "requests.arrow", "summary.arrow");
    assertThat(Files.readAllBytes(out.resolve("summary.arrow"))).isEqualTo(before);
  }

  @Test
  void iodepthAboveTheQueueSizeIsUsage() throws IOException {
    Path out = dir.resolve("out");
    Cli.Result r = failing(2, "replay", trace, "--iodepth", 512, "-o", out);
    assertThat(r.err()).contains("iodepth 512").contains("queue size 256");
    assertOnlyFiles(out);
  }

  @Test
  void queueSizeThatIsNotAPowerOfTwoIsUsage() throws IOException {
    Path out = dir.resolve("out");
    Cli.Result r = failing(2, "replay", trace, "--queue-size", 100, "-o", out);
    assertThat(r.err()).contains("queue size 100").contains("power of two");
    assertOnlyFiles(out);
  }

  @Test
  void existingResultsAreKeptWithoutForce() throws IOException {
    Path out = dir.resolve("out");
    Files.createDirectories(out);
    Files.writeString(out.resolve("summary.arrow"), "precious");
    Cli.Result r = failing(73, "replay", trace, "-o", out);
    assertThat(r.err()).contains("summary.arrow").contains("--force");
    assertThat(Files.readString(out.resolve("summary.arrow"))).isEqualTo("precious");
    assertOnlyFiles(out, "summary.arrow");
  }

  @Test
  void forceOverwritesExistingResults() throws IOException {
    Path out = dir.resolve("out");
    Files.createDirectories(out);
    Files.writeString(out.resolve("summary.arrow"), "precious");
    Cli.Result r = vqsim("replay", trace, "--force", "-o", out);
    assertThat(r.code()).as("%s", r).isZero();
    assertOnlyFiles(out, "latency.arrow", "locks.arrow", "requests.arrow", "summary.arrow");
    assertThat(Cli.read(out.resolve("summary.arrow")).rows()).hasSize(1);
  }

  @Test
  void outputFolderThatIsAFileCannotBeCreated() throws IOException {
    Path out = dir.resolve("out");
    Files.writeString(out, "a file");
    Cli.Result r = failing(73, "replay", trace, "-o", out);
    assertThat(r.err()).contains(out.toString()).contains("not a folder");
    assertThat(Files.readString(out)).isEqualTo("a file");
    assertOnlyFiles(dir, "out");
  }

  @Test
  void generateOverAnExistingFileNeedsForce() throws IOException {
    Path f = dir.resolve("t.arrow");
    Files.writeString(f, "keep me");
    failing(73, "generate", "--count", 10, "-o", f);
    assertThat(Files.readString(f)).isEqualTo("keep me");
    assertThat(vqsim("generate", "--count", 10, "--force", "-o", f).code()).isZero();
    assertOnlyFiles(dir, "t.arrow");
  }

  @Test
  void generateWithABadSizeIsUsage() throws IOException {
    Path f = dir.resolve("t.arrow");
    Cli.Result r = failing(2, "generate", "--count", 10, "--bs", "4q", "-o", f);
    assertThat(r.err()).contains("'4q'");
    assertOnlyFiles(dir);
  }

  @Test
  void showOfAMissingFileIsNoInput() {
    Path f = dir.resolve("nope.arrow");
    assertThat(failing(66, "show", f).err()).contains(f.toString());
  }

  @Test
  void showOfAFileThatIsNotArrowIsBadData() throws IOException {
    Path f = dir.resolve("notes.arrow");
    Files.writeString(f, "just some words, not an Arrow IPC file at all\n".repeat(10));
    assertThat(failing(65, "show", f).err()).contains(f.toString());
  }

  private static String builtInProfile() throws IOException {
    try (InputStream in = CostProfile.class.getResourceAsStream("x86-kvm.profile")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void profileFileMissingAFigureIsBadDataNamingTheFigure() throws IOException {
    String text = builtInProfile().lines().filter(l -> !l.strip().startsWith("kick_exit_cycles")).collect(Collectors.joining("\n"));
    Path p = dir.resolve("mine.profile");
    Files.writeString(p, text);
    Path out = dir.resolve("out");
    Cli.Result r = failing(65, "replay", trace, "--profile", p, "-o", out);
    assertThat(r.err()).contains(p.toString()).contains("kick_exit_cycles");
    assertOnlyFiles(out);
  }

  @Test
  void aCompleteProfileFileIsAccepted() throws IOException {
    Path p = dir.resolve("copy.profile");
    Files.writeString(p, builtInProfile());
    Path out = dir.resolve("out");
    Cli.Result r = vqsim("replay", trace, "--profile", p, "-o", out);
    assertThat(r.code()).as("%s", r).isZero();
  }

  @Test
  void missingProfileFileIsNoInput() throws IOException {
    Path out = dir.resolve("out");
    failing(66, "replay", trace, "--profile", dir.resolve("nope.profile"), "-o", out);
    assertOnlyFiles(out);
  }

  @Test
  void unknownCostFigureIsUsage() throws IOException {
    Path out = dir.resolve("out");
    Cli.Result r = failing(2, "replay", trace, "--cost", "kick_exit_cycle=1500", "-o", out);
    assertThat(r.err()).contains("kick_exit_cycle").contains("did you mean 'kick_exit_cycles'");
    assertOnlyFiles(out);
  }

  @Test
  void costThatIsNotANumberIsUsage() throws IOException {
    Path out = dir.resolve("out");
    failing(2, "replay", trace, "--cost", "kick_exit_cycles=lots", "-o", out);
    assertOnlyFiles(out);
  }

  @Test
  void knownCostOverrideIsRecorded() throws IOException {
    Path out = dir.resolve("out");
    assertThat(vqsim("replay", trace, "--cost", "kick_exit_cycles=1500", "-o", out).code()).isZero();
    assertThat(Cli.read(out.resolve("summary.arrow")).schema().getCustomMetadata()).containsEntry("vqsim.cost_overrides", "kick_exit_cycles=1500");
  }

  @Test
  void debugPrintsTheStackTrace() {
    Cli.Result r = vqsim("replay", dir.resolve("nope.arrow"), "--debug", "-o", dir.resolve("out"));
    assertThat(r.code()).isEqualTo(66);
    assertThat(r.err()).contains("\tat ");
  }
}
