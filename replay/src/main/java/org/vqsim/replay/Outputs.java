package org.vqsim.replay;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.vqsim.analysis.io.RunOutput;
import picocli.CommandLine.Model.CommandSpec;

/** The outputs of a command: an output folder or file taken for this run (locked, staged, committed together; see {@link RunOutput}). */
final class Outputs {
  private Outputs() {}

  /** The command line as typed, for the lock file (a second run's refusal shows it). */
  static String commandLine(CommandSpec spec) {
    List<String> args = spec.root().commandLine().getParseResult() == null ? List.of(spec.name())
        : spec.root().commandLine().getParseResult().originalArgs();
    String s = "vqsim " + String.join(" ", args);
    return s.length() > 160 ? s.substring(0, 157) + "..." : s;
  }

  static RunOutput folder(CommandSpec spec, Path dir) throws IOException {
    return RunOutput.folder(dir, commandLine(spec));
  }

  static RunOutput file(CommandSpec spec, Path file) throws IOException {
    return RunOutput.file(file, commandLine(spec));
  }
}
