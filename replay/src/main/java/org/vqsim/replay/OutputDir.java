package org.vqsim.replay;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The folder a command writes into: created if needed; results already there are kept unless --force. */
final class OutputDir {
  private OutputDir() {}

  /** Checks that {@code names} can be written into {@code dir}; creates the folder. */
  static Path prepare(Path dir, List<String> names, boolean force) {
    if (Files.exists(dir) && !Files.isDirectory(dir)) throw new CliException(ExitCodes.CANT_CREATE, dir + ": exists and is not a folder");
    if (!force) {
      for (String n : names) {
        Path f = dir.resolve(n);
        if (Files.exists(f)) throw new CliException(ExitCodes.CANT_CREATE, f + " already exists; use --force to overwrite it, or another -o folder");
      }
    }
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new CliException(ExitCodes.CANT_CREATE, dir + ": cannot create the output folder (" + e.getMessage() + ")");
    }
    if (!Files.isWritable(dir)) throw new CliException(ExitCodes.CANT_CREATE, dir + ": output folder is not writable");
    return dir;
  }

  /** Checks that a single output file can be written. */
  static Path prepareFile(Path file, boolean force) {
    Path abs = file.toAbsolutePath();
    if (Files.isDirectory(abs)) throw new CliException(ExitCodes.CANT_CREATE, file + ": is a folder; give a file name");
    if (Files.exists(abs) && !force) throw new CliException(ExitCodes.CANT_CREATE, file + " already exists; use --force to overwrite it");
    Path parent = abs.getParent();
    try {
      Files.createDirectories(parent);
    } catch (IOException e) {
      throw new CliException(ExitCodes.CANT_CREATE, parent + ": cannot create the folder (" + e.getMessage() + ")");
    }
    if (!Files.isWritable(parent)) throw new CliException(ExitCodes.CANT_CREATE, parent + ": folder is not writable");
    return abs;
  }
}
