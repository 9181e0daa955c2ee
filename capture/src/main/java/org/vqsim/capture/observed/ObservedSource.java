package org.vqsim.capture.observed;

import org.vqsim.engine.sim.RequestSource;

/**
 * A trace reader that knows more than the requests: what was observed for each one (completion
 * time, DMA and notification events) and how the reading went.
 */
public interface ObservedSource extends RequestSource {
  /** What was observed for the request the last {@link #next} returned. */
  ObservedEvents observed();

  /** Counts about the reading itself: skipped lines, unknown events, unpaired requests. */
  ReaderCounters counters();
}
