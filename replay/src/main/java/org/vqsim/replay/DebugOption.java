package org.vqsim.replay;

import picocli.CommandLine.Option;

/** Accepts --debug on every command (Main reads it before parsing, to print stack traces). */
final class DebugOption {
  @Option(names = "--debug", description = "Print a stack trace when something fails.")
  boolean debug;
}
