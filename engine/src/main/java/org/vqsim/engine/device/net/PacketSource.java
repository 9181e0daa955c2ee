package org.vqsim.engine.device.net;

import java.io.IOException;

/** A stream of packets in time order. Network trace readers and generators implement it. */
public interface PacketSource extends AutoCloseable {
  /** Fills {@code into} with the next packet; false at the end of the stream. */
  boolean next(NetPacket into) throws IOException;

  @Override
  default void close() throws IOException {}
}
