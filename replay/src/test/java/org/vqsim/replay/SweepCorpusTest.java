package org.vqsim.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sweep DIR/ and sweep 'GLOB': every trace of a corpus, any format, in path order; what is not a trace is left out and said. */
class SweepCorpusTest {
  @TempDir Path tmp;
  Path corpus;

  @BeforeEach
  void corpus() throws Exception {
    corpus = tmp.resolve("fleet");
    Files.createDirectories(corpus.resolve("host-b"));
    Files.createDirectories(corpus.resolve(".cache"));
    assertThat(Cli.vqsim("generate", "--rw", "randread", "--count", "400", "-o", corpus.resolve("host-b/disk0.arrow")).code()).isZero();
    assertThat(Cli.vqsim("generate", "--rw", "read", "--bs", "64k", "--count", "300", "-o", corpus.resolve("a-seq.arrow")).code()).isZero();
    Files.copy(Cli.samples().resolve("qemu-lab/randread4k.direct.guest-ftrace.txt.gz"), corpus.resolve("host-b/lab.txt.gz"));
    Files.copy(corpus.resolve("a-seq.arrow"), corpus.resolve(".cache/hidden.arrow"));
    Files.writeString(corpus.resolve("NOTES.md"), "# captures of the fleet, June\n");
  }

  static List<String> expand(String... traces) throws Exception {
    return TraceCorpus.expand(List.of(traces), new PrintWriter(new StringWriter()));
  }

  @Test
  void aFolderIsEveryTraceBelowItInPathOrderLeavingOutHiddenFilesAndNonTraces() throws Exception {
    StringWriter notes = new StringWriter();
    List<String> traces = TraceCorpus.expand(List.of(corpus.toString()), new PrintWriter(notes, true));
    assertThat(traces).containsExactly(corpus.resolve("a-seq.arrow").toString(), corpus.resolve("host-b/disk0.arrow").toString(),
        corpus.resolve("host-b/lab.txt.gz").toString());
    assertThat(notes.toString()).contains(corpus + ": 3 traces; left out 1 file that is not a trace: NOTES.md");
  }

  @Test
  void aGlobIsEveryFileItMatchesAndFilesAndUrisStayAsGiven() throws Exception {
    assertThat(expand(corpus + "/*/*.arrow")).containsExactly(corpus.resolve("host-b/disk0.arrow").toString());
    assertThat(expand(corpus + "/**.arrow")).containsExactly(corpus.resolve("a-seq.arrow").toString(), corpus.resolve("host-b/disk0.arrow").toString());
    assertThat(expand(corpus + "/.*/*.arrow")).containsExactly(corpus.resolve(".cache/hidden.arrow").toString());
    assertThat(expand("hdfs://nn:8020/traces/*.arrow", corpus.resolve("a-seq.arrow").toString()))
        .containsExactly("hdfs://nn:8020/traces/*.arrow", corpus.resolve("a-seq.arrow").toString());
  }

  @Test
  void anEmptyFolderOrAGlobWithoutMatchesIsMissingInput() throws Exception {
    Files.createDirectories(tmp.resolve("empty"));
    Cli.Result r = Cli.vqsim("sweep", tmp.resolve("empty"), "--strategy", "direct", "-o", tmp.resolve("o1"));
    assertThat(r.code()).as(r.toString()).isEqualTo(ExitCodes.NO_INPUT);
    assertThat(r.err()).isEqualTo("vqsim: " + tmp.resolve("empty") + ": no trace in this folder\n");
    Cli.Result g = Cli.vqsim("sweep", corpus + "/*.blk", "--strategy", "direct", "-o", tmp.resolve("o2"));
    assertThat(g.code()).as(g.toString()).isEqualTo(ExitCodes.NO_INPUT);
    assertThat(g.err()).isEqualTo("vqsim: " + corpus + "/*.blk: no file matches\n");
    assertThat(Files.exists(tmp.resolve("o1"))).isFalse();
  }

  @Test
  void aCorpusSweepGivesTheRowsOfItsTracesListedOneByOne() throws Exception {
    Cli.Result byFolder = Cli.vqsim("sweep", corpus, "--strategy", "direct,bounce", "--ring", "split,packed", "-o", tmp.resolve("folder"), "--jobs", "2");
    assertThat(byFolder.code()).as(byFolder.toString()).isZero();
    assertThat(byFolder.out()).contains("12 combinations (12 run now)");
    Cli.Result listed = Cli.vqsim("sweep", corpus.resolve("a-seq.arrow"), corpus.resolve("host-b/disk0.arrow"), corpus.resolve("host-b/lab.txt.gz"),
        "--strategy", "direct,bounce", "--ring", "split,packed", "-o", tmp.resolve("listed"), "--jobs", "1");
    assertThat(listed.code()).as(listed.toString()).isZero();
    assertThat(Files.readAllBytes(tmp.resolve("folder/sweep.arrow"))).isEqualTo(Files.readAllBytes(tmp.resolve("listed/sweep.arrow")));
    assertThat(Cli.read(tmp.resolve("folder/sweep.arrow")).column("trace")).containsSubsequence("a-seq.arrow", "disk0.arrow", "lab.txt.gz");
    // the sweep file lists the paths, so --resume and --sweep-file run the same units even if the folder changes
    assertThat(Files.readString(tmp.resolve("folder/sweep.toml"))).contains("traces = " + corpus.resolve("a-seq.arrow") + ", ");
  }
}
