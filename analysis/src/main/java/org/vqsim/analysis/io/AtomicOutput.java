package org.vqsim.analysis.io;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Output files written under a temporary name in the target folder and renamed into place only
 * when the whole run succeeded ({@link #commit}); on failure, interruption or SIGTERM ({@link
 * #abort}, also run from a shutdown hook) the temporary files are deleted and nothing half-written
 * is left.
 */
public final class AtomicOutput implements AutoCloseable {
  private static final List<AtomicOutput> OPEN = new CopyOnWriteArrayList<>();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      for (AtomicOutput o : OPEN) o.abort();
    }, "vqsim-cleanup"));
  }

  private final List<Path[]> files = new ArrayList<>();
  private boolean done;

  public AtomicOutput() {
    OPEN.add(this);
  }

  /** A temporary path beside {@code target}; it becomes {@code target} on commit. */
  public synchronized Path file(Path target) {
    Path dir = target.toAbsolutePath().getParent();
    Path tmp = dir.resolve("." + target.getFileName() + ".tmp-" + ProcessHandle.current().pid());
    files.add(new Path[] {tmp, target});
    return tmp;
  }

  /** A temporary working file beside {@code target}: deleted on commit and on abort alike. */
  public synchronized Path scratch(Path target) {
    Path dir = target.toAbsolutePath().getParent();
    Path tmp = dir.resolve("." + target.getFileName() + ".tmp-" + ProcessHandle.current().pid());
    files.add(new Path[] {tmp, null});
    return tmp;
  }

  /** Renames every temporary file into place. */
  public synchronized void commit() throws IOException {
    for (Path[] f : files) {
      if (!Files.exists(f[0])) continue;
      if (f[1] == null) {
        Files.delete(f[0]);
        continue;
      }
      try {
        Files.move(f[0], f[1], StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(f[0], f[1], StandardCopyOption.REPLACE_EXISTING);
      }
    }
    done = true;
    OPEN.remove(this);
  }

  /** Deletes every temporary file not yet committed. */
  public synchronized void abort() {
    if (done) return;
    for (Path[] f : files) {
      try {
        Files.deleteIfExists(f[0]);
      } catch (IOException ignored) {
        // best effort during failure handling
      }
    }
    done = true;
    OPEN.remove(this);
  }

  @Override
  public void close() {
    abort();
  }
}
