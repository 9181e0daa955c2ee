package org.vqsim.engine.sim;

/** The timeline's current time, readable by the model's parts (a flush queue's timeout needs it). */
public final class SimClock {
  long nowPs;

  /** Current simulated time in picoseconds. */
  public long nowPs() { return nowPs; }
}
