package org.vqsim.capture.text;

import java.nio.charset.StandardCharsets;

/**
 * Parsing helpers over byte ranges: the readers' hot path. Every helper reports a malformed field
 * by throwing {@link BadLine} (cheap: no stack trace), which the reader turns into {@code
 * file:line: what is wrong} or counts as a skipped line.
 */
public final class Ascii {
  private Ascii() {}

  public static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /** First index of {@code pat} in {@code b[from, to)}, or -1. */
  public static int indexOf(byte[] b, int from, int to, byte[] pat) {
    int n = pat.length;
    if (n == 0) return from;
    byte first = pat[0];
    outer:
    for (int i = from, last = to - n; i <= last; i++) {
      if (b[i] != first) continue;
      for (int k = 1; k < n; k++) if (b[i + k] != pat[k]) continue outer;
      return i;
    }
    return -1;
  }

  public static int indexOf(byte[] b, int from, int to, byte c) {
    for (int i = from; i < to; i++) if (b[i] == c) return i;
    return -1;
  }

  public static boolean startsWith(byte[] b, int at, int to, byte[] pat) {
    if (to - at < pat.length) return false;
    for (int k = 0; k < pat.length; k++) if (b[at + k] != pat[k]) return false;
    return true;
  }

  /** Whether {@code b[from, to)} equals {@code pat}. */
  public static boolean equals(byte[] b, int from, int to, byte[] pat) {
    return to - from == pat.length && startsWith(b, from, to, pat);
  }

  public static int skipSpaces(byte[] b, int i, int to) {
    while (i < to && (b[i] == ' ' || b[i] == '\t')) i++;
    return i;
  }

  public static int tokenEnd(byte[] b, int i, int to) {
    while (i < to && b[i] != ' ' && b[i] != '\t') i++;
    return i;
  }

  public static boolean isDigit(byte c) {
    return c >= '0' && c <= '9';
  }

  /** Unsigned decimal in {@code b[from, to)}; a value beyond 2^63-1 is reported as {@code -1} when {@code saturate}. */
  public static long decimal(byte[] b, int from, int to, String what, boolean saturate) {
    if (from >= to) throw BadLine.of("missing " + what);
    long v = 0;
    for (int i = from; i < to; i++) {
      int d = b[i] - '0';
      if (d < 0 || d > 9) throw BadLine.of(what + " '" + text(b, from, to) + "' is not a number");
      if (v > (Long.MAX_VALUE - d) / 10) {
        if (saturate) return -1;
        throw BadLine.of(what + " '" + text(b, from, to) + "' is too large");
      }
      v = v * 10 + d;
    }
    return v;
  }

  public static long decimal(byte[] b, int from, int to, String what) {
    return decimal(b, from, to, what, false);
  }

  /** Hexadecimal with or without {@code 0x}. */
  public static long hex(byte[] b, int from, int to, String what) {
    if (to - from > 2 && b[from] == '0' && (b[from + 1] == 'x' || b[from + 1] == 'X')) from += 2;
    if (from >= to || to - from > 16) throw BadLine.of(what + " '" + text(b, from, to) + "' is not a hexadecimal number");
    long v = 0;
    for (int i = from; i < to; i++) {
      int c = b[i], d;
      if (c >= '0' && c <= '9') d = c - '0';
      else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
      else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
      else throw BadLine.of(what + " '" + text(b, from, to) + "' is not a hexadecimal number");
      v = (v << 4) | d;
    }
    return v;
  }

  /** {@code SECONDS.FRACTION} (up to 9 fraction digits) in ns. */
  public static long secondsToNs(byte[] b, int from, int to, String what) {
    long sec = 0, frac = 0;
    int digits = 0;
    boolean dot = false;
    if (from >= to) throw BadLine.of("missing " + what);
    for (int i = from; i < to; i++) {
      byte c = b[i];
      if (c == '.' && !dot) dot = true;
      else if (c >= '0' && c <= '9') {
        if (dot) {
          if (digits < 9) {
            frac = frac * 10 + (c - '0');
            digits++;
          }
        } else {
          sec = sec * 10 + (c - '0');
          if (sec > 9_000_000_000L) throw BadLine.of(what + " '" + text(b, from, to) + "' is too large");
        }
      } else throw BadLine.of(what + " '" + text(b, from, to) + "' is not SECONDS.FRACTION");
    }
    if (!dot || digits == 0) throw BadLine.of(what + " '" + text(b, from, to) + "' is not SECONDS.FRACTION");
    for (int d = digits; d < 9; d++) frac *= 10;
    return sec * 1_000_000_000L + frac;
  }

  /** The decimal value after {@code key} (e.g. {@code "size="}) in the range. */
  public static long decimalAfter(byte[] b, int from, int to, byte[] key, String what) {
    int at = indexOf(b, from, to, key);
    if (at < 0) throw BadLine.of("no " + what);
    int s = at + key.length;
    int e = s;
    while (e < to && isDigit(b[e])) e++;
    return decimal(b, s, e, what);
  }

  /**
   * {@code b[from, to)} for a message: at most 80 bytes; well-formed UTF-8 text as is, and every
   * other byte (control characters, bytes of non-UTF-8 or binary input) as {@code \xNN}, so a
   * message never carries raw binary to the terminal.
   */
  public static String text(byte[] b, int from, int to) {
    int end = from + Math.max(0, Math.min(to - from, 80));
    StringBuilder s = new StringBuilder(end - from + 8);
    int i = from;
    while (i < end) {
      int c = b[i] & 0xff;
      int n = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
      if (n == 1 && c >= 0x20 && c < 0x7f) {
        s.append((char) c);
        i++;
        continue;
      }
      if (n > 1 && i + n <= end) {
        String cp = new String(b, i, n, StandardCharsets.UTF_8);
        if (cp.codePointCount(0, cp.length()) == 1 && cp.codePointAt(0) != 0xfffd && !Character.isISOControl(cp.codePointAt(0))) {
          s.append(cp);
          i += n;
          continue;
        }
      }
      s.append("\\x").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 15, 16));
      i++;
    }
    return to - from > 80 ? s.append("...").toString() : s.toString();
  }
}
