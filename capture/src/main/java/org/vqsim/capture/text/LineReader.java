package org.vqsim.capture.text;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.vqsim.capture.TraceException;

/**
 * Lines of an ASCII/UTF-8 text stream as byte ranges of one reused buffer: no String, no char
 * decoding and no allocation per line (a line longer than the buffer grows it once).
 *
 * <pre>
 *  buf: [ ..consumed.. | line start .. end | '\n' | next line ... | limit ]
 *                        ^start            ^end
 * </pre>
 *
 * A trailing {@code '\r'} is dropped, so CRLF files read like LF files.
 */
public final class LineReader implements AutoCloseable {
  private static final int MAX_LINE = 1 << 24;
  private final InputStream in;
  private final String name;
  private byte[] buf;
  private int pos, limit;
  private boolean eof;
  private long line;
  /** The current line is {@code buf[start, end)}. */
  public int start, end;

  public LineReader(InputStream in) {
    this(in, 1 << 17);
  }

  public LineReader(InputStream in, int bufferBytes) {
    this(in, "trace", bufferBytes);
  }

  /** @param name the file, for the message about a line too long to be text */
  public LineReader(InputStream in, String name) {
    this(in, name, 1 << 17);
  }

  public LineReader(InputStream in, String name, int bufferBytes) {
    this.in = in;
    this.name = name;
    this.buf = new byte[bufferBytes];
  }

  /** Advances to the next line; false at the end of the stream. */
  public boolean next() throws IOException {
    int scan = pos;
    while (true) {
      int nl = -1;
      byte[] b = buf;
      for (int i = scan; i < limit; i++) {
        if (b[i] == '\n') {
          nl = i;
          break;
        }
      }
      if (nl >= 0) {
        start = pos;
        end = nl > pos && b[nl - 1] == '\r' ? nl - 1 : nl;
        pos = nl + 1;
        line++;
        return true;
      }
      if (eof) {
        if (pos < limit) {
          start = pos;
          end = limit > pos && b[limit - 1] == '\r' ? limit - 1 : limit;
          pos = limit;
          line++;
          return true;
        }
        return false;
      }
      scan = limit - pos;
      fill();
      scan = Math.max(0, scan);
    }
  }

  private void fill() throws IOException {
    if (pos > 0) {
      System.arraycopy(buf, pos, buf, 0, limit - pos);
      limit -= pos;
      pos = 0;
    }
    if (limit == buf.length) {
      if (buf.length >= MAX_LINE) throw TraceException.at(name, line + 1, "line longer than " + (MAX_LINE >> 20) + " MiB: not a text trace");
      byte[] nb = new byte[buf.length * 2];
      System.arraycopy(buf, 0, nb, 0, limit);
      buf = nb;
    }
    int n = in.read(buf, limit, buf.length - limit);
    if (n < 0) eof = true;
    else limit += n;
  }

  public byte[] buf() { return buf; }

  /** 1-based number of the current line. */
  public long lineNumber() { return line; }

  /** The current line as text (for messages). */
  public String text() {
    return new String(buf, start, end - start, StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
