package org.vqsim.capture;

import java.util.Locale;

/** Byte sizes as users write them: {@code 512}, {@code 4k}, {@code 64KiB}, {@code 1m}, {@code 10g} (powers of 1024, as fio does). */
public final class Sizes {
  private Sizes() {}

  public static long parse(String text) {
    String s = text.strip().toLowerCase(Locale.ROOT);
    if (s.endsWith("ib")) s = s.substring(0, s.length() - 2);
    else if (s.endsWith("b") && s.length() > 1 && !Character.isDigit(s.charAt(s.length() - 2))) s = s.substring(0, s.length() - 1);
    else if (s.endsWith("b")) s = s.substring(0, s.length() - 1);
    long mult = 1;
    if (!s.isEmpty()) {
      switch (s.charAt(s.length() - 1)) {
        case 'k' -> mult = 1L << 10;
        case 'm' -> mult = 1L << 20;
        case 'g' -> mult = 1L << 30;
        case 't' -> mult = 1L << 40;
        default -> mult = 1;
      }
      if (mult != 1) s = s.substring(0, s.length() - 1);
    }
    try {
      long v = Long.parseLong(s);
      if (v < 0) throw new IllegalArgumentException("size must not be negative: '" + text + "'");
      return Math.multiplyExact(v, mult);
    } catch (NumberFormatException | ArithmeticException e) {
      throw new IllegalArgumentException("not a size: '" + text + "' (use e.g. 512, 4k, 64k, 1m, 10g)");
    }
  }

  /** Compact form for labels: 4096 → "4k", 65536 → "64k", 1048576 → "1m". */
  public static String format(long bytes) {
    if (bytes > 0 && bytes % (1L << 30) == 0) return bytes / (1L << 30) + "g";
    if (bytes > 0 && bytes % (1L << 20) == 0) return bytes / (1L << 20) + "m";
    if (bytes > 0 && bytes % (1L << 10) == 0) return bytes / (1L << 10) + "k";
    return Long.toString(bytes);
  }
}
