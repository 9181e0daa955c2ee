package org.vqsim.replay;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;
import java.util.Locale;
import org.vqsim.analysis.arrow.ArrowTables;
import org.vqsim.analysis.io.OutputException;
import org.vqsim.capture.TraceException;
import org.vqsim.engine.cost.ProfileException;
import picocli.CommandLine;

/** The {@code vqsim} entry point: runs a command and turns every failure into one clear line and an exit code. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs vqsim with {@code args}; returns the exit code (tests call this directly). */
  public static int run(String... args) {
    Locale.setDefault(Locale.ROOT);
    boolean debug = Arrays.asList(args).contains("--debug");
    CommandLine cl = commandLine();
    cl.setExecutionExceptionHandler((ex, line, parse) -> report(line.getErr(), ex, debug));
    cl.setParameterExceptionHandler((ex, a) -> {
      PrintWriter err = ex.getCommandLine().getErr();
      err.println("vqsim: " + ex.getMessage());
      CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
      err.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help' for more information.");
      err.flush();
      return ExitCodes.USAGE;
    });
    try {
      return cl.execute(args);
    } catch (RuntimeException | Error e) { // what picocli lets through (an Error in a command, a failing handler)
      return report(new PrintWriter(System.err, true), e, debug);
    }
  }

  /** Printed after every internal error (exit 1). */
  static final String BUG_HINT = "This is a bug in vqsim: please report it with the output of the same command run with --debug.";

  static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new VqsimCommand());
    cl.setCaseInsensitiveEnumValuesAllowed(false);
    cl.setUsageHelpAutoWidth(true);
    return cl;
  }

  /** One line for the user and the documented exit code ({@link ExitCodes}); a stack trace only with --debug. */
  static int report(PrintWriter err, Throwable ex, boolean debug) {
    Throwable e = ex;
    // a failure in a worker thread or a stream arrives wrapped: report what went wrong
    while ((e instanceof UncheckedIOException || e instanceof java.util.concurrent.ExecutionException
        || e instanceof java.util.concurrent.CompletionException) && e.getCause() != null) {
      e = e.getCause();
    }
    // a failed output write may arrive wrapped by a library (Arrow wraps its IOExceptions in RuntimeException)
    OutputException output = null;
    for (Throwable c = e; c != null && output == null; c = c.getCause()) if (c instanceof OutputException o) output = o;
    if (output == null && !(e instanceof IOException) && e instanceof RuntimeException && e.getCause() instanceof IOException io
        && e.getClass() == RuntimeException.class) {
      e = io;
    }
    int code;
    String msg;
    if (output != null) {
      code = output.kind() == OutputException.Kind.CANT_CREATE ? ExitCodes.CANT_CREATE : ExitCodes.IO;
      msg = output.getMessage();
    } else if (e instanceof CliException c) {
      code = c.exitCode();
      msg = c.getMessage();
    } else if (e instanceof TraceException t) {
      code = t.missing() ? ExitCodes.NO_INPUT : ExitCodes.DATA;
      msg = t.getMessage();
    } else if (e instanceof ProfileException p) {
      code = switch (p.kind()) {
        case USAGE -> ExitCodes.USAGE;
        case MISSING -> ExitCodes.NO_INPUT;
        case MALFORMED -> ExitCodes.DATA;
      };
      msg = p.getMessage();
    } else if (e instanceof ArrowTables.BadArrowFile b) {
      code = ExitCodes.DATA;
      msg = b.getMessage();
    } else if (e instanceof org.vqsim.engine.sim.ModelException) {
      code = ExitCodes.USAGE;
      msg = e.getMessage();
    } else if (e instanceof IllegalArgumentException) {
      code = ExitCodes.USAGE;
      msg = e.getMessage();
    } else if (e instanceof NoSuchFileException n) {
      code = ExitCodes.NO_INPUT;
      msg = n.getFile() + ": no such file";
    } else if (e instanceof AccessDeniedException a) {
      code = ExitCodes.IO;
      msg = a.getFile() + ": permission denied";
    } else if (e instanceof FileSystemException f) {
      code = ExitCodes.IO;
      msg = (f.getFile() == null ? "" : f.getFile() + ": ") + f.getReason();
    } else if (e instanceof IOException) {
      code = ExitCodes.IO;
      msg = "I/O error: " + e.getMessage();
    } else if (e instanceof OutOfMemoryError) {
      code = ExitCodes.INTERNAL;
      msg = "out of memory (" + e.getMessage() + "); give the JVM more with JAVA_OPTS=-Xmx…, or try --summary-only";
    } else {
      code = ExitCodes.INTERNAL;
      msg = "internal error: " + e;
    }
    msg = Stdin.rename(msg);
    if (code == ExitCodes.INTERNAL) msg += "\n" + BUG_HINT;
    err.println("vqsim: " + msg);
    if (debug) ex.printStackTrace(err);
    err.flush();
    return code;
  }
}
