package org.vqsim.capture;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.vqsim.capture.canonical.CanonicalTraceReader;
import org.vqsim.capture.blkparse.BlkparseReader;
import org.vqsim.capture.fio.FioIologReader;
import org.vqsim.capture.ftrace.FtraceEventReader;
import org.vqsim.capture.msr.MsrCsvReader;
import org.vqsim.capture.observed.ObservedSource;
import org.vqsim.capture.observed.ReaderCounters;
import org.vqsim.capture.qemu.QemuLogReader;
import org.vqsim.engine.sim.RequestSource;

/** Opens a trace file of any supported format: gzip is transparent, the format is detected from the content. */
public final class Traces {
  private Traces() {}

  private static final byte[] ARROW_MAGIC = "ARROW1".getBytes(StandardCharsets.US_ASCII);
  private static final int SNIFF_BYTES = 64 * 1024;

  /** An opened trace: its stream of requests, its format and what the file says about itself. */
  public record Opened(RequestSource source, TraceFormat format, Map<String, String> metadata) implements AutoCloseable {
    @Override
    public void close() throws IOException {
      source.close();
    }

    /** The reader's view of what it observed per request, or null for formats without it (canonical, generated). */
    public ObservedSource observed() {
      return source instanceof ObservedSource o ? o : null;
    }

    /** Malformed lines skipped so far (with skip-bad-lines); 0 for formats without lines. */
    public long skippedLines() {
      ObservedSource o = observed();
      return o == null ? 0 : o.counters().skippedLines;
    }

    /** The reader's counters, or null for formats without them. */
    public ReaderCounters counters() {
      ObservedSource o = observed();
      return o == null ? null : o.counters();
    }
  }

  /**
   * @param forced the format to use, or null to detect it
   * @param deviceFilter "MAJOR,MINOR" for text traces with several devices, or null
   */
  public static Opened open(Path file, TraceFormat forced, String deviceFilter) throws IOException {
    return open(file, ReadOptions.defaults().withFormat(forced).withDevice(deviceFilter));
  }

  /** Opens {@code file} as {@code options} say: the format forced or detected, filters, bad-line policy. */
  public static Opened open(Path file, ReadOptions options) throws IOException {
    TraceFormat forced = options.format();
    String deviceFilter = options.device();
    String name = file.toString();
    if (!Files.exists(file)) throw new TraceException(file + ": no such file", true, null);
    if (Files.isDirectory(file)) throw new TraceException(file + ": is a directory, not a trace file", true, null);
    TraceFormat format = forced != null ? forced : detect(file);
    switch (format) {
      case CANONICAL -> {
        if (isGzip(file)) throw new TraceException(file + ": a gzip-compressed Arrow file cannot be read as a stream; decompress it first");
        if (!startsWith(file, ARROW_MAGIC)) throw new TraceException(file + ": not an Arrow IPC file (format " + format.id + " was asked for)");
        CanonicalTraceReader r = new CanonicalTraceReader(file);
        return new Opened(r, format, r.metadata());
      }
      case FTRACE -> {
        return new Opened(new FtraceEventReader(openStream(file), name, deviceFilter, options.skipBadLines()), format, Map.of());
      }
      case QEMU -> {
        return new Opened(new QemuLogReader(() -> openStream(file), name, options.idleGapSeconds(), options.skipBadLines()), format, Map.of());
      }
      case BLKPARSE -> {
        return new Opened(new BlkparseReader(openStream(file), name, deviceFilter, options.skipBadLines()), format, Map.of());
      }
      case FIO -> {
        return new Opened(new FioIologReader(openStream(file), name, options.skipBadLines()), format, Map.of());
      }
      case MSR -> {
        return new Opened(new MsrCsvReader(openStream(file), name, options.disk(), options.skipBadLines()), format, Map.of());
      }
      default -> throw new IllegalStateException(format.toString());
    }
  }

  /** Detects the format from the first bytes (decompressed). */
  public static TraceFormat detect(Path file) throws IOException {
    if (startsWith(file, ARROW_MAGIC)) return TraceFormat.CANONICAL;
    String head = sniffText(file);
    if (head.isEmpty()) throw new TraceException(file + ": empty file");
    if (head.startsWith("ARROW1")) throw new TraceException(file + ": a gzip-compressed Arrow file cannot be read as a stream; decompress it first");
    if (head.contains("# tracer:") || head.contains("block_rq_issue:") || head.contains("block_rq_complete:")) return TraceFormat.FTRACE;
    TraceFormat byLine = detectByFirstLines(head);
    if (byLine != null) return byLine;
    if (head.indexOf('\0') >= 0 || head.indexOf('\uFFFD') >= 0 && countReplacement(head) > head.length() / 20) {
      throw new TraceException(file + ": binary data, not a trace vqsim knows (formats: " + String.join(", ", TraceFormat.ids()) + ")");
    }
    String first = head.lines().findFirst().orElse("");
    throw new TraceException(file + ":1: cannot tell the trace format from its content (starts with '"
        + (first.length() > 60 ? first.substring(0, 60) + "..." : first) + "'); use --format " + String.join("|", TraceFormat.ids()));
  }

