package org.vqsim.engine.cost;

/** A cost profile that cannot be used: the message names the file, the line and what is wrong. */
public final class ProfileException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What went wrong, for the exit code: a wrong name or value (2), a missing file (66), a malformed file (65). */
  public enum Kind { USAGE, MISSING, MALFORMED }

  private final Kind kind;

  public ProfileException(String message) {
    this(message, Kind.MALFORMED);
  }

  public ProfileException(String message, Kind kind) {
    super(message);
    this.kind = kind;
  }

  public Kind kind() { return kind; }
}
