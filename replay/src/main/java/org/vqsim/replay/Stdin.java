package org.vqsim.replay;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A trace given as {@code -}: standard input is copied once into a temporary file (deleted when
 * vqsim exits), because a replay reads its trace more than once (its defaults, then each strategy)
 * and an Arrow file needs random access. Any format works, gzip too. Messages name it "stdin".
 */
final class Stdin {
  private Stdin() {}

  static final String NAME = "stdin";
  private static Path spooled;
  private static InputStream spooledFrom;

  /** {@code p} itself, or for {@code -} the file holding what standard input carried. */
  static synchronized Path resolve(Path p) throws IOException {
    if (p == null || !p.toString().equals("-")) return p;
    if (spooled == null || spooledFrom != System.in) {
      Path tmp = Files.createTempFile("vqsim-stdin-", ".trace");
      tmp.toFile().deleteOnExit();
      try (InputStream in = System.in) {
        Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
      }
      spooled = tmp;
      spooledFrom = System.in;
    }
    return spooled;
  }

  /** Whether {@code p} is the copy of standard input. */
  static synchronized boolean is(Path p) {
    return p != null && p.equals(spooled);
  }

  /** {@code message} with the temporary file's path replaced by "stdin". */
  static synchronized String rename(String message) {
    return spooled == null || message == null ? message : message.replace(spooled.toString(), NAME);
  }
}
