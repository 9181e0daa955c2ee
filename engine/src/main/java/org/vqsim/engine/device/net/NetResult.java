package org.vqsim.engine.device.net;

import org.vqsim.engine.cost.EventKind;
import org.vqsim.engine.sim.RunResult;

/**
 * A network replay's figures besides {@link RunResult}: packets and bytes per direction, buffers,
 * notifications per side, refill failures (a receive buffer that could not be mapped: the bounce
 * pool ran out), drops, NAPI polls, received frames GRO merged into the skb it held (the skbs handed to
 * the stack are the received packets less these), and the run's events with the initial fill of the receive rings
 * left out (as a capture's workload window leaves it out).
 */
public record NetResult(RunResult run, String features, String rxBufferKind, long txPackets, long rxPackets, long txBytes, long rxBytes, long rxBuffers,
    long txDescriptors, long txKicks, long rxKicks, long txInterrupts, long rxInterrupts, long refillFailures, long txDrops, long rxDrops, long queueStops,
    long napiPolls, long napiBudgetExhausted, long rxGroMerged, long[] events) {

  /** The skbs GRO handed to the stack: received packets less the frames merged into another. */
  public long rxSkbs() { return rxPackets - rxGroMerged; }

  public long packets() { return txPackets + rxPackets; }

  /** Events of {@code kind} during the workload (the initial fill excluded). */
  public long events(EventKind kind) { return events[kind.ordinal()]; }

  /** Events of {@code kind} per packet (transmitted + received). */
  public double perPacket(EventKind kind) {
    return packets() == 0 ? 0 : (double) events(kind) / packets();
  }

  public double perPacket(long count) {
    return packets() == 0 ? 0 : (double) count / packets();
  }

  /** Packets per second over the simulated time. */
  public double pps() {
    return run.simTimeNs() <= 0 ? 0 : packets() * 1e9 / run.simTimeNs();
  }

  /** Frame bits per second over the simulated time, in Gb/s. */
  public double gbitPerS() {
    return run.simTimeNs() <= 0 ? 0 : (txBytes + rxBytes) * 8.0 / run.simTimeNs();
  }
}
