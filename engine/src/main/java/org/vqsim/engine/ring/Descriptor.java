package org.vqsim.engine.ring;

/**
 * The 16-byte split-ring descriptor (virtio 1.2 §2.7.5) and its flags.
 *
 * <pre>
 *  0               8       12  14  16
 *  +---------------+-------+---+---+
 *  | addr (le64)   |len le32|flg|nxt|
 *  +---------------+-------+---+---+
 * </pre>
 */
public final class Descriptor {
  private Descriptor() {}

  public static final int SIZE = 16;
  public static final int ADDR = 0;
  public static final int LEN = 8;
  public static final int FLAGS = 12;
  public static final int NEXT = 14;

  /** This marks a buffer as continuing via the next field. */
  public static final int F_NEXT = 1;
  /** This marks a buffer as device write-only (otherwise device read-only). */
  public static final int F_WRITE = 2;
  /** This means the buffer contains a list of buffer descriptors. */
  public static final int F_INDIRECT = 4;
}
