package org.vqsim.engine.ring;

/**
 * The 16-byte packed-ring descriptor (virtio 1.2 §2.8.13, {@code struct pvirtq_desc}) and its
 * flags. The same slot carries an available descriptor (written by the driver) and, later, a used
 * descriptor (written by the device over it: {@code id}, {@code len}, {@code flags}).
 *
 * <pre>
 *  0               8        12  14  16
 *  +---------------+--------+---+---+
 *  | addr (le64)   |len le32|id |flg|
 *  +---------------+--------+---+---+
 *
 *  flags:  bit 0 NEXT  bit 1 WRITE  bit 2 INDIRECT  bit 7 AVAIL  bit 15 USED
 * </pre>
 *
 * A descriptor is available when AVAIL != USED and AVAIL equals the reader's wrap counter; it is
 * used when AVAIL == USED == the reader's wrap counter (virtio 1.2 §2.8.1).
 */
public final class PackedDescriptor {
  private PackedDescriptor() {}

  public static final int SIZE = 16;
  public static final int ADDR = 0;
  public static final int LEN = 8;
  public static final int ID = 12;
  public static final int FLAGS = 14;

  /** The buffer continues in the next ring slot (never inside an indirect table). */
  public static final int F_NEXT = Descriptor.F_NEXT;
  /** Device write-only buffer (otherwise device read-only). */
  public static final int F_WRITE = Descriptor.F_WRITE;
  /** The buffer is a table of packed descriptors. */
  public static final int F_INDIRECT = Descriptor.F_INDIRECT;
  /** VIRTQ_DESC_F_AVAIL: bit 7, the driver's wrap counter when it made the descriptor available. */
  public static final int F_AVAIL = 1 << 7;
  /** VIRTQ_DESC_F_USED: bit 15, the device's wrap counter when it marked the descriptor used. */
  public static final int F_USED = 1 << 15;

  /** AVAIL and USED as the driver writes them with wrap counter {@code wrap}: AVAIL = wrap, USED = !wrap. */
  public static int availFlags(boolean wrap) {
    return wrap ? F_AVAIL : F_USED;
  }

  /** AVAIL and USED as the device writes them with wrap counter {@code wrap}: both equal to wrap. */
  public static int usedFlags(boolean wrap) {
    return wrap ? F_AVAIL | F_USED : 0;
  }

  /** QEMU {@code is_desc_avail}: AVAIL != USED and AVAIL == the device's wrap counter. */
  public static boolean isAvail(int flags, boolean wrap) {
    boolean avail = (flags & F_AVAIL) != 0;
    boolean used = (flags & F_USED) != 0;
    return avail != used && avail == wrap;
  }

  /** Linux {@code is_used_desc_packed}: AVAIL == USED == the driver's used wrap counter. */
  public static boolean isUsed(int flags, boolean wrap) {
    boolean avail = (flags & F_AVAIL) != 0;
    boolean used = (flags & F_USED) != 0;
    return avail == used && used == wrap;
  }
}
