package org.vqsim.engine.device;

import java.io.IOException;
import org.vqsim.engine.sim.RunResult;

/**
 * A virtio device and its guest driver on the timeline: it says what a request looks like on its
 * rings, what the host does with it, and which events it puts on the timeline; the replay loop hands
 * each event back to it. virtio-blk is one ({@code device.blk}); a second device type plugs in here.
 */
public interface DeviceModel {
  /** Puts the first events on the timeline (the closed loop's first requests, the first arrival). */
  void start() throws IOException;

  /** Handles one of its events at time {@code ps}. */
  void handle(int type, long ps, int a, int b) throws IOException;

  /** Checks that everything completed and returns the run's figures. */
  RunResult finish();
}
