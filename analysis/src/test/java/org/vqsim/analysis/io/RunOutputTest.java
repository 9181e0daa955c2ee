package org.vqsim.analysis.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunOutputTest {
  @TempDir Path dir;

  @AfterEach
  void noFaults() {
    OutputFaults.failAfter(-1);
  }

  private static List<String> names(Path d) throws IOException {
    try (Stream<Path> s = Files.list(d)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void resultsAppearOnlyOnCommitAndNothingOfTheRunIsLeftBeside() throws IOException {
    Path out = dir.resolve("out");
    try (RunOutput o = RunOutput.folder(out, "vqsim test")) {
      RunOutput.writeString(o.file("summary.arrow"), "s");
      RunOutput.writeString(o.file("x86-kvm/latency.arrow"), "l");
      assertThat(Files.exists(out.resolve("summary.arrow"))).isFalse();
      assertThat(names(out)).contains(OutputLock.FOLDER_LOCK);
      List<Path> written = o.commit();
      assertThat(written).containsExactly(out.toAbsolutePath().resolve("summary.arrow"), out.toAbsolutePath().resolve("x86-kvm/latency.arrow"));
    }
    assertThat(names(out)).containsExactly("summary.arrow", "x86-kvm");
    assertThat(Files.readString(out.resolve("x86-kvm/latency.arrow"))).isEqualTo("l");
  }

  @Test
  void aFailedRunKeepsTheEarlierResultsAndRemovesTheFolderItCreated() throws IOException {
    Path old = dir.resolve("old");
    Files.createDirectories(old);
    Files.writeString(old.resolve("summary.arrow"), "earlier");
    try (RunOutput o = RunOutput.folder(old, "vqsim test")) {
      RunOutput.writeString(o.file("summary.arrow"), "half");
    } // closed without commit: a failure
    assertThat(names(old)).containsExactly("summary.arrow");
    assertThat(Files.readString(old.resolve("summary.arrow"))).isEqualTo("earlier");

    Path fresh = dir.resolve("a/b/new");
    try (RunOutput o = RunOutput.folder(fresh, "vqsim test")) {
      RunOutput.writeString(o.file("summary.arrow"), "half");
    }
    assertThat(Files.exists(dir.resolve("a"))).as("the folders the failed run created").isFalse();
  }

  @Test
  void aSecondWriterIsRefusedWithTheFirstOnesPid() throws IOException {
    Path out = dir.resolve("out");
    try (RunOutput first = RunOutput.folder(out, "vqsim replay a.arrow -o out")) {
      assertThatThrownBy(() -> RunOutput.folder(out, "vqsim replay b.arrow -o out"))
          .isInstanceOf(OutputException.class)
          .hasMessageContaining("is being written by another vqsim run")
          .hasMessageContaining("pid " + ProcessHandle.current().pid())
          .hasMessageContaining("vqsim replay a.arrow -o out")
          .satisfies(e -> assertThat(((OutputException) e).kind()).isEqualTo(OutputException.Kind.CANT_CREATE));
      first.commit();
    }
    try (RunOutput again = RunOutput.folder(out, "vqsim again")) {
      assertThat(again.location()).isEqualTo(out.toAbsolutePath());
    }
  }

  @Test
  void aFileRunIsLockedAndReplacedAtomically() throws IOException {
    Path f = dir.resolve("trace.arrow");
    Files.writeString(f, "old");
    try (RunOutput o = RunOutput.file(f, "vqsim generate")) {
      assertThatThrownBy(() -> o.requireAbsent(List.of(), false)).isInstanceOf(OutputException.class).hasMessageContaining("--force");
      assertThatThrownBy(() -> RunOutput.file(f, "vqsim other")).isInstanceOf(OutputException.class).hasMessageContaining("another vqsim run");
      RunOutput.writeString(o.file(), "new");
      assertThat(Files.readString(f)).isEqualTo("old");
      o.commit();
    }
    assertThat(Files.readString(f)).isEqualTo("new");
    assertThat(names(dir)).containsExactly("trace.arrow");
  }

  @Test
  void aCommitThatDiedHalfWayIsFinishedByTheNextRun() throws IOException {
    Path out = dir.resolve("out");
    Files.createDirectories(out);
    Files.writeString(out.resolve("summary.arrow"), "run 1");
    Files.writeString(out.resolve("latency.arrow"), "run 1");
    // what a run killed among its renames leaves: the journal, one file moved, one still staged
    Path staging = out.resolve(".vqsim-staging-999999");
    Files.createDirectories(staging);
    Files.writeString(staging.resolve(".commit"), "summary.arrow\nlatency.arrow\n");
    Files.writeString(staging.resolve("latency.arrow"), "run 2");
    Files.writeString(out.resolve("summary.arrow"), "run 2");
    try (RunOutput o = RunOutput.folder(out, "vqsim next")) {
      assertThat(Files.readString(out.resolve("latency.arrow"))).as("rolled forward").isEqualTo("run 2");
      assertThat(Files.exists(staging)).isFalse();
    }
    assertThat(names(out)).containsExactly("latency.arrow", "summary.arrow");
  }

  @Test
  void leftoversOfDeadRunsAreRemovedAndNothingElseIsTouched() throws IOException {
    Path out = dir.resolve("out");
    Files.createDirectories(out.resolve(".vqsim-staging-999998/x86-kvm"));
    Files.writeString(out.resolve(".vqsim-staging-999998/x86-kvm/requests.arrow"), "half");
    Files.writeString(out.resolve(".requests.arrow.tmp-999997"), "half, earlier version");
    Files.writeString(out.resolve(".notes.txt.tmp-999997"), "the user's");
    Files.writeString(out.resolve("thesis.tex"), "the user's");
    Files.createDirectories(out.resolve(".sweep-parts"));
    Files.writeString(out.resolve(".sweep-parts/unit-000001.ser"), "resumable");
    // a live process's temporary file (an older vqsim without locks, say) is left alone
    String live = ".summary.arrow.tmp-" + ProcessHandle.current().parent().orElseThrow().pid();
    Files.writeString(out.resolve(live), "being written");
    try (RunOutput o = RunOutput.folder(out, "vqsim next")) {
      assertThat(names(out)).doesNotContain(".vqsim-staging-999998", ".requests.arrow.tmp-999997")
          .contains(".notes.txt.tmp-999997", "thesis.tex", ".sweep-parts", live);
    }
  }

  @Test
  void aRunThatCannotFitIsRefusedBeforeWriting() throws IOException {
    Path out = dir.resolve("out");
    try (RunOutput o = RunOutput.folder(out, "vqsim test")) {
      long free = Files.getFileStore(out).getUsableSpace();
      assertThatThrownBy(() -> o.reserve(free + (1L << 40), "requests.arrow (a lot)", "use --summary-only"))
          .isInstanceOf(OutputException.class)
          .hasMessageContaining("requests.arrow (a lot) would take about")
          .hasMessageContaining("free; use --summary-only")
          .satisfies(e -> assertThat(((OutputException) e).kind()).isEqualTo(OutputException.Kind.CANT_CREATE));
    }
    assertThat(Files.exists(out)).isFalse();
  }

  @Test
  void aFailedWriteNamesTheFileTheUserWillLookFor() throws IOException {
    Path out = dir.resolve("out");
    try (RunOutput o = RunOutput.folder(out, "vqsim test")) {
      o.reserve(1234567, "requests.arrow", "");
      Path part = o.scratch("x86-kvm/requests.arrow", "x86-kvm/.requests-part-3.arrow");
      OutputFaults.failAfter(10);
      assertThatThrownBy(() -> RunOutput.writeString(part, "more than ten bytes"))
          .isInstanceOf(OutputException.class)
          .hasMessageStartingWith(out.toAbsolutePath().resolve("x86-kvm/requests.arrow") + ": cannot write: No space left on device (this run needs about 1.2 MB there; ")
          .hasMessageContaining("free now")
          .satisfies(e -> assertThat(((OutputException) e).kind()).isEqualTo(OutputException.Kind.WRITE_FAILED));
    }
    assertThat(Files.exists(out)).isFalse();
  }

  @Test
  void filesAnEngineStagedWithoutAskingAreCommittedToo() throws IOException {
    Path out = dir.resolve("out");
    try (RunOutput o = RunOutput.folder(out, "vqsim sweep")) {
      RunOutput.writeString(o.file("sweep.arrow"), "a");
      Files.writeString(o.stagingDir().resolve("sweep.parquet"), "p", StandardCharsets.UTF_8);
      Files.writeString(o.stagingDir().resolve(".work.tmp"), "scratch", StandardCharsets.UTF_8);
      o.commit();
    }
    assertThat(names(out)).containsExactly("sweep.arrow", "sweep.parquet");
  }

  @Test
  void theDemoReplacesItsWholeFolder() throws IOException {
    Path out = dir.resolve("demo");
    Files.createDirectories(out.resolve("old-run"));
    Files.writeString(out.resolve("old-run/summary.arrow"), "old");
    try (RunOutput o = RunOutput.folder(out, "vqsim demo")) {
      RunOutput.writeString(o.file("new-run/summary.arrow"), "new");
      o.commitReplacingFolder();
    }
    assertThat(names(out)).containsExactly("new-run");
  }
}
