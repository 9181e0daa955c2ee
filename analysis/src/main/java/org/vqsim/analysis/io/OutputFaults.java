package org.vqsim.analysis.io;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A test hook: makes output writes fail as a full disk does, after a given number of bytes, so the
 * disk-full path can be tested where no small file system can be mounted. Never set in normal runs.
 */
public final class OutputFaults {
  private OutputFaults() {}

  private static final AtomicLong REMAINING = new AtomicLong(-1);

  /** From now on, writes fail with "No space left on device" once {@code bytes} more bytes were written; negative turns it off. */
  public static void failAfter(long bytes) {
    REMAINING.set(bytes);
  }

  static void beforeWrite(int n) throws IOException {
    if (REMAINING.get() < 0) return;
    if (REMAINING.addAndGet(-n) < 0) {
      REMAINING.set(0);
      throw new IOException("No space left on device");
    }
  }
}
