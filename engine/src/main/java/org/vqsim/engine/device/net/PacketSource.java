package org.vqsim.engine.device.net;

import java.io.IOException;

/** A stream of packets in time order. Network trace readers and generators implement it. */
public interface PacketSource extends AutoCloseable {
  /** Fills {@code into} with the next packet; false at the end of the stream. */
  boolean next(NetPacket into) throws IOException;

  /**
   * Whether received packets' times are already when they reached the device (a capture), so the
   * link must not delay them again; false for an application's times (a generated workload), which
   * the link serialises.
   */
  default boolean timesAtDevice() { return false; }

  @Override
  default void close() throws IOException {}
}
