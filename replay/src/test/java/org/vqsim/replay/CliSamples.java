package org.vqsim.replay;

import java.nio.file.Path;

/** samples/ for tests outside this package. */
public final class CliSamples {
  private CliSamples() {}

  public static Path samples() {
    return Cli.samples();
  }
}
