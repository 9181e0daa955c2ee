package org.vqsim.replay;

/** Exit codes, as the README documents them (the sysexits.h values where one fits). */
public final class ExitCodes {
  private ExitCodes() {}

  public static final int OK = 0;
  /** An internal error: a bug in vqsim. */
  public static final int INTERNAL = 1;
  /** Unknown option or name, invalid value. */
  public static final int USAGE = 2;
  /** A check failed ({@code --tolerance}, {@code --fail-above}). */
  public static final int CHECK_FAILED = 3;
  /** Bad input data (EX_DATAERR). */
  public static final int DATA = 65;
  /** Input missing (EX_NOINPUT). */
  public static final int NO_INPUT = 66;
  /** Cannot create output (EX_CANTCREAT). */
  public static final int CANT_CREATE = 73;
  /** I/O error (EX_IOERR). */
  public static final int IO = 74;
}
