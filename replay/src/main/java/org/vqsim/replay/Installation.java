package org.vqsim.replay;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where vqsim is installed: the launcher passes -Dvqsim.home; otherwise the folder above the jar. */
final class Installation {
  private Installation() {}

  static Path home() {
    String h = System.getProperty("vqsim.home");
    if (h != null) return Path.of(h);
    try {
      Path p = Path.of(Installation.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toAbsolutePath();
      for (Path d = p; d != null; d = d.getParent()) if (Files.isDirectory(d.resolve("samples"))) return d;
    } catch (URISyntaxException | SecurityException e) {
      // fall through
    }
    return Path.of(".").toAbsolutePath();
  }

  /**
   * How the user runs vqsim, for hints printed at the end of a command: {@code vqsim} when the
   * launcher is on the PATH, else its path ({@code ./vqsim} from the installation folder).
   */
  static String launcher() {
    Path l = home().resolve("vqsim").toAbsolutePath().normalize();
    String path = System.getenv("PATH");
    if (path != null) {
      for (String d : path.split(java.io.File.pathSeparator)) {
        try {
          Path c = Path.of(d).resolve("vqsim");
          if (Files.isExecutable(c) && c.toRealPath().equals(l.toRealPath())) return "vqsim";
        } catch (IOException | RuntimeException e) {
          // not this one
        }
      }
    }
    Path cwd = Path.of("").toAbsolutePath();
    return l.getParent().equals(cwd) ? "./vqsim" : l.toString();
  }

  static Path samples() {
    return home().resolve("samples");
  }
}