  private static final java.util.regex.Pattern QEMU_OLD = java.util.regex.Pattern.compile("^\\d+@\\d+\\.\\d+:[a-z_0-9]+");
  private static final java.util.regex.Pattern QEMU_ISO = java.util.regex.Pattern.compile(
      "^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?(Z|[+-]\\d\\d:\\d\\d)? .*?(\\): |: |\\d+@\\d+\\.\\d+:)(virt|vtd_|spapr_|[a-z_0-9]+ )");
  private static final java.util.regex.Pattern BLKPARSE = java.util.regex.Pattern.compile(
      "^\\s*\\d+,\\d+\\s+\\d+\\s+\\d+\\s+\\d+\\.\\d+\\s+\\d+\\s+[A-Z]{1,2}\\s+[A-Z]*\\b.*");
  private static final java.util.regex.Pattern MSR = java.util.regex.Pattern.compile("^\\d{10,},[^,]*,\\d+,(Read|Write),\\d+,\\d+,\\d+\\s*$");

  /** Line-oriented formats, told apart by their first lines (the first 20 non-blank ones must agree). */
  private static TraceFormat detectByFirstLines(String head) {
    String[] lines = head.split("\n", 40);
    int seen = 0;
    TraceFormat found = null;
    int usable = head.length() < SNIFF_BYTES ? lines.length : lines.length - 1; // the last line of a full sniff may be cut
    for (int i = 0; i < usable && seen < 20; i++) {
      String l = lines[i].strip();
      if (l.isEmpty()) continue;
      if (seen == 0 && (l.startsWith("fio version 2 iolog") || l.startsWith("fio version 3 iolog"))) return TraceFormat.FIO;
      if (seen == 0 && l.startsWith("Timestamp,Hostname,DiskNumber,Type,Offset,Size,ResponseTime")) return TraceFormat.MSR;
      TraceFormat f = QEMU_OLD.matcher(l).find() || QEMU_ISO.matcher(l).find() ? TraceFormat.QEMU
          : BLKPARSE.matcher(lines[i]).matches() ? TraceFormat.BLKPARSE
          : MSR.matcher(l).matches() ? TraceFormat.MSR : null;
      if (f == null) return seen > 0 ? found : null;
      if (found != null && f != found) return null;
      found = f;
      seen++;
    }
    return found;
  }

  private static int countReplacement(String s) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) if (s.charAt(i) == '\uFFFD') n++;
    return n;
  }

  static boolean isGzip(Path file) throws IOException {
    return startsWith(file, new byte[] {0x1f, (byte) 0x8b});
  }

  private static boolean startsWith(Path file, byte[] magic) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] b = in.readNBytes(magic.length);
      return java.util.Arrays.equals(b, magic);
    }
  }

  /** The file's bytes, decompressed when it is gzip. */
  public static InputStream openStream(Path file) throws IOException {
    InputStream raw;
    try {
      raw = Files.newInputStream(file);
    } catch (NoSuchFileException e) {
      throw new TraceException(file + ": no such file", true, e);
    }
    BufferedInputStream in = new BufferedInputStream(raw, 1 << 16);
    in.mark(2);
    int b0 = in.read(), b1 = in.read();
    in.reset();
    if (b0 == 0x1f && b1 == 0x8b) {
      try {
        return new BufferedInputStream(new GzipChecked(in, file), 1 << 16);
      } catch (ZipException | EOFException e) {
        in.close();
        throw new TraceException(file + ": corrupt gzip data (" + e.getMessage() + ")", e);
      }
    }
    return in;
  }

  /** A UTF-8 reader that reports bad bytes as replacement characters rather than failing the whole file. */
  public static BufferedReader textReader(Path file) throws IOException {
    CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPLACE)
        .onUnmappableCharacter(CodingErrorAction.REPLACE);
    return new BufferedReader(new InputStreamReader(openStream(file), dec), 1 << 16);
  }

  private static String sniffText(Path file) throws IOException {
    try (InputStream in = openStream(file)) {
      byte[] b = in.readNBytes(SNIFF_BYTES);
      return new String(b, StandardCharsets.UTF_8);
    } catch (EOFException e) {
      throw new TraceException(file + ": truncated gzip data", e);
    }
  }

  /** GZIPInputStream whose truncation and corruption errors name the file. */
  private static final class GzipChecked extends GZIPInputStream {
    private final Path file;

    GzipChecked(InputStream in, Path file) throws IOException {
      super(in, 1 << 16);
      this.file = file;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
      try {
        return super.read(buf, off, len);
      } catch (EOFException e) {
        throw new TraceException(file + ": truncated gzip data (unexpected end of file)", e);
      } catch (ZipException e) {
        throw new TraceException(file + ": corrupt gzip data (" + e.getMessage() + ")", e);
      }
    }
  }
}
