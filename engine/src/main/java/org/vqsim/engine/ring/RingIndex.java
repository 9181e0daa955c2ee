package org.vqsim.engine.ring;

/**
 * Ring index arithmetic, in one place.
 *
 * <p>Split-ring indices on the wire are free-running 16-bit counters (virtio 1.2 §2.7.6: "idx
 * field indicates where the driver would put the next descriptor entry in the ring (modulo the
 * queue size). This starts at 0, and increases."). They wrap at 2^16, independently of the queue
 * size, so every comparison between two indices must be done modulo 2^16.
 *
 * <p>Packed-ring positions are not free-running: they count 0..size-1 and a wrap counter flips each
 * time they pass the end (virtio 1.2 §2.8.1), so any size up to 32768 works. The event suppression
 * word carries a position and a wrap bit; {@link #packedEventIdx} turns it into an index the same
 * {@link #needEvent} test can use.
 */
public final class RingIndex {
  private RingIndex() {}

  /** The 16-bit value of a free-running index. */
  public static int u16(int index) {
    return index & 0xffff;
  }

  /** Entries between {@code from} and {@code to}, both 16-bit free-running indices: (to - from) mod 2^16. */
  public static int distance(int from, int to) {
    return (to - from) & 0xffff;
  }

  /**
   * The event-index test (virtio 1.2 §2.7.10 and §2.7.7.2; Linux {@code vring_need_event}):
   * notify when the other side asked to be told about entry {@code eventIdx} and that entry lies in
   * the half-open window (old, new] that has just been published.
   *
   * <pre>return (u16)(new_idx - event_idx - 1) &lt; (u16)(new_idx - old);</pre>
   */
  public static boolean needEvent(int eventIdx, int newIdx, int oldIdx) {
    return ((newIdx - eventIdx - 1) & 0xffff) < ((newIdx - oldIdx) & 0xffff);
  }

  /** The event suppression word (virtio 1.2 §2.8.14): {@code off} in bits 0..14, the wrap counter in bit 15. */
  public static int packedOffWrap(int off, boolean wrap) {
    return off | (wrap ? 1 << 15 : 0);
  }

  /**
   * The event offset of a packed-ring {@code off_wrap} word, as an index {@link #needEvent} can
   * compare with positions of the current lap: when its wrap bit differs from {@code wrapCounter}
   * the offset lies in the previous lap, so it is taken {@code size} back (Linux {@code
   * virtqueue_kick_prepare_packed}, QEMU {@code vring_packed_need_event}). The result may be
   * negative; {@code needEvent} works modulo 2^16.
   */
  public static int packedEventIdx(int offWrap, boolean wrapCounter, int size) {
    int off = offWrap & 0x7fff;
    boolean wrap = (offWrap & 0x8000) != 0;
    return wrap == wrapCounter ? off : off - size;
  }

  /** virtio 1.2 §2.7: "Queue Size value is always a power of 2. The maximum Queue Size value is 32768." */
  public static String splitQueueSizeError(int size) {
    if (size < 1 || size > 32768) return "queue size " + size + " is outside 1..32768 (virtio 1.2 §2.7)";
    if ((size & (size - 1)) != 0) return "queue size " + size + " is not a power of two, which a split ring requires (virtio 1.2 §2.7)";
    return null;
  }

  /** virtio 1.2 §2.8: packed rings allow any size up to 32768. */
  public static String packedQueueSizeError(int size) {
    if (size < 1 || size > 32768) return "queue size " + size + " is outside 1..32768 (virtio 1.2 §2.8)";
    return null;
  }
}
