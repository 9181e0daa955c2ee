package org.vqsim.capture.text;

import org.vqsim.capture.TraceException;

/** What a reader does with a malformed line: stop with {@code file:line: what is wrong} (default) or skip and count it. */
public final class LinePolicy {
  private final String file;
  private final boolean skipBad;
  private long skipped;
  private String firstSkipped;

  public LinePolicy(String file, boolean skipBad) {
    this.file = file;
    this.skipBad = skipBad;
  }

  /** Reports {@code bad} on {@code line}: throws unless bad lines are skipped. */
  public void bad(long line, BadLine bad) {
    if (!skipBad) throw TraceException.at(file, line, bad.getMessage());
    if (firstSkipped == null) firstSkipped = file + ":" + line + ": " + bad.getMessage();
    skipped++;
  }

  public String file() { return file; }
  public boolean skipBad() { return skipBad; }
  public long skipped() { return skipped; }
  /** The first skipped line's message, or null. */
  public String firstSkipped() { return firstSkipped; }
}
