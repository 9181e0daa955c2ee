package org.vqsim.replay;

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

  static Path samples() {
    return home().resolve("samples");
  }
}
