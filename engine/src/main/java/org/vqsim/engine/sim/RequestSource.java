package org.vqsim.engine.sim;

import java.io.IOException;

/** A stream of requests in submission order. Readers implement it; the engine pulls from it. */
public interface RequestSource extends AutoCloseable {
  /** Fills {@code into} with the next request; false at the end of the stream. */
  boolean next(IoRequest into) throws IOException;

  @Override
  default void close() throws IOException {}
}
