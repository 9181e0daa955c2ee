package org.vqsim.analysis.io;

import java.io.IOException;

/**
 * An output that cannot be made: the message names the file or folder and the cause, for the
 * user. {@link Kind#CANT_CREATE} is a refusal before anything was written (another run holds the
 * folder, not enough free space, results already there) — exit 73; {@link Kind#WRITE_FAILED} is a
 * write that failed part-way (disk full, I/O error) — exit 74. Either way nothing partial is left.
 */
public final class OutputException extends IOException {
  private static final long serialVersionUID = 1L;

  public enum Kind { CANT_CREATE, WRITE_FAILED }

  private final Kind kind;

  public OutputException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public OutputException(Kind kind, String message) {
    this(kind, message, null);
  }

  public Kind kind() { return kind; }
}
