package org.vqsim.engine.sim;

/** Request operations of the canonical trace, as byte codes for the hot path and letters for files. */
public final class IoOp {
  private IoOp() {}

  public static final byte READ = 0;
  public static final byte WRITE = 1;
  public static final byte FLUSH = 2;
  public static final byte DISCARD = 3;

  private static final String[] LETTERS = {"R", "W", "F", "D"};

  public static String letter(int op) { return LETTERS[op]; }

  /** The op for a letter R, W, F or D; -1 otherwise. */
  public static int parse(CharSequence s) {
    if (s.length() != 1) return -1;
    return switch (s.charAt(0)) {
      case 'R' -> READ;
      case 'W' -> WRITE;
      case 'F' -> FLUSH;
      case 'D' -> DISCARD;
      default -> -1;
    };
  }

  /** Whether the request carries data the device writes into guest memory. */
  public static boolean deviceWrites(int op) { return op == READ; }

  /** Whether the request moves data pages at all. */
  public static boolean hasData(int op) { return op == READ || op == WRITE; }
}
