package org.vqsim.replay;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.vqsim.capture.TraceException;
import org.vqsim.capture.Traces;

/**
 * A sweep's traces as given on the command line or in a sweep file: files, folders and globs. A
 * folder stands for every trace below it (a corpus, such as a fleet's captures: any supported
 * format, found by content); a glob ({@code 'captures/*.txt.gz'}, {@code 'fleet/**.arrow'}, quoted so
 * that vqsim expands it) for every file it matches (hidden ones only when the pattern names them). Both expand in path order, so the same corpus
 * always gives the same units in the same order. URIs other than {@code file:} stay as they are.
 */
final class TraceCorpus {
  private TraceCorpus() {}

  /** Every trace of {@code traces}, folders and globs expanded; notes on {@code err} what a folder held besides traces. */
  static List<String> expand(List<String> traces, PrintWriter err) throws IOException {
    List<String> out = new ArrayList<>();
    for (String t : traces) {
      if (SweepExecutor.hasScheme(t)) {
        out.add(t);
        continue;
      }
      Path p = Path.of(t);
      if (Files.isDirectory(p)) out.addAll(folder(p, err));
      else if (!Files.exists(p) && isGlob(t)) out.addAll(glob(t));
      else out.add(t);
    }
    sharedNames(out, err);
    return out;
  }

  static boolean isGlob(String t) {
    return t.contains("*") || t.contains("?") || t.contains("[") || t.contains("{");
  }

  /** Every regular file below the folder that is a trace (hidden files and folders left out), in path order. */
  private static List<String> folder(Path dir, PrintWriter err) throws IOException {
    List<String> traces = new ArrayList<>(), others = new ArrayList<>();
    for (Path f : files(dir, Integer.MAX_VALUE)) {
      if (hidden(dir.relativize(f))) continue;
      try {
        Traces.detect(f);
        traces.add(f.toString());
      } catch (TraceException e) {
        others.add(dir.relativize(f).toString());
      }
    }
    if (traces.isEmpty()) {
      throw new CliException(ExitCodes.NO_INPUT, dir + ": no trace in this folder" + (others.isEmpty() ? "" : " (" + others.size() + " other files)"));
    }
    if (!others.isEmpty()) {
      err.println(dir + ": " + traces.size() + " trace" + (traces.size() == 1 ? "" : "s") + "; left out " + others.size()
          + (others.size() == 1 ? " file that is not a trace: " : " files that are not traces: ") + String.join(", ", others.subList(0, Math.min(5, others.size()))) + (others.size() > 5 ? ", …" : ""));
    }
    return traces;
  }

  /** The regular files a glob matches, in path order; the walk starts at the glob's longest folder without wildcards. */
  private static List<String> glob(String pattern) throws IOException {
    Path p = Path.of(pattern);
    Path base = p.isAbsolute() ? p.getRoot() : Path.of("");
    int fixed = 0;
    while (fixed < p.getNameCount() && !isGlob(p.getName(fixed).toString())) base = base.resolve(p.getName(fixed++));
    int depth = pattern.contains("**") ? Integer.MAX_VALUE : p.getNameCount() - fixed;
    PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
    List<String> out = new ArrayList<>();
    if (Files.isDirectory(base.toString().isEmpty() ? Path.of(".") : base)) {
      // as in a shell, wildcards do not match hidden files and folders: a pattern names those with a '.'
      boolean dots = pattern.startsWith(".") || pattern.contains("/.");
      for (Path f : files(base, depth)) if (m.matches(f) && (dots || !hidden(base.toString().isEmpty() ? f : base.relativize(f)))) out.add(f.toString());
    }
    if (out.isEmpty()) throw new CliException(ExitCodes.NO_INPUT, pattern + ": no file matches");
    return out;
  }

  /** The regular files below {@code dir} (the current folder when empty, named relative to it), sorted. */
  private static List<Path> files(Path dir, int depth) throws IOException {
    Path here = Path.of(".");
    boolean current = dir.toString().isEmpty();
    try (Stream<Path> s = Files.walk(current ? here : dir, depth)) {
      return s.filter(Files::isRegularFile).map(f -> current ? here.relativize(f) : f).sorted().toList();
    }
  }

  private static boolean hidden(Path relative) {
    for (Path part : relative) if (part.toString().startsWith(".")) return true;
    return false;
  }

  /** The trace column holds file names only: say so when two traces of a sweep share one. */
  private static void sharedNames(List<String> traces, PrintWriter err) {
    Map<String, String> first = new HashMap<>();
    for (String t : traces) {
      String name = Path.of(t).getFileName().toString();
      String before = first.putIfAbsent(name, t);
      if (before != null && !before.equals(t)) {
        err.println("note: " + before + " and " + t + " share a file name, the trace column's value; their rows stay apart by their order"
            + " and the sweep file (sweep.toml) lists the paths");
        return;
      }
    }
  }
}
