package org.vqsim.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vqsim.replay.Cli.vqsim;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.vqsim.engine.cost.CostProfile;

/**
 * The bad-input corpus ({@code src/test/resources/bad-inputs/}, written by {@code make-bad-inputs.py}
 * and {@link BadInputsCorpus}): every kind of broken trace of issue 8, in every format vqsim reads,
 * replayed and imported the way a user would. Each gets the exit code of DESIGN.md §7 and one line
 * naming the file, the line (or row) and what is wrong — no stack trace — and leaves no output,
 * temporary or partial, behind. The defects a reader tolerates (unpaired events, unknown events,
 * timestamps going backwards, one request, a request larger than one swiotlb slot run) replay.
 *
 * <p>How timestamps that go backwards are handled: the request keeps its place in the file and is
 * submitted at the previous request's time (ts_ns never decreases, nothing is dropped); the text
 * readers count such requests in a note that {@code inspect} shows. A canonical trace is replayed
 * the same way (the engine submits in file order).
 */
class BadInputsTest {
  @TempDir Path dir;

  /** One corpus file, how it is run, and what must come of it. */
  record Case(String file, List<String> options, int code, Integer line, String what) {
    @Override
    public String toString() {
      return file + (options.isEmpty() ? "" : " " + String.join(" ", options)) + " → " + code;
    }
  }

  static Case fails(String file, Integer line, String what, String... options) {
    return new Case(file, List.of(options), 65, line, what);
  }

  static Case replays(String file, String... options) {
    return new Case(file, List.of(options), 0, null, null);
  }

