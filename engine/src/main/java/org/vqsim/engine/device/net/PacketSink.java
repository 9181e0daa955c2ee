package org.vqsim.engine.device.net;

import org.vqsim.engine.cost.CycleLedger;

/** Receives each packet as the guest finishes with it (tx: reclaimed after the device sent it; rx: handed to the stack). */
public interface PacketSink {
  /**
   * @param index the packet's position in the source (a software-segmented packet reports once, with its segments)
   * @param direction {@link NetPacket#TX} or {@link NetPacket#RX}
   * @param frameLen the frame's length
   * @param buffers the buffers (rx) or descriptors (tx) it used on the ring
   * @param startNs tx: when the stack handed it to the driver; rx: when it reached the host's side of the link
   * @param doneNs tx: when the driver reclaimed it; rx: when the guest's stack got it
   * @param ledger the cycle ledger; the packet's cycles and events are in {@code slots[0..slotCount)}
   */
  void packet(long index, int direction, int frameLen, int buffers, int queue, long startNs, long doneNs, CycleLedger ledger, int[] slots, int slotCount);

  PacketSink NONE = (index, direction, frameLen, buffers, queue, startNs, doneNs, ledger, slots, slotCount) -> {};
}
