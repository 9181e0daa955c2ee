package org.vqsim.engine.ring;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vqsim.engine.memory.GuestMemory;

/**
 * Free-running 16-bit avail/used indices wrap at 2^16, independently of the queue size (virtio 1.2
 * §2.7.6, §2.7.8). Driving more than 65536 chains through a tiny ring crosses the wrap in both
 * directions, with and without event indices.
 */
class IndexWrapTest {
  private static final long RING = 0x10_0000L;
  private static final int REQUESTS = 70_001;

  @ParameterizedTest(name = "eventIdx={0} indirect={1} batch={2}")
  @CsvSource({"true,false,1", "false,false,1", "true,true,3", "false,true,4", "true,false,2"})
  void everyTokenComesBackOnceAndInOrderAcrossIndexWrap(boolean eventIdx, boolean indirect, int batch) {
    GuestMemory mem = new GuestMemory(64L << 20);
    RingLayout layout = RingLayout.contiguous(4, RING, 64);
    SplitDriverQueue driver = new SplitDriverQueue(mem, layout, eventIdx, indirect);
    SplitDeviceQueue device = new SplitDeviceQueue(layout, eventIdx, indirect);
    Chain req = new Chain(3);
    Chain popped = new Chain(3);
    long table = 0x40_0000L;

    int nextToken = 0, expected = 0, kicks = 0;
    boolean[] seen = new boolean[REQUESTS];
    while (expected < REQUESTS) {
      int added = 0;
      while (added < batch && nextToken < REQUESTS) {
        req.clear();
        if (indirect) {
          req.add(0x30_0000L, 16, false);
          req.add(0x50_0000L + 512L * (nextToken & 7), 512, nextToken % 2 == 0);
          req.add(0x30_0010L, 1, true);
          int head = driver.addIndirect(mem, req, table + 64L * (nextToken & 3), table + 64L * (nextToken & 3), nextToken);
          if (head == DriverQueue.NO_SPACE) break;
        } else {
          req.add(0x50_0000L + 512L * (nextToken & 7), 512, true);
          if (driver.addDirect(mem, req, nextToken) == DriverQueue.NO_SPACE) break;
        }
        nextToken++;
        added++;
      }
      if (driver.kickPrepare(mem)) kicks++;

      device.setNotification(mem, false);
      while (device.pop(mem, popped)) {
        if (popped.count == 0) device.readIndirect(mem, popped.indirectAddr, popped.indirectLen, popped);
        device.fill(mem, popped.head, (int) popped.totalLength());
      }
      device.flush(mem);
      device.setNotification(mem, true);

      int tok;
      while ((tok = driver.getBuf(mem)) != DriverQueue.NONE) {
        assertThat(tok).as("token order").isEqualTo(expected);
        assertThat(seen[tok]).as("token %d seen twice", tok).isFalse();
        seen[tok] = true;
        expected++;
      }
    }

    assertThat(expected).isEqualTo(REQUESTS);
    assertThat(driver.numFree()).isEqualTo(4);
    assertThat(driver.inFlight()).isZero();
    assertThat(mem.readU16(layout.availIdx())).isEqualTo(REQUESTS & 0xffff);
    assertThat(mem.readU16(layout.usedIdx())).isEqualTo(REQUESTS & 0xffff);
    assertThat(device.hasAvailable(mem)).isFalse();
    int rounds = (REQUESTS + batch - 1) / batch;
    assertThat(kicks).as("the device drains every round, so every round kicks").isEqualTo(rounds);
    if (eventIdx) assertThat(mem.readU16(layout.availEvent())).isEqualTo(REQUESTS & 0xffff);
  }
}