  static Path corpus(String file) {
    try {
      var url = BadInputsTest.class.getResource("/bad-inputs/" + file);
      if (url == null) throw new IllegalStateException("no corpus file " + file + " (run make-bad-inputs.py)");
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  // ---- the corpus ---------------------------------------------------------------------------

  static Stream<Case> formatIndependent() {
    return Stream.of(
        fails("empty.txt", null, "empty file"),
        fails("empty.gz", null, "empty file"),
        fails("garbage.bin", null, "binary data, not a trace vqsim knows"),
        fails("unknown-format.txt", 1, "cannot tell the trace format"),
        fails("truncated.txt.gz", null, "truncated gzip data"),
        fails("corrupt.txt.gz", null, "corrupt gzip data"),
        // --format forces a reader: empty, binary and other formats' files
        fails("empty.txt", null, "not an Arrow IPC file", "--format", "arrow"),
        fails("empty.txt", null, "empty trace", "--format", "ftrace"),
        fails("empty.txt", null, "no QEMU trace events", "--format", "qemu"),
        fails("empty.txt", null, "no blkparse events", "--format", "blkparse"),
        fails("empty.txt", null, "empty fio iolog", "--format", "fio"),
        fails("empty.txt", null, "empty trace", "--format", "msr"),
        fails("garbage.bin", null, "not an Arrow IPC file", "--format", "arrow"),
        fails("garbage.bin", 1, "not an ftrace line", "--format", "ftrace"),
        fails("garbage.bin", null, "no QEMU trace events", "--format", "qemu"),
        fails("garbage.bin", 1, "not a blkparse event line: 't\\xbd\\xc0@b", "--format", "blkparse"),
        fails("garbage.bin", 1, "not a fio iolog", "--format", "fio"),
        fails("garbage.bin", 1, "expected 7 fields", "--format", "msr"),
        fails("wrong-format/fio-log.txt", 1, "not an ftrace line", "--format", "ftrace"),
        fails("wrong-format/fio-log.txt", null, "not an Arrow IPC file", "--format", "arrow"),
        fails("wrong-format/ftrace.txt", null, "no QEMU trace events", "--format", "qemu"),
        fails("wrong-format/ftrace.txt", 1, "not a fio iolog", "--format", "fio"),
        fails("wrong-format/ftrace.txt", 1, "expected 7 fields", "--format", "msr"),
        fails("wrong-format/msr.csv", 2, "device minor", "--format", "blkparse"),
        fails("wrong-format/msr.csv", null, "no QEMU trace events", "--format", "qemu"),
        fails("wrong-format/blkparse.txt", 1, "expected 7 fields", "--format", "msr"),
        fails("wrong-format/blkparse.txt", 1, "not an ftrace line", "--format", "ftrace"));
  }

  static Stream<Case> ftrace() {
    String f = "ftrace";
    return Stream.of(
        replays("ftrace/one-request.txt", "--format", f),
        fails("ftrace/truncated.gz", null, "truncated gzip data", "--format", f),
        fails("ftrace/garbage-after-header.txt", 5, "no 'TIMESTAMP:' field", "--format", f),
        fails("ftrace/cut-line.txt", 7, "no 'TIMESTAMP:' field", "--format", f),
        fails("ftrace/cut-last-line.txt", 22, "block_rq_complete without 'SECTOR + COUNT'", "--format", f),
        fails("ftrace/non-utf8.txt", 7, "byte count '40\\xff\\xfe96' is not a number", "--format", f),
        replays("ftrace/non-utf8-task-name.txt", "--format", f),
        fails("ftrace/negative-size.txt", 7, "byte count '-4096' is not a number", "--format", f),
        fails("ftrace/zero-size.txt", 7, "R request of 0 bytes", "--format", f),
        fails("ftrace/absurd-size.txt", 7, "request of 1099511627776 bytes is larger than 2 GiB", "--format", f),
        fails("ftrace/negative-offset.txt", 7, "sector '-16' is not a number", "--format", f),
        fails("ftrace/absurd-offset.txt", 7, "sector 1152921504606846976 is beyond the largest offset", "--format", f),
        replays("ftrace/timestamps-backwards.txt", "--format", f),
        replays("ftrace/timestamps-backwards.txt", "--format", f, "--arrival", "open"),
        fails("ftrace/absurd-timestamp.txt", 5, "vqsim replays at most 100 days", "--format", f),
        replays("ftrace/completion-without-issue.txt", "--format", f),
        replays("ftrace/issue-without-completion.txt", "--format", f),
        replays("ftrace/unknown-events.txt", "--format", f),
        replays("ftrace/huge-request.txt", "--format", f),
        replays("ftrace/cpu-for-some-requests.txt", "--format", f),
        fails("ftrace/absurd-cpu.txt", 7, "CPU field 99999 is beyond 65535", "--format", f));
  }

  static Stream<Case> qemu() {
    String f = "qemu";
    return Stream.of(
        replays("qemu/one-request.txt", "--format", f),
        fails("qemu/truncated.gz", null, "truncated gzip data", "--format", f),
        fails("qemu/garbage-after-header.txt", 3, "not a QEMU log trace line", "--format", f),
        fails("qemu/cut-line.txt", 7, "no 'sector' argument", "--format", f),
        replays("qemu/cut-last-line.txt", "--format", f), // the cut leaves a whole 'virtio_notify_irqfd vdev …' event
        fails("qemu/non-utf8.txt", 7, "sector '8\\xff\\xfe' is not a number", "--format", f),
        fails("qemu/negative-size.txt", 7, "nsectors '-8' is not a number", "--format", f),
        fails("qemu/zero-size.txt", 7, "request of 0 sectors", "--format", f),
        fails("qemu/absurd-size.txt", 7, "request of 4294967296 sectors", "--format", f),
        fails("qemu/negative-offset.txt", 7, "sector '-8' is not a number", "--format", f),
        fails("qemu/absurd-offset.txt", 7, "sector 1152921504606846976 is beyond the largest offset", "--format", f),
        replays("qemu/timestamps-backwards.txt", "--format", f, "--arrival", "open"),
        replays("qemu/completion-without-issue.txt", "--format", f),
        replays("qemu/issue-without-completion.txt", "--format", f),
        replays("qemu/unknown-events.txt", "--format", f),
        replays("qemu/huge-request.txt", "--format", f));
  }

  static Stream<Case> blkparse() {
    String f = "blkparse";
    return Stream.of(
        replays("blkparse/one-request.txt", "--format", f),
        fails("blkparse/truncated.gz", null, "truncated gzip data", "--format", f),
        fails("blkparse/garbage-after-header.txt", 3, "not a blkparse event line", "--format", f),
        fails("blkparse/cut-line.txt", 5, "missing timestamp", "--format", f),
        replays("blkparse/cut-last-line.txt", "--format", f), // a C without sector: counted as a completion without issue
        fails("blkparse/non-utf8.txt", 5, "sector count '8\\xff' is not a number", "--format", f),
        fails("blkparse/negative-size.txt", 5, "sector count '-8' is not a number", "--format", f),
        fails("blkparse/zero-size.txt", 5, "R request of 0 bytes", "--format", f),
        fails("blkparse/absurd-size.txt", 5, "larger than 2 GiB", "--format", f),
        fails("blkparse/negative-offset.txt", 5, "sector '-16' is not a number", "--format", f),
        fails("blkparse/absurd-offset.txt", 5, "sector 1152921504606846976 is beyond the largest offset", "--format", f),
        replays("blkparse/timestamps-backwards.txt", "--format", f, "--arrival", "open"),
        replays("blkparse/completion-without-issue.txt", "--format", f),
        replays("blkparse/issue-without-completion.txt", "--format", f),
        replays("blkparse/unknown-events.txt", "--format", f),
        replays("blkparse/huge-request.txt", "--format", f),
        replays("blkparse/cpu-for-some-requests.txt", "--format", f),
        fails("blkparse/absurd-cpu.txt", 5, "cpu 70000 is beyond 65535", "--format", f));
  }

  static Stream<Case> fio() {
    List<Case> l = new ArrayList<>();
    for (String v : List.of("fio2", "fio3")) {
      String f = "fio";
      l.addAll(List.of(
          replays(v + "/one-request.txt", "--format", f),
          fails(v + "/truncated.gz", null, "truncated gzip data", "--format", f),
          fails(v + "/garbage-after-header.txt", 6, v.equals("fio2") ? "expected 'FILE ACTION [OFFSET LENGTH]'" : "timestamp (µs) 't\\xbd\\xc0@b", "--format", f),
          fails(v + "/cut-line.txt", 8, "FILE ACTION [OFFSET LENGTH]', not '", "--format", f),
          fails(v + "/cut-last-line.txt", 14, "FILE ACTION [OFFSET LENGTH]', not '", "--format", f),
          fails(v + "/non-utf8.txt", 6, "offset '81\\xff92' is not a number", "--format", f),
          fails(v + "/negative-size.txt", 6, "length '-4096' is not a number", "--format", f),
          fails(v + "/zero-size.txt", 6, "R of 0 bytes", "--format", f),
          fails(v + "/absurd-size.txt", 6, "larger than 2 GiB", "--format", f),
          fails(v + "/negative-offset.txt", 6, "offset '-8192' is not a number", "--format", f),
          fails(v + "/absurd-offset.txt", 6, "offset '18446744073709551616' is too large", "--format", f),
          fails(v + "/unknown-events.txt", 6, "unknown action 'frobnicate'", "--format", f),
          replays(v + "/huge-request.txt", "--format", f)));
    }
    l.add(replays("fio3/timestamps-backwards.txt", "--format", "fio", "--arrival", "open"));
    return l.stream();
  }

  static Stream<Case> msr() {
    String f = "msr";
    return Stream.of(
        replays("msr/one-request.txt", "--format", f),
        fails("msr/truncated.gz", null, "truncated gzip data", "--format", f),
        fails("msr/garbage-after-header.txt", 4, "expected 7 fields", "--format", f),
        fails("msr/cut-line.txt", 6, "expected 7 fields", "--format", f),
        fails("msr/cut-last-line.txt", 11, "expected 7 fields", "--format", f),
        fails("msr/non-utf8.txt", 5, "Offset '122\\xff88' is not a number", "--format", f),
        fails("msr/negative-size.txt", 5, "Size '-4096' is not a number", "--format", f),
        fails("msr/zero-size.txt", 5, "Size 0 is not a request length", "--format", f),
        fails("msr/absurd-size.txt", 5, "Size 1099511627776 is not a request length", "--format", f),
        fails("msr/negative-offset.txt", 5, "Offset '-12288' is not a number", "--format", f),
        fails("msr/absurd-offset.txt", 5, "Offset '18446744073709551616' is too large", "--format", f),
        replays("msr/timestamps-backwards.txt", "--format", f, "--arrival", "open"),
        fails("msr/absurd-timestamp.txt", 3, "vqsim replays at most 100 days", "--format", f),
        fails("msr/unknown-events.txt", 5, "Type 'Trim' is neither Read nor Write", "--format", f),
        fails("msr/header-only.txt", null, "no requests to replay", "--format", f),
        replays("msr/huge-request.txt", "--format", f));
  }

  static Stream<Case> arrow() {
    return Stream.of(
        replays("arrow/one-request.arrow"),
        fails("arrow/truncated.arrow", null, "truncated or not an Arrow IPC file"),
        fails("arrow/magic-only.arrow", null, "truncated or not an Arrow IPC file"),
        fails("arrow/garbage-after-magic.arrow", null, "not a readable Arrow IPC file"),
        fails("arrow/compressed.arrow.gz", null, "a gzip-compressed Arrow file cannot be read as a stream"),
        fails("arrow/compressed.arrow.gz", null, "a gzip-compressed Arrow file cannot be read as a stream", "--format", "arrow"),
        fails("arrow/not-a-trace.arrow", null, "not a vqsim trace: no 'ts_ns' column"),
        fails("arrow/wrong-column-type.arrow", null, "column 'offset' must be int64"),
        fails("arrow/negative-offset.arrow", null, "row 3: negative offset -4096"),
        fails("arrow/negative-size.arrow", null, "row 3: invalid length -4096 for op R"),
        fails("arrow/zero-size.arrow", null, "row 3: invalid length 0 for op W"),
        fails("arrow/negative-timestamp.arrow", null, "row 3: ts_ns -5 is not within 0 ns and 100 days"),
        fails("arrow/absurd-timestamp.arrow", null, "row 3: ts_ns 9223372036854775807 is not within"),
        fails("arrow/unknown-op.arrow", null, "row 3: op must be R, W, F or D, not 'X'"),
        fails("arrow/null-value.arrow", null, "row 3: null value"),
        fails("arrow/no-requests.arrow", null, "no requests to replay"),
        replays("arrow/absurd-offset.arrow"),
        replays("arrow/absurd-size.arrow", "--strategy", "direct"),
        replays("arrow/timestamps-backwards.arrow"),
        replays("arrow/huge-request.arrow"),
        replays("arrow/cpus.arrow"),
        fails("arrow/negative-cpu.arrow", null, "row 3: negative cpu -1"),
        fails("arrow/absurd-cpu.arrow", null, "row 3: cpu 1000000 is beyond 65535"));
  }

  static Stream<Case> all() {
    return Stream.of(formatIndependent(), ftrace(), qemu(), blkparse(), fio(), msr(), arrow()).flatMap(s -> s);
  }

  // ---- the checks ---------------------------------------------------------------------------

  /** The strategies every corpus trace is replayed under unless a case names its own: bounce splits what swiotlb cannot map in one run. */
  private static final List<String> STRATEGIES = List.of("--strategy", "direct,bounce,viommu-strict");

  @ParameterizedTest(name = "{0}")
  @MethodSource("all")
  void replayGivesTheDocumentedExitCodeAndMessageAndLeavesNoOutput(Case c) throws IOException {
    Path trace = corpus(c.file());
    Path out = dir.resolve("out");
    List<Object> args = new ArrayList<>(List.of("replay", trace));
    args.addAll(c.options());
    if (!c.options().contains("--strategy")) args.addAll(STRATEGIES);
    args.addAll(List.of("-o", out));
    Cli.Result r = vqsim(args.toArray());
    assertThat(r.code()).as("%s", r).isEqualTo(c.code());
    assertThat(r.err()).as("no stack trace without --debug").doesNotContain("\tat ").doesNotContain("Exception");
    if (c.code() == 0) {
      assertThat(Cli.list(out)).containsExactlyInAnyOrder("latency.arrow", "locks.arrow", "requests.arrow", "summary.arrow");
      return;
    }
    assertMessage(r, trace, c);
    assertThat(Cli.list(out)).as("nothing written, nothing temporary left").isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("all")
  void importFailsTheSameWayAndWritesNoTrace(Case c) throws IOException {
    if (c.code() == 0 || c.what().contains("no requests to replay")) return; // replays: import works; an empty trace says "no requests to import"
    Path trace = corpus(c.file());
    Path out = dir.resolve("imported.arrow");
    List<Object> args = new ArrayList<>(List.of("import", trace));
    args.addAll(c.options());
    args.addAll(List.of("-o", out));
    Cli.Result r = vqsim(args.toArray());
    assertThat(r.code()).as("%s", r).isEqualTo(c.code());
    assertMessage(r, trace, c);
    assertThat(Cli.list(dir)).as("nothing written, nothing temporary left").isEmpty();
  }

  private static void assertMessage(Cli.Result r, Path trace, Case c) {
    String where = trace + (c.line() == null ? "" : ":" + c.line()) + ": ";
    assertThat(r.err()).as("%s", r).startsWith("vqsim: ").contains(where).contains(c.what());
    assertThat(r.err().lines().count()).as("one line: %s", r).isEqualTo(1);
  }

  // ---- what the tolerated defects become ----------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {"ftrace/timestamps-backwards.txt", "qemu/timestamps-backwards.txt", "blkparse/timestamps-backwards.txt",
      "fio3/timestamps-backwards.txt", "msr/timestamps-backwards.txt", "arrow/timestamps-backwards.arrow"})
  void timestampsGoingBackwardsKeepEveryRequestInFileOrderAndNeverDecrease(String file) throws IOException {
    Path out = dir.resolve("t.arrow");
    Cli.Result r = vqsim("import", corpus(file), "-o", out);
    assertThat(r.code()).as("%s", r).isZero();
    List<Object> ts = Cli.read(out).column("ts_ns");
    assertThat(ts).as("every request kept").hasSize(3);
    for (int i = 1; i < ts.size(); i++) assertThat((Long) ts.get(i)).as("ts_ns never decreases").isGreaterThanOrEqualTo((Long) ts.get(i - 1));
    // fio 3 logs are written by several threads: the reader sorts them by time (within a window) instead
    assertThat(Cli.read(out).column("offset")).as("file order").containsExactlyElementsOf(
        file.startsWith("fio3") ? List.of(4096L, 0L, 8192L) : List.of(0L, 4096L, 8192L));
    if (!file.startsWith("arrow")) {
      Cli.Result i = vqsim("inspect", corpus(file));
      assertThat(i.out()).as("%s", i).containsAnyOf("requests stamped before the previous one (submitted at its time): 1",
          "lines later than the reorder window: 0");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"ftrace", "qemu", "blkparse"})
  void unpairedEventsAreCountedNotFatal(String format) {
    Cli.Result a = vqsim("inspect", corpus(format + "/completion-without-issue.txt"));
    assertThat(a.code()).as("%s", a).isZero();
    assertThat(a.out()).contains("10 requests").contains("1 completions without issue");
    Cli.Result b = vqsim("inspect", corpus(format + "/issue-without-completion.txt"));
    assertThat(b.code()).as("%s", b).isZero();
    assertThat(b.out()).contains("10 requests").contains("1 issues without completion");
  }

  @ParameterizedTest
  @ValueSource(strings = {"ftrace", "qemu"})
  void unknownEventsAreCountedNotFatal(String format) {
    Cli.Result r = vqsim("inspect", corpus(format + "/unknown-events.txt"));
    assertThat(r.code()).as("%s", r).isZero();
    assertThat(r.out()).contains("10 requests").contains("1 unknown events");
  }

  @ParameterizedTest
  @ValueSource(strings = {"ftrace/huge-request.txt", "qemu/huge-request.txt", "blkparse/huge-request.txt", "fio2/huge-request.txt",
      "msr/huge-request.txt", "arrow/huge-request.arrow"})
  void aRequestLargerThanOneSwiotlbSlotRunIsSplitIntoSeveralBounces(String file) throws IOException {
    // swiotlb maps at most 128 slots of 2 KiB (256 KiB) at once; Linux caps virtio's segments at that (virtio_max_dma_size)
    Path out = dir.resolve("out");
    Cli.Result r = vqsim("replay", corpus(file), "--strategy", "bounce", "--summary-only", "-o", out);
    assertThat(r.code()).as("%s", r).isZero();
    Map<String, Object> row = Cli.read(out.resolve("summary.arrow")).rows().get(0);
    assertThat((Double) row.get("bounces_per_request")).as("1 MiB in runs of at most 256 KiB, plus header and status").isGreaterThanOrEqualTo(4);
  }

  @ParameterizedTest
  @ValueSource(strings = {"ftrace/cpu-for-some-requests.txt", "blkparse/cpu-for-some-requests.txt"})
  void aTraceNamingTheCpuOfSomeRequestsImportsWithEveryRequestOnOneOfThoseCpus(String file) throws IOException {
    // requests 2 and 4 of 10 named CPUs 1 and (ftrace) 2 or (blkparse) 3; the other 8 are spread over those two in turn
    Path out = dir.resolve("t.arrow");
    Cli.Result r = vqsim("import", corpus(file), "-o", out);
    assertThat(r.code()).as("%s", r).isZero();
    assertThat(r.out()).contains("8 of 10 requests named no CPU");
    int second = file.startsWith("ftrace") ? 2 : 3;
    assertThat(Cli.read(out).column("cpu")).containsExactly(1, 1, second, second, 1, second, 1, second, 1, second);
  }

  // ---- options and profiles -----------------------------------------------------------------

  static Stream<List<Object>> badOptions() {
    return Stream.of(
        List.of(2, "queue size 100", "--queue-size", 100),
        List.of(2, "queue size 0", "--queue-size", 0),
        List.of(2, "65536", "--queue-size", 65536),
        List.of(2, "queue size 0", "--queue-size", 0, "--ring", "packed"),
        List.of(2, "iodepth 512", "--iodepth", 512),
        List.of(2, "iodepth 300", "--iodepth", 300, "--ring", "packed"),
        List.of(2, "--iodepth must be at least 1", "--iodepth", 0),
        List.of(2, "did you mean 'direct'", "--strategy", "direkt"),
        List.of(2, "did you mean 'viommu-strict'", "--strategy", "viommu-strickt"),
        List.of(2, "use --profile power9-kvm", "--strategy", "tce"),
        List.of(2, "did you mean 'x86-kvm'", "--profile", "x86kvm"),
        List.of(2, "did you mean 'power9-kvm'", "--profile", "power9"),
        List.of(2, "did you mean 'packed'", "--ring", "paked"),
        List.of(2, "did you mean 'blkparse'", "--format", "blkparce"),
        List.of(2, "not a size: 'lots'", "--swiotlb-pool", "lots"),
        List.of(2, "256 KiB", "--swiotlb-pool", "100k"),
        List.of(2, "did you mean 'kick_exit_cycles'", "--cost", "kick_exit_cycle=1"),
        List.of(2, "finite number", "--cost", "kick_exit_cycles=-5"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badOptions")
  void badOptionsAreUsageErrorsNamingTheValue(List<Object> c) throws IOException {
    Path out = dir.resolve("out");
    List<Object> args = new ArrayList<>(List.of("replay", corpus("arrow/one-request.arrow")));
    args.addAll(c.subList(2, c.size()));
    args.addAll(List.of("-o", out));
    Cli.Result r = vqsim(args.toArray());
    assertThat(r.code()).as("%s", r).isEqualTo(c.get(0));
    assertThat(r.err()).as("%s", r).startsWith("vqsim: ").contains((String) c.get(1)).doesNotContain("\tat ");
    assertThat(Cli.list(out)).isEmpty();
  }

  private static String builtInProfile() throws IOException {
    try (InputStream in = CostProfile.class.getResourceAsStream("x86-kvm.profile")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  static Stream<List<String>> badProfiles() {
    return Stream.of(
        List.of("kick_exit_cycles = lots   # source: a typo", "kick_exit_cycles must be a number"),
        List.of("kick_exit_cycles = -1   # source: a typo", "kick_exit_cycles must be a finite number"),
        List.of("kick_exit_cycles = NaN   # source: a typo", "kick_exit_cycles must be a finite number"),
        List.of("kick_exit_cycles = 2500", "no '# source: …' comment"),
        List.of("kick_exit_cycles 2500   # source: no equals sign", "expected 'key = value"),
        List.of("", "missing cost figure kick_exit_cycles"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badProfiles")
  void profileFileWithAMissingOrMalformedFigureIsBadDataNamingTheLine(List<String> c) throws IOException {
    List<String> lines = new ArrayList<>(builtInProfile().lines().toList());
    int at = -1;
    for (int i = 0; i < lines.size(); i++) if (lines.get(i).startsWith("kick_exit_cycles ")) at = i;
    lines.set(at, c.get(0));
    Path p = dir.resolve("mine.profile");
    Files.writeString(p, String.join("\n", lines) + "\n");
    Path out = dir.resolve("out");
    Cli.Result r = vqsim("replay", corpus("arrow/one-request.arrow"), "--profile", p, "-o", out);
    assertThat(r.code()).as("%s", r).isEqualTo(65);
    assertThat(r.err()).as("%s", r).startsWith("vqsim: " + p + (c.get(0).isEmpty() ? ": " : ":" + (at + 1) + ": ")).contains(c.get(1));
    assertThat(Cli.list(out)).isEmpty();
  }

  @Test
  void binaryProfileFileIsBadData() throws IOException {
    Path p = dir.resolve("garbage.profile");
    Files.copy(corpus("garbage.bin"), p);
    Cli.Result r = vqsim("replay", corpus("arrow/one-request.arrow"), "--profile", p, "-o", dir.resolve("out"));
    assertThat(r.code()).as("%s", r).isEqualTo(65);
    assertThat(r.err()).startsWith("vqsim: " + p);
  }

  /** Every internal error (exit 1) says it is a bug and how to report it. */
  @Test
  void internalErrorsAskForABugReport() {
    java.io.StringWriter s = new java.io.StringWriter();
    int code = Main.report(new java.io.PrintWriter(s), new IllegalStateException("boom"), false);
    assertThat(code).isEqualTo(1);
    assertThat(s.toString()).contains("internal error").contains("boom").contains(Main.BUG_HINT).doesNotContain("\tat ");
    s = new java.io.StringWriter();
    assertThat(Main.report(new java.io.PrintWriter(s), new java.util.concurrent.ExecutionException(new org.vqsim.capture.TraceException("t.txt:3: bad")), false))
        .as("a worker's failure is reported as what it is").isEqualTo(65);
    assertThat(s.toString()).isEqualTo("vqsim: t.txt:3: bad" + System.lineSeparator());
  }

  /** The corpus covers every item of issue 8 in every reader: a guard against a case quietly dropped. */
  @Test
  void theCorpusCoversEveryDefectInEveryFormat() {
    Map<String, List<String>> byFormat = all().map(Case::file).filter(f -> f.contains("/") && !f.startsWith("wrong-format"))
        .collect(Collectors.groupingBy(f -> f.substring(0, f.indexOf('/')), Collectors.mapping(f -> f.substring(f.indexOf('/') + 1), Collectors.toList())));
    for (String fmt : List.of("ftrace", "qemu", "blkparse", "fio2", "fio3", "msr", "arrow")) {
      List<String> expected = new ArrayList<>(Arrays.asList("one-request", "truncated", "negative-size", "zero-size", "absurd-size",
          "negative-offset", "absurd-offset", "huge-request"));
      if (!fmt.equals("arrow")) expected.addAll(List.of("cut-line", "cut-last-line", "non-utf8", "garbage-after-header", "unknown-events"));
      if (!fmt.equals("fio2")) expected.add("timestamps-backwards");
      if (List.of("ftrace", "qemu", "blkparse").contains(fmt)) expected.addAll(List.of("completion-without-issue", "issue-without-completion"));
      assertThat(byFormat.get(fmt)).as(fmt).allSatisfy(f -> assertThat(Files.exists(corpus(fmt + "/" + f))).isTrue());
      for (String e : expected) assertThat(byFormat.get(fmt)).as(fmt).anyMatch(f -> f.startsWith(e + "."));
    }
  }
}
