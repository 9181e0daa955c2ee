package org.vqsim.capture.text;

/** A malformed line, thrown inside a reader and turned into a {@code TraceException} or a skipped-line count. No stack trace: it is control flow. */
public final class BadLine extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private BadLine(String what) {
    super(what, null, false, false);
  }

  public static BadLine of(String what) {
    return new BadLine(what);
  }
}
