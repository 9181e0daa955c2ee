package org.vqsim.analysis.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The outputs of one run, written so that nothing is lost under faults.
 *
 * <ul>
 *   <li><b>One writer at a time</b>: an {@link OutputLock} on the output folder ({@code
 *       .vqsim.lock} in it) or beside the output file ({@code .NAME.vqsim.lock}), held for the run;
 *       a second run is refused (exit 73) naming the first one's pid.
 *   <li><b>All or nothing</b>: a folder run writes every result into a staging folder inside the
 *       output folder ({@code .vqsim-staging-PID/}, same file system), then commits: it writes a
 *       journal listing the files, renames each into place, and removes the staging folder. A run
 *       that dies during those few renames leaves the journal, and the next run in that folder
 *       finishes the commit before anything else (roll forward), so the folder never keeps a mix
 *       of two runs' results. A file run writes {@code .NAME.tmp-PID} beside the file and renames it.
 *   <li><b>Nothing left behind</b>: a run that fails or is interrupted (SIGINT, SIGTERM: the
 *       shutdown hook) deletes its staging area, and removes the output folder if it created it;
 *       a staging area of a dead run ({@code kill -9}) is removed by the next run in that place.
 *       Only names vqsim writes are ever deleted; a sweep's resumable state lives outside staging.
 *   <li><b>Disk full</b>: {@link #reserve} refuses a run whose estimated size does not fit in the
 *       free space (exit 73) before anything is written; a write that fails later becomes an
 *       {@link OutputException} naming the final file and the cause (exit 74).
 * </ul>
 */
public final class RunOutput implements AutoCloseable {
  private static final String STAGING_PREFIX = ".vqsim-staging-";
  private static final String JOURNAL = ".commit";
  private static final Pattern STAGING = Pattern.compile("\\.vqsim-staging-(\\d+)");
  /** Temporary files of earlier vqsim versions: {@code .NAME.tmp-PID}, NAME one of the files vqsim writes. */
  private static final Pattern TMP_FILE = Pattern.compile("\\..+\\.(arrow|html|png|toml|parquet)\\.tmp-(\\d+)");
  private static final List<RunOutput> OPEN = new CopyOnWriteArrayList<>();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      for (RunOutput o : OPEN) o.close();
    }, "vqsim-cleanup"));
  }

  private final Path location; // the output folder, or the output file
  private final boolean folder;
  private final Path staging; // folder: the staging folder; file: the temporary file
  private final Path createdDir; // the folder this run created (removed again on failure), or null
  private final OutputLock lock;
  private final Map<String, Path> files = new LinkedHashMap<>(); // relative name → staged file (folder runs)
  private final Map<Path, String> scratchOf = new java.util.concurrent.ConcurrentHashMap<>(); // working file → the result it is part of
  private long reservedBytes;
  private boolean done;

  private RunOutput(Path location, boolean folder, Path staging, Path createdDir, OutputLock lock) {
    this.location = location;
    this.folder = folder;
    this.staging = staging;
    this.createdDir = createdDir;
    this.lock = lock;
  }

  /**
   * Takes the output folder {@code dir} for this run: creates it if needed, locks it, finishes or
   * removes what dead runs left there, and opens a staging folder.
   *
   * @param command the command line, shown to a second run that is refused
   */
  public static RunOutput folder(Path dir, String command) throws IOException {
    Path d = dir.toAbsolutePath().normalize();
    if (Files.exists(d) && !Files.isDirectory(d)) throw new OutputException(OutputException.Kind.CANT_CREATE, dir + ": exists and is not a folder");
    Taken t = take(d, dir + ": cannot create the output folder", d.resolve(OutputLock.FOLDER_LOCK), dir, command);
    Path created = t.created();
    OutputLock lock = t.lock();
    try {
      recover(d);
      Path staging = d.resolve(STAGING_PREFIX + ProcessHandle.current().pid());
      Files.createDirectories(staging);
      RunOutput o = new RunOutput(d, true, staging, created, lock);
      OPEN.add(o);
      return o;
    } catch (IOException | RuntimeException e) {
      lock.close();
      removeCreated(created);
      throw e instanceof OutputException oe ? oe
          : new OutputException(OutputException.Kind.CANT_CREATE, dir + ": cannot prepare the output folder (" + e.getMessage() + ")", e);
    }
  }

  /** Takes the output file {@code file} for this run: its folder is created if needed, a lock is taken beside it. */
  public static RunOutput file(Path file, String command) throws IOException {
    Path f = file.toAbsolutePath().normalize();
    if (Files.isDirectory(f)) throw new OutputException(OutputException.Kind.CANT_CREATE, file + ": is a folder; give a file name");
    Path parent = f.getParent();
    Taken t = take(parent, parent + ": cannot create the folder", parent.resolve("." + f.getFileName() + ".vqsim.lock"), file, command);
    Path created = t.created();
    OutputLock lock = t.lock();
    try {
      String prefix = "." + f.getFileName() + ".tmp-";
      try (Stream<Path> s = Files.list(parent)) {
        for (Path p : s.filter(p -> p.getFileName().toString().startsWith(prefix)).toList()) deleteTree(p); // we hold the lock: nobody writes them
      }
      RunOutput o = new RunOutput(f, false, parent.resolve(prefix + ProcessHandle.current().pid()), created, lock);
      OPEN.add(o);
      return o;
    } catch (IOException | RuntimeException e) {
      lock.close();
      removeCreated(created);
      throw new OutputException(OutputException.Kind.CANT_CREATE, file + ": cannot prepare the output (" + e.getMessage() + ")", e);
    }
  }

  private record Taken(Path created, OutputLock lock) {}

  /**
   * Creates {@code dir} if needed (remembering the first folder that creating it added, to remove
   * on failure) and takes {@code lockFile}; a refused lock removes what was created.
   */
  private static Taken take(Path dir, String cannotCreate, Path lockFile, Path location, String command) throws IOException {
    Path created = topmostMissing(dir);
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new OutputException(OutputException.Kind.CANT_CREATE, cannotCreate + " (" + OutputLock.reason(e) + ")", e);
    }
    try {
      return new Taken(created, OutputLock.acquire(lockFile, location, command));
    } catch (IOException e) {
      removeCreated(created);
      throw e;
    }
  }

  /** The output folder, or the output file. */
  public Path location() { return location; }

  /** Folder runs: where this run stages its results (the layout of the output folder, for readers such as the report). */
  public Path stagingDir() {
    if (!folder) throw new IllegalStateException("a file run has no staging folder");
    return staging;
  }

  /** Refuses (exit 73) when any of {@code names} (relative to the folder) exists already, unless {@code force}. */
  public void requireAbsent(Collection<String> names, boolean force) throws OutputException {
    if (force) return;
    if (!folder) {
      if (Files.exists(location)) throw new OutputException(OutputException.Kind.CANT_CREATE, location + " already exists; use --force to overwrite it");
      return;
    }
    for (String n : names) {
      Path p = location.resolve(n);
      if (Files.exists(p)) throw new OutputException(OutputException.Kind.CANT_CREATE, p + " already exists; use --force to overwrite it, or another -o folder");
    }
  }

  /** Whether the folder already holds {@code name} (before this run's commit). */
  public boolean exists(String name) {
    return Files.exists(folder ? location.resolve(name) : location);
  }

  /** Folder runs: the staged path of {@code name} (relative to the output folder); it is renamed into place on {@link #commit}. */
  public synchronized Path file(String name) throws IOException {
    if (!folder) throw new IllegalStateException("a file run has one output: use file()");
    Path p = staging.resolve(name).normalize();
    if (!p.startsWith(staging) || p.equals(staging)) throw new IllegalArgumentException("output name outside the folder: " + name);
    Files.createDirectories(p.getParent());
    files.put(name, p);
    return p;
  }

  /** File runs: the temporary file that becomes the output on {@link #commit}. */
  public Path file() {
    if (folder) throw new IllegalStateException("a folder run has named outputs: use file(name)");
    return staging;
  }

  /**
   * Folder runs: a working file for the result {@code partOf} (a name relative to the folder), in
   * the staging folder and deleted with it, never committed; a failed write to it names {@code partOf}.
   */
  public synchronized Path scratch(String partOf, String name) throws IOException {
    Path p = staging.resolve(name);
    Files.createDirectories(p.getParent());
    scratchOf.put(p, partOf);
    return p;
  }

  /**
   * Checks before writing that about {@code bytes} more will fit: refuses (exit 73) with the size,
   * the free space and {@code advice} when the file system has less room.
   */
  public synchronized void reserve(long bytes, String what, String advice) throws OutputException {
    reservedBytes += Math.max(0, bytes);
    long free = freeBytes();
    if (free >= 0 && reservedBytes > free) {
      throw new OutputException(OutputException.Kind.CANT_CREATE, location + ": " + what + " would take about " + size(reservedBytes)
          + ", but its file system has only " + size(free) + " free" + (advice == null || advice.isEmpty() ? "" : "; " + advice));
    }
  }

  /** What {@link #reserve} has counted so far, in bytes. */
  public long reservedBytes() { return reservedBytes; }

  private long freeBytes() {
    try {
      FileStore fs = Files.getFileStore(folder ? staging : staging.getParent());
      return fs.getUsableSpace();
    } catch (IOException e) {
      return -1;
    }
  }

  /** A human-readable size: 512 B, 3.4 KB, 812 MB, 4.5 GB (decimal, as df -H). */
  public static String size(long bytes) {
    if (bytes < 1000) return bytes + " B";
    String[] units = {"KB", "MB", "GB", "TB", "PB"};
    double v = bytes;
    int u = -1;
    while (v >= 1000 && u < units.length - 1) {
      v /= 1000;
      u++;
    }
    return String.format(Locale.ROOT, v < 10 ? "%.1f %s" : "%.0f %s", v, units[u]);
  }

  /**
   * Opens a staged file for writing; a write that fails (disk full, I/O error) throws an {@link
   * OutputException} naming the final file, the cause and the free space.
   */
  public static WritableByteChannel openChannel(Path stagedFile) throws IOException {
    FileChannel ch;
    try {
      ch = FileChannel.open(stagedFile, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw writeFailed(stagedFile, e);
    }
    return new NamingChannel(ch, stagedFile);
  }

  /** {@link #openChannel} as a stream. */
  public static OutputStream openStream(Path stagedFile) throws IOException {
    return Channels.newOutputStream(openChannel(stagedFile));
  }

  /** Writes a whole text file through {@link #openChannel}. */
  public static void writeString(Path stagedFile, String text) throws IOException {
    try (WritableByteChannel ch = openChannel(stagedFile)) {
      ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
      while (b.hasRemaining()) ch.write(b);
    }
  }

  /**
   * The error for a failed write to {@code file} (a staged path or any other): names the file the
   * user will look for, the cause and what the run needs against what is free.
   */
  public static OutputException writeFailed(Path file, Throwable cause) {
    if (cause instanceof OutputException oe) return oe;
    Path shown = file;
    RunOutput owner = null;
    for (RunOutput o : OPEN) {
      if (o.folder && file.toAbsolutePath().startsWith(o.staging)) {
        owner = o;
        String partOf = o.scratchOf.get(file.toAbsolutePath());
        shown = o.location.resolve(partOf != null ? partOf : o.staging.relativize(file.toAbsolutePath()).toString());
      } else if (!o.folder && file.toAbsolutePath().equals(o.staging)) {
        owner = o;
        shown = o.location;
      }
    }
    String why = cause instanceof IOException io ? OutputLock.reason(io) : String.valueOf(cause.getMessage());
    StringBuilder m = new StringBuilder().append(shown).append(": cannot write: ").append(why);
    if (owner != null) {
      long free = owner.freeBytes();
      if (owner.reservedBytes > 0) m.append(" (this run needs about ").append(size(owner.reservedBytes)).append(" there");
      else m.append(" (");
      if (free >= 0) m.append(owner.reservedBytes > 0 ? "; " : "").append(size(free)).append(" free now");
      m.append(')');
      m.append("; nothing was written, earlier results are kept");
    }
    return new OutputException(OutputException.Kind.WRITE_FAILED, m.toString(), cause);
  }

  /** Renames every staged result into place (see the class comment); returns the final paths. */
  public synchronized List<Path> commit() throws IOException {
    return commit(false);
  }

  /**
   * Like {@link #commit}, but first removes everything else in the output folder (the demo, which
   * owns its folder and replaces it on every run). Only the lock and the staging area are kept.
   */
  public synchronized List<Path> commitReplacingFolder() throws IOException {
    return commit(true);
  }

  private List<Path> commit(boolean replaceAll) throws IOException {
    if (done) throw new IllegalStateException("output already committed or aborted");
    List<Path> out = new ArrayList<>();
    try {
      if (!folder) {
        if (!Files.exists(staging)) throw new IllegalStateException("nothing was written for " + location);
        move(staging, location);
        out.add(location);
      } else {
        // results staged without file() (an engine's extra outputs): every visible file in the staging folder
        try (Stream<Path> walk = Files.walk(staging)) {
          for (Path p : walk.filter(Files::isRegularFile).sorted().toList()) {
            Path rel = staging.relativize(p);
            boolean hidden = false;
            for (Path part : rel) hidden |= part.toString().startsWith(".");
            if (!hidden) files.putIfAbsent(rel.toString(), p);
          }
        }
        // the journal first: a run that dies among the renames is finished by the next one
        Path journal = staging.resolve(JOURNAL);
        Path jtmp = staging.resolve(JOURNAL + ".tmp");
        StringBuilder j = new StringBuilder();
        for (String n : files.keySet()) if (Files.exists(files.get(n))) j.append(n).append('\n');
        Files.writeString(jtmp, j.toString(), StandardCharsets.UTF_8);
        move(jtmp, journal);
        if (replaceAll) {
          try (Stream<Path> s = Files.list(location)) {
            for (Path p : s.toList()) {
              String name = p.getFileName().toString();
              if (p.equals(staging) || name.equals(OutputLock.FOLDER_LOCK)) continue;
              deleteTree(p);
            }
          }
        }
        for (String n : files.keySet()) {
          Path from = files.get(n);
          if (!Files.exists(from)) continue;
          Path to = location.resolve(n);
          Files.createDirectories(to.getParent());
          move(from, to);
          out.add(to);
        }
        deleteTree(staging);
      }
    } catch (IOException e) {
      throw writeFailed(folder ? staging : location, e);
    }
    done = true;
    OPEN.remove(this);
    lock.close();
    return out;
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /**
   * Ends the run: when it did not commit, its staging area is deleted and a folder it created is
   * removed again (if nothing else came into it); the lock is released.
   */
  @Override
  public synchronized void close() {
    if (done) return;
    done = true;
    OPEN.remove(this);
    try {
      deleteTree(staging);
    } catch (IOException ignored) {
      // best effort while failing; the next run in this place removes what is left
    }
    lock.close();
    removeCreated(createdDir);
  }

  /**
   * Under the folder's lock: finishes the commit of a run that died during it (its journal lists the
   * files still to rename), removes staging folders of runs that died before committing, and
   * temporary files of earlier vqsim versions whose process is gone.
   */
  static void recover(Path dir) throws IOException {
    List<Path> entries;
    try (Stream<Path> s = Files.list(dir)) {
      entries = s.sorted().toList();
    }
    for (Path p : entries) {
      String name = p.getFileName().toString();
      Matcher st = STAGING.matcher(name);
      if (st.matches() && Files.isDirectory(p)) {
        Path journal = p.resolve(JOURNAL);
        if (Files.isRegularFile(journal)) {
          for (String n : Files.readAllLines(journal, StandardCharsets.UTF_8)) {
            if (n.isBlank()) continue;
            Path from = p.resolve(n).normalize(), to = dir.resolve(n).normalize();
            if (!from.startsWith(p) || !to.startsWith(dir)) continue;
            if (Files.exists(from)) {
              Files.createDirectories(to.getParent());
              move(from, to);
            }
          }
        }
        deleteTree(p);
        continue;
      }
      Matcher tm = TMP_FILE.matcher(name);
      if (tm.matches() && Files.isRegularFile(p) && !alive(Long.parseLong(tm.group(2)))) Files.deleteIfExists(p);
    }
  }

  private static boolean alive(long pid) {
    return pid == ProcessHandle.current().pid() || ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  /** The first folder of {@code dir}'s path that does not exist yet (what creating {@code dir} would add), or null. */
  private static Path topmostMissing(Path dir) {
    Path top = null;
    for (Path p = dir; p != null && !Files.exists(p); p = p.getParent()) top = p;
    return top;
  }

  /** Removes the folders a failed run created, if nothing else came into them. */
  private static void removeCreated(Path created) {
    if (created == null) return;
    try (Stream<Path> s = Files.walk(created)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        if (!Files.isDirectory(p)) return; // something that is not ours: keep the folder
        try {
          Files.delete(p);
        } catch (DirectoryNotEmptyException e) {
          return;
        }
      }
    } catch (IOException | java.io.UncheckedIOException ignored) {
      // best effort
    }
  }

  static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
    try (Stream<Path> s = Files.walk(p)) {
      for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
        try {
          Files.deleteIfExists(q);
        } catch (NoSuchFileException ignored) {
          // gone already
        }
      }
    }
  }

  /** A channel whose write failures name the final file (disk full, I/O error), with the fault-injection hook of tests. */
  private static final class NamingChannel implements WritableByteChannel {
    private final FileChannel ch;
    private final Path file;

    NamingChannel(FileChannel ch, Path file) {
      this.ch = ch;
      this.file = file;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
      try {
        OutputFaults.beforeWrite(src.remaining());
        return ch.write(src);
      } catch (IOException e) {
        throw writeFailed(file, e);
      }
    }

    @Override
    public boolean isOpen() { return ch.isOpen(); }

    @Override
    public void close() throws IOException {
      try {
        ch.close();
      } catch (IOException e) {
        throw writeFailed(file, e);
      }
    }
  }
}
