package org.vqsim.analysis.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicOutputTest {
  @TempDir Path dir;

  private long filesIn(Path d) throws IOException {
    try (Stream<Path> s = Files.list(d)) {
      return s.count();
    }
  }

  @Test
  void temporaryFileIsAHiddenSiblingOfTheTarget() {
    try (AtomicOutput o = new AtomicOutput()) {
      Path tmp = o.file(dir.resolve("summary.arrow"));
      assertThat(tmp.getParent()).isEqualTo(dir.toAbsolutePath());
      assertThat(tmp.getFileName().toString()).startsWith(".summary.arrow.tmp-");
    }
  }

  @Test
  void commitRenamesIntoPlaceReplacingAnOldFile() throws IOException {
    Path target = dir.resolve("summary.arrow");
    Files.writeString(target, "old");
    try (AtomicOutput o = new AtomicOutput()) {
      Files.writeString(o.file(target), "new");
      o.commit();
    }
    assertThat(Files.readString(target)).isEqualTo("new");
    assertThat(filesIn(dir)).isEqualTo(1);
  }

  @Test
  void closingWithoutCommitDeletesTheTemporaryFilesAndKeepsTheOldOnes() throws IOException {
    Path target = dir.resolve("summary.arrow");
    Files.writeString(target, "old");
    try (AtomicOutput o = new AtomicOutput()) {
      Files.writeString(o.file(target), "half");
      Files.writeString(o.file(dir.resolve("requests.arrow")), "half");
    }
    assertThat(Files.readString(target)).isEqualTo("old");
    assertThat(filesIn(dir)).isEqualTo(1);
  }

  @Test
  void aFileNeverWrittenIsSkippedOnCommit() throws IOException {
    try (AtomicOutput o = new AtomicOutput()) {
      o.file(dir.resolve("requests.arrow"));
      Files.writeString(o.file(dir.resolve("summary.arrow")), "x");
      o.commit();
    }
    assertThat(Files.exists(dir.resolve("requests.arrow"))).isFalse();
    assertThat(Files.readString(dir.resolve("summary.arrow"))).isEqualTo("x");
  }
}
