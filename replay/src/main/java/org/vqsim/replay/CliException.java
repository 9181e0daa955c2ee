package org.vqsim.replay;

/** An error meant for the user: printed as one line, exits with its code. */
public final class CliException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int exitCode;

  public CliException(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  public int exitCode() { return exitCode; }
}
