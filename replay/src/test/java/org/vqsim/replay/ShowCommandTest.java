package org.vqsim.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vqsim.replay.Cli.vqsim;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShowCommandTest {
  @TempDir static Path dir;
  static Path out;

  @BeforeAll
  static void replay() {
    Path trace = dir.resolve("t.arrow");
    assertThat(vqsim("generate", "--count", 120, "-o", trace).code()).isZero();
    out = dir.resolve("out");
    assertThat(vqsim("replay", trace, "-o", out).code()).isZero();
  }

  private static List<String> lines(Cli.Result r) {
    assertThat(r.code()).as("%s", r).isZero();
    return r.out().lines().toList();
  }

  @Test
  void showPrintsAHeaderAndTheRows() {
    List<String> l = lines(vqsim("show", out.resolve("summary.arrow")));
    assertThat(l).hasSize(2);
    assertThat(l.get(0)).startsWith("strategy").contains("requests").contains("exits_per_request");
    assertThat(l.get(1)).startsWith("direct").contains("x86-kvm").contains("120");
  }

  @Test
  void limitCapsTheRows() {
    List<String> l = lines(vqsim("show", out.resolve("requests.arrow"), "--limit", 5));
    assertThat(l).hasSize(1 + 5);
    assertThat(l.get(1)).startsWith("direct");
  }

  @Test
  void limitZeroPrintsOnlyTheHeader() {
    assertThat(lines(vqsim("show", out.resolve("requests.arrow"), "--limit", 0))).hasSize(1);
  }

  @Test
  void tableStopsAtFiftyRowsByDefaultAndSaysSo() {
    List<String> l = lines(vqsim("show", out.resolve("requests.arrow")));
    assertThat(l).hasSize(1 + 50 + 1);
    assertThat(l.get(l.size() - 1)).contains("first 50 rows").contains("--limit");
  }

  @Test
  void negativeLimitIsUsage() {
    assertThat(vqsim("show", out.resolve("requests.arrow"), "--limit", -1).code()).isEqualTo(2);
  }

  @Test
  void csvPrintsAHeaderLineAndEveryRow() {
    List<String> l = lines(vqsim("show", out.resolve("requests.arrow"), "--csv"));
    assertThat(l.get(0)).startsWith("strategy,request,op,offset,length,cpu,queue,submit_ns,complete_ns,latency_ns");
    assertThat(l).hasSize(1 + 120);
    assertThat(l.get(1)).startsWith("direct,0,R,");
  }

  @Test
  void csvHonoursTheLimit() {
    assertThat(lines(vqsim("show", out.resolve("requests.arrow"), "--csv", "--limit", 3))).hasSize(4);
  }

  @Test
  void metaShowsHowTheFileWasMade() {
    String o = vqsim("show", out.resolve("summary.arrow"), "--meta").out();
    assertThat(o).contains("vqsim.version = 0.1.0").contains("vqsim.command = replay").contains("vqsim.kind = summary");
  }

  @Test
  void showReadsAGeneratedTraceToo() {
    List<String> l = lines(vqsim("show", dir.resolve("t.arrow"), "--csv", "--limit", 2));
    assertThat(l).containsExactly(l.get(0), l.get(1), l.get(2));
    assertThat(l.get(0)).isEqualTo("ts_ns,op,offset,length");
    assertThat(l.get(1)).startsWith("0,R,").endsWith(",4096");
  }

  @Test
  void showOfAFolderIsNoInput() {
    assertThat(vqsim("show", out).code()).isEqualTo(66);
  }
}
