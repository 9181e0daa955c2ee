package org.vqsim.spark;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.SparkFiles;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.vqsim.engine.cost.CostProfile;
import org.vqsim.replay.SweepExecutor;
import org.vqsim.replay.SweepPlan;

/**
 * The files of a sweep that live on the driver's file system — traces given as paths or {@code file:}
 * URIs, and a {@code --profile FILE} — shipped to the executors, so that a cluster whose workers
 * cannot see the driver's paths runs the sweep all the same.
 *
 * <ol>
 *   <li>The driver reads each file once into a broadcast variable (chunks of at most 64 MiB, so a
 *       trace may exceed a Java array). Nothing is sent yet: Spark keeps the pieces in the driver's
 *       block manager.
 *   <li>The first task on an executor that needs a file fetches its pieces (from the driver or
 *       another executor) and writes the file into the executor's working directory, in a folder
 *       of its own under its own name — two traces may share a name, and the row's {@code trace}
 *       column is that name, as in a local sweep.
 *   <li>Every later task on that executor reads the copy.
 *   <li>Once every unit of a trace has its row, the driver destroys its broadcast: a corpus larger than
 *       memory passes through, a few traces at a time.
 * </ol>
 *
 * Only the traces a unit needs reach an executor. Other URIs ({@code hdfs://}, {@code s3a://}) are
 * not shipped: each executor reads them through its Hadoop file systems ({@link SparkUnits}).
 */
final class Shipment implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final int CHUNK = 64 << 20;

  /** The executor-side copies made so far in this JVM, by shipment and file number; a lock for each. */
  private static final Map<String, Path> COPIES = new ConcurrentHashMap<>();
  private static final Map<String, Object> LOCKS = new ConcurrentHashMap<>();

  /** Names this shipment's folder on an executor, so that two sweeps in one JVM never share copies. */
  private final String id = UUID.randomUUID().toString();
  private final Map<String, Broadcast<byte[][]>> files = new LinkedHashMap<>();
  private final Map<String, Integer> numbers = new LinkedHashMap<>();
  private transient long bytes;
  private transient java.util.Set<String> released;

  private Shipment() {}

  static Shipment none() {
    return new Shipment();
  }

  /** Reads every driver-side file the units need (their traces and the plan's profile file) and broadcasts it. */
  static Shipment of(JavaSparkContext jsc, SweepPlan plan, List<SweepPlan.Unit> units) throws IOException {
    Shipment s = new Shipment();
    List<String> names = new ArrayList<>();
    for (SweepPlan.Unit u : units) if (onDriver(u.trace()) && !names.contains(u.trace())) names.add(u.trace());
    String profile = plan.profile();
    if (!CostProfile.BUILT_IN.contains(profile) && Files.isRegularFile(Path.of(profile))) names.add(profile);
    for (String name : names) {
      byte[][] chunks = read(SweepExecutor.localPath(name));
      for (byte[] c : chunks) s.bytes += c.length;
      s.numbers.put(name, s.files.size());
      s.files.put(name, jsc.broadcast(chunks));
    }
    return s;
  }

  /** Whether a trace of the plan is a file on the driver's file system (a path or a file: URI). */
  static boolean onDriver(String trace) {
    return !trace.equals("generated") && (!SweepExecutor.hasScheme(trace) || trace.startsWith("file:"));
  }

  private static byte[][] read(Path file) throws IOException {
    List<byte[]> chunks = new ArrayList<>();
    try (InputStream in = Files.newInputStream(file)) {
      for (byte[] c = in.readNBytes(CHUNK); c.length > 0; c = in.readNBytes(CHUNK)) chunks.add(c);
    }
    return chunks.toArray(new byte[0][]);
  }

  boolean isEmpty() {
    return files.isEmpty();
  }

  /** For the start-up line: "5 files, 2.1 MiB". */
  String describe() {
    return String.format(Locale.ROOT, "%d file%s, %.1f MiB", files.size(), files.size() == 1 ? "" : "s", bytes / 1048576.0);
  }

  /** On an executor: a local path holding the file the plan calls {@code name}, or {@code name} itself when it was not shipped. */
  String local(String name) throws IOException {
    Broadcast<byte[][]> b = files.get(name);
    if (b == null) return name;
    String key = id + "/" + numbers.get(name);
    Path have = COPIES.get(key);
    if (have != null) return have.toString();
    synchronized (LOCKS.computeIfAbsent(key, k -> new Object())) {
      have = COPIES.get(key);
      if (have != null) return have.toString();
      // the executor's working directory (the driver's temporary one in local mode), as Spark's own shipped files
      Path dir = Path.of(SparkFiles.getRootDirectory(), "vqsim-" + id, Integer.toString(numbers.get(name)));
      Files.createDirectories(dir);
      Path dst = dir.resolve(SweepExecutor.localPath(name).getFileName().toString());
      Path tmp = dir.resolve("." + dst.getFileName() + ".tmp");
      try (OutputStream out = Files.newOutputStream(tmp)) {
        for (byte[] c : b.value()) out.write(c);
      }
      Files.move(tmp, dst, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      COPIES.put(key, dst);
      return dst.toString();
    }
  }

  /** On the driver, once every unit of a file has its row: frees its pieces everywhere (driver and executors). */
  void release(String name) {
    Broadcast<byte[][]> b = files.get(name);
    if (b == null) return;
    if (released == null) released = new java.util.HashSet<>();
    if (released.add(name)) b.destroy();
  }

  /** On the driver, once the job is over: frees what is left. */
  void destroy() {
    for (String name : files.keySet()) release(name);
  }
}
