package org.vqsim.replay;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.vqsim.analysis.arrow.ArrowTables;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "show", mixinStandardHelpOptions = true,
    description = {"Print an Arrow file as a table, as CSV, or its metadata.", "",
        "Any Arrow IPC file works; vqsim's own files carry how they were made in their metadata (--meta)."},
    footer = {"", "Examples:", "  vqsim show out/summary.arrow", "  vqsim show out/requests.arrow --limit 10",
        "  vqsim show out/latency.arrow --csv > latency.csv",
        "  vqsim show out/summary.arrow --meta        (how the file was made)"})
final class ShowCommand implements Callable<Integer> {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
  @Mixin DebugOption debug;

  @Parameters(index = "0", paramLabel = "FILE.arrow", description = "Arrow IPC file.")
  Path file;

  @Option(names = "--csv", description = "Print CSV instead of an aligned table.")
  boolean csv;

  @Option(names = "--limit", description = "Print at most N rows (default: all for CSV, 50 for a table).")
  Long limit;

  @Option(names = "--meta", description = "Print the file's metadata (how it was made) instead of its rows.")
  boolean meta;

  @Override
  public Integer call() throws IOException {
    if (!Files.exists(file)) throw new CliException(ExitCodes.NO_INPUT, file + ": no such file");
    if (Files.isDirectory(file)) throw new CliException(ExitCodes.NO_INPUT, file + ": is a folder; give an .arrow file");
    if (limit != null && limit < 0) throw new IllegalArgumentException("--limit must be ≥ 0");
    PrintWriter out = spec.commandLine().getOut();
    if (meta) {
      for (Map.Entry<String, String> e : ArrowTables.metadata(file).entrySet()) {
        String v = e.getValue();
        out.println(e.getKey() + (v.contains("\n") ? ":\n  " + v.strip().replace("\n", "\n  ") : " = " + v));
      }
    } else if (csv) {
      ArrowTables.printCsv(file, out, limit == null ? -1 : limit);
    } else {
      long n = ArrowTables.print(file, out, limit == null ? 50 : limit);
      if (limit == null && n == 50) out.println("(first 50 rows; --limit N for more, --csv for all)");
    }
    out.flush();
    return ExitCodes.OK;
  }
}
