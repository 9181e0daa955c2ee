package org.vqsim.capture;

/**
 * A trace that cannot be read as it should: the message names the file, the line (where there is
 * one) and what is wrong, as {@code file:line: what}. Reported with exit code 65 (bad data), or 66
 * when the input is missing.
 */
public final class TraceException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final boolean missing;

  public TraceException(String message) {
    this(message, false, null);
  }

  public TraceException(String message, Throwable cause) {
    this(message, false, cause);
  }

  public TraceException(String message, boolean missing, Throwable cause) {
    super(message, cause);
    this.missing = missing;
  }

  public static TraceException at(String file, long line, String what) {
    return new TraceException(file + ":" + line + ": " + what);
  }

  /** Whether the input does not exist (exit 66) rather than being malformed (65). */
  public boolean missing() { return missing; }
}
