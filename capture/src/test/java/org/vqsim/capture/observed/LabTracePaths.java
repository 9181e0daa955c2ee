package org.vqsim.capture.observed;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the bundled lab traces (the project's samples/ folder) and the small format samples (test resources) are. */
public final class LabTracePaths {
  private LabTracePaths() {}

  public static Path lab(String folder, String file) {
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      Path s = d.resolve("samples").resolve(folder).resolve(file);
      if (Files.exists(s)) return s;
    }
    throw new IllegalStateException("lab trace samples/" + folder + "/" + file + " not found above " + Path.of("").toAbsolutePath());
  }

  public static Path resource(String name) {
    try {
      return Path.of(LabTracePaths.class.getResource("/samples/" + name).toURI());
    } catch (Exception e) {
      throw new IllegalStateException("test resource samples/" + name + " missing", e);
    }
  }
}
