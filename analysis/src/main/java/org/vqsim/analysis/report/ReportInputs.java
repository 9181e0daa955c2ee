package org.vqsim.analysis.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.vqsim.analysis.arrow.ResultFiles;

/**
 * The small result tables a report is built from, found in a result folder: {@code summary.arrow}
 * and {@code latency.arrow} (and {@code locks.arrow}) in the folder itself and in each sub-folder (one per cost profile after
 * {@code vqsim fleet}, one per workload in the demo), {@code fleet.arrow}, {@code sweep.arrow} and {@code reproduce.arrow}.
 * {@code requests.arrow} is never opened, so a report works after {@code --summary-only} and for
 * runs of any length.
 */
public record ReportInputs(Path root, List<Run> runs, ResultTable fleet, ResultTable sweep, ResultTable reproduce, ResultTable validation, List<Run> netRuns) {
  /** {@code vqsim validate -o}'s table: observed against modelled, events and (with --timing) time. */
  public static final String VALIDATION = "validation.arrow";
  /** The metadata kind of a network replay's summary.arrow (packets, not requests: its own section of the report). */
  public static final String NET_KIND = "net-replay";

  /** The sweep table's file name. */
  public static final String SWEEP = "sweep.arrow";

  /** One replay's results: a folder holding summary.arrow (and latency.arrow unless it is missing). */
  public record Run(String name, Path dir, ResultTable summary, ResultTable latency, ResultTable locks) {
    /** The profile the run used (all rows of a summary share one). */
    public String profile() {
      var c = summary.table().stringColumn("profile");
      return c.isEmpty() ? summary.meta("vqsim.profile", "?") : c.get(0);
    }

    /** The trace the run replayed. */
    public String trace() {
      var c = summary.table().stringColumn("trace");
      return c.isEmpty() ? summary.meta("vqsim.trace", "?") : c.get(0);
    }
  }

  /** Reads what {@code dir} holds; {@link #isEmpty()} when there is nothing a report can show. */
  public static ReportInputs scan(Path dir) throws IOException {
    return scan(dir, dir);
  }

  /**
   * Reads what {@code dir} holds and names it {@code shownAs} (a run's staged results, shown as the
   * output folder they are about to appear in).
   */
  public static ReportInputs scan(Path dir, Path shownAs) throws IOException {
    List<Run> runs = new ArrayList<>();
    List<Run> net = new ArrayList<>();
    Run top = run(dir, "");
    if (top != null) (isNet(top) ? net : runs).add(top);
    ResultTable fleet = Files.isRegularFile(dir.resolve(ResultFiles.FLEET)) ? ResultTable.read(dir.resolve(ResultFiles.FLEET)) : null;
    ResultTable sweep = Files.isRegularFile(dir.resolve(SWEEP)) ? ResultTable.read(dir.resolve(SWEEP)) : null;
    ResultTable reproduce = Files.isRegularFile(dir.resolve(ResultFiles.REPRODUCE)) ? ResultTable.read(dir.resolve(ResultFiles.REPRODUCE)) : null;
    ResultTable validation = Files.isRegularFile(dir.resolve(VALIDATION)) ? ResultTable.read(dir.resolve(VALIDATION)) : null;
    List<Path> subs;
    try (Stream<Path> s = Files.list(dir)) {
      subs = s.filter(Files::isDirectory).filter(p -> !p.getFileName().toString().startsWith(".")).sorted(Comparator.comparing(Path::toString)).toList();
    }
    List<Run> children = new ArrayList<>();
    for (Path sub : subs) {
      Run r = run(sub, sub.getFileName().toString());
      if (r != null && isNet(r)) net.add(r);
      else if (r != null) children.add(r);
    }
    if (fleet != null) {
      // the fleet's own order of profiles (x86 first, as the fleet command runs them)
      List<String> order = fleet.table().stringColumn("profile").unique().asList();
      List<String> seen = new ArrayList<>();
      for (String p : fleet.table().stringColumn("profile")) if (!seen.contains(p)) seen.add(p);
      children.sort(Comparator.comparingInt(r -> seen.indexOf(r.name()) < 0 ? order.size() + 1 : seen.indexOf(r.name())));
    }
    runs.addAll(children);
    return new ReportInputs(shownAs, List.copyOf(runs), fleet, sweep, reproduce, validation, List.copyOf(net));
  }

  private static boolean isNet(Run r) {
    return NET_KIND.equals(r.summary().meta("vqsim.kind", ""));
  }

  private static Run run(Path dir, String name) throws IOException {
    Path s = dir.resolve(ResultFiles.SUMMARY);
    if (!Files.isRegularFile(s)) return null;
    Path l = dir.resolve(ResultFiles.LATENCY);
    Path k = dir.resolve(ResultFiles.LOCKS);
    return new Run(name, dir, ResultTable.read(s), Files.isRegularFile(l) ? ResultTable.read(l) : null, Files.isRegularFile(k) ? ResultTable.read(k) : null);
  }

  public boolean isEmpty() {
    return runs.isEmpty() && fleet == null && sweep == null && reproduce == null && validation == null && netRuns.isEmpty();
  }

  /** The first table found, for what-was-run facts every table carries (version, command). */
  public ResultTable any() {
    if (!runs.isEmpty()) return runs.get(0).summary();
    if (fleet == null && sweep == null && !netRuns.isEmpty()) return netRuns.get(0).summary();
    return fleet != null ? fleet : sweep != null ? sweep : reproduce != null ? reproduce : validation;
  }
}
