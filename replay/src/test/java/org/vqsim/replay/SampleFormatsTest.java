package org.vqsim.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vqsim.replay.Cli.vqsim;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real-format samples of the tour (samples/formats/): one fio run seen as fio's iolog, blkparse text and MSR CSV. */
class SampleFormatsTest {
  @TempDir Path dir;

  private List<String> imported(String file, String... opts) throws IOException {
    Path out = dir.resolve(file + ".arrow");
    List<Object> args = new ArrayList<>(List.of("import", Cli.samples().resolve("formats").resolve(file)));
    args.addAll(List.of((Object[]) opts));
    args.addAll(List.of("-o", out));
    Cli.Result r = vqsim(args.toArray());
    assertThat(r.code()).as("%s", r).isZero();
    List<String> reqs = new ArrayList<>();
    for (Map<String, Object> row : Cli.read(out).rows()) reqs.add(row.get("op") + " " + row.get("offset") + "+" + row.get("length"));
    return reqs;
  }

  @Test
  void theThreeViewsOfOneRunHoldTheSameRequests() throws IOException {
    List<String> fio = imported("fio-iolog.log");
    List<String> blk = imported("blkparse.txt", "--device", "7,0");
    List<String> msr = imported("msr.csv", "--disk", "0");
    assertThat(fio).hasSize(185);
    assertThat(blk).containsExactlyInAnyOrderElementsOf(fio);
    assertThat(msr).containsExactlyInAnyOrderElementsOf(fio);
    assertThat(fio.stream().filter(s -> s.startsWith("R")).count()).isEqualTo(118);
  }

  @Test
  void eachReplaysDirectly() {
    for (String f : List.of("blkparse.txt", "fio-iolog.log", "msr.csv")) {
      Cli.Result r = vqsim("replay", Cli.samples().resolve("formats").resolve(f), "--strategy", "direct,bounce", "--summary-only", "-o", dir.resolve(f));
      assertThat(r.code()).as("%s", r).isZero();
      assertThat(r.out()).contains(": 185 requests");
    }
  }
}
