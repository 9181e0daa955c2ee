package org.vqsim.analysis.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;

/**
 * One writer at a time for an output location: an OS file lock ({@code fcntl}) on a small lock
 * file, held for the whole run, so a second run is refused while the first lives and a dead process
 * (even after {@code kill -9}) never leaves the location locked.
 *
 * <p>The file holds the owner's pid, command and start time, so the refusal can name the other run.
 * It is deleted when the lock is released. Deleting a lock file that another process may have
 * opened is safe only with a check, which {@link #acquire} makes: after locking, it compares the
 * file it holds with the one the path names now (by device and inode, with stat: opening the file a
 * second time and closing it would drop the lock, as POSIX record locks belong to the process);
 * when its previous owner deleted it in between, it starts over on the new file.
 */
public final class OutputLock implements AutoCloseable {
  /** The lock file of an output folder. */
  public static final String FOLDER_LOCK = ".vqsim.lock";

  /** Lock files this JVM holds (one channel per file: see {@link #acquire}). */
  private static final java.util.Map<Path, String> HELD = new java.util.concurrent.ConcurrentHashMap<>();

  private final Path path;
  private final Path key;
  private final FileChannel channel;
  private final FileLock lock;
  private boolean released;

  private OutputLock(Path path, Path key, FileChannel channel, FileLock lock) {
    this.path = path;
    this.key = key;
    this.channel = channel;
    this.lock = lock;
  }

  public Path path() { return path; }

  /**
   * Locks {@code lockFile} for this process, describing the owner as {@code command}.
   *
   * @param location what the lock protects, for the refusal message (the output folder or file)
   * @throws OutputException (can't create) naming the other run when it is held
   */
  public static OutputLock acquire(Path lockFile, Path location, String command) throws IOException {
    Path key = lockFile.toAbsolutePath().normalize();
    // POSIX record locks belong to the process: a second channel on the file in this JVM must not even be
    // opened, since closing it would drop the lock the first one holds
    String owner = "pid " + ProcessHandle.current().pid() + ", `" + command + "`, started " + Instant.now();
    String other = HELD.putIfAbsent(key, owner);
    if (other != null) {
      throw new OutputException(OutputException.Kind.CANT_CREATE, location + " is being written by another vqsim run (" + other
          + ", in this process); wait for it to finish or use another output");
    }
    try {
      OutputLock l = lockOnce(lockFile, key, location, owner);
      if (l != null) return l;
    } catch (IOException | RuntimeException e) {
      HELD.remove(key);
      throw e;
    }
    HELD.remove(key);
    throw new OutputException(OutputException.Kind.CANT_CREATE, location + ": could not take the lock " + lockFile + " (it keeps changing)");
  }

  private static OutputLock lockOnce(Path lockFile, Path key, Path location, String owner) throws IOException {
    for (int attempt = 0; attempt < 20; attempt++) {
      FileChannel ch;
      try {
        ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      } catch (IOException e) {
        throw new OutputException(OutputException.Kind.CANT_CREATE, location + ": cannot create the lock file " + lockFile.getFileName()
            + " (" + reason(e) + ")", e);
      }
      Object opened = fileKey(lockFile); // stat, not open: opening and closing the file again would drop a lock (POSIX)
      FileLock l;
      try {
        l = ch.tryLock();
      } catch (OverlappingFileLockException e) {
        l = null;
      } catch (IOException e) {
        ch.close();
        throw new OutputException(OutputException.Kind.CANT_CREATE, location + ": cannot lock " + lockFile.getFileName() + " (" + reason(e) + ")", e);
      }
      if (l == null) {
        String holder = read(ch);
        ch.close();
        throw new OutputException(OutputException.Kind.CANT_CREATE, location + " is being written by another vqsim run"
            + (holder.isEmpty() ? "" : " (" + holder + ")") + "; wait for it to finish or use another output");
      }
      // the path must still name the file we locked: its previous owner may have deleted it in between
      Object now = fileKey(lockFile);
      if (opened != null && opened.equals(now)) {
        ch.truncate(0);
        ch.write(ByteBuffer.wrap(owner.getBytes(StandardCharsets.UTF_8)), 0);
        ch.force(false);
        return new OutputLock(lockFile, key, ch, l);
      }
      l.release();
      ch.close();
    }
    return null;
  }

  private static Object fileKey(Path p) {
    try {
      return Files.readAttributes(p, BasicFileAttributes.class).fileKey();
    } catch (IOException e) {
      return null;
    }
  }

  /** "pid N, `command`, started T": what the file's owner wrote into it. */
  private static String read(FileChannel ch) {
    try {
      ByteBuffer b = ByteBuffer.allocate(4096);
      int n = ch.read(b, 0);
      return n <= 0 ? "" : new String(b.array(), 0, n, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      return "";
    }
  }

  static String reason(IOException e) {
    String m = e.getMessage();
    if (e instanceof java.nio.file.AccessDeniedException) return "permission denied";
    if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) return f.getReason();
    return m == null ? e.getClass().getSimpleName() : m;
  }

  /** Deletes the lock file, then releases the lock (in that order: see the class comment). */
  @Override
  public synchronized void close() {
    if (released) return;
    released = true;
    try {
      Files.deleteIfExists(path);
    } catch (IOException ignored) {
      // the next run takes the lock on the file that is left
    }
    try {
      lock.release();
    } catch (IOException ignored) {
      // closing the channel releases it too
    }
    try {
      channel.close();
    } catch (IOException ignored) {
      // nothing left to do
    }
    HELD.remove(key);
  }
}
