package org.vqsim.engine.ring;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vqsim.engine.memory.GuestMemory;

/**
 * Ring wrap counters (virtio 1.2 §2.8.1): each side keeps one per direction, starting at 1 and
 * flipping whenever its position passes the last slot; the AVAIL and USED bits of a descriptor
 * are only meaningful against the reader's counter. The sizes here are not powers of two.
 */
class PackedWrapCounterTest {
  private static final long RING = 0x10_0000L;

  private final GuestMemory mem = new GuestMemory(64L << 20);

  private static Chain chainOf(int buffers) {
    Chain c = new Chain(buffers);
    c.add(0x30_0000L, 16, false);
    for (int i = 1; i < buffers; i++) c.add(0x40_0000L + 4096L * i, 4096, true);
    return c;
  }

  @Test
  void availAndUsedBitsAgainstBothWrapCounterValues() {
    int none = 0, avail = PackedDescriptor.F_AVAIL, used = PackedDescriptor.F_USED, both = avail | used;
    // the driver makes a descriptor available with AVAIL = wrap, USED = !wrap
    assertThat(PackedDescriptor.availFlags(true)).isEqualTo(avail);
    assertThat(PackedDescriptor.availFlags(false)).isEqualTo(used);
    // the device marks it used with AVAIL = USED = wrap
    assertThat(PackedDescriptor.usedFlags(true)).isEqualTo(both);
    assertThat(PackedDescriptor.usedFlags(false)).isEqualTo(none);

    // device view: available iff AVAIL != USED and AVAIL == its wrap counter
    assertThat(PackedDescriptor.isAvail(avail, true)).isTrue();
    assertThat(PackedDescriptor.isAvail(used, false)).isTrue();
    assertThat(PackedDescriptor.isAvail(avail, false)).as("made available in the other lap").isFalse();
    assertThat(PackedDescriptor.isAvail(used, true)).isFalse();
    for (boolean w : new boolean[] {true, false}) {
      assertThat(PackedDescriptor.isAvail(none, w)).isFalse();
      assertThat(PackedDescriptor.isAvail(both, w)).isFalse();
    }
    // driver view: used iff AVAIL == USED == its used wrap counter
    assertThat(PackedDescriptor.isUsed(both, true)).isTrue();
    assertThat(PackedDescriptor.isUsed(none, false)).isTrue();
    assertThat(PackedDescriptor.isUsed(both, false)).as("used in the other lap").isFalse();
    assertThat(PackedDescriptor.isUsed(none, true)).as("a zeroed ring holds nothing used").isFalse();
    for (boolean w : new boolean[] {true, false}) {
      assertThat(PackedDescriptor.isUsed(avail, w)).isFalse();
      assertThat(PackedDescriptor.isUsed(used, w)).isFalse();
    }
    // other flag bits do not matter
    assertThat(PackedDescriptor.isAvail(avail | PackedDescriptor.F_NEXT | PackedDescriptor.F_WRITE, true)).isTrue();
    assertThat(PackedDescriptor.isUsed(PackedDescriptor.F_WRITE, false)).isTrue();
  }

  @Test
  void driverWrapCounterFlipsWhenNextAvailPassesTheEnd() {
    PackedRingLayout l = PackedRingLayout.contiguous(3, RING);
    PackedDriverQueue driver = new PackedDriverQueue(mem, l, false, false);
    PackedDeviceQueue device = new PackedDeviceQueue(l, false, false);
    Chain one = chainOf(1);
    Chain popped = new Chain(4);

    assertThat(driver.availWrapCounter()).as("starts at 1").isTrue();
    for (int t = 0; t < 3; t++) {
      driver.addDirect(mem, one, t);
      assertThat(mem.readU16(l.desc(t) + PackedDescriptor.FLAGS)).as("slot %d, lap 1", t).isEqualTo(PackedDescriptor.F_AVAIL);
    }
    assertThat(driver.nextAvailIdx()).isZero();
    assertThat(driver.availWrapCounter()).as("flipped passing slot 2").isFalse();

    for (int t = 0; t < 3; t++) {
      assertThat(device.pop(mem, popped)).isTrue();
      device.fill(mem, popped.head, 1);
    }
    assertThat(device.lastAvailIdx()).isZero();
    assertThat(device.lastAvailWrapCounter()).isFalse();
    device.flush(mem);
    assertThat(device.usedIdx()).isZero();
    assertThat(device.usedWrapCounter()).isFalse();
    for (int t = 0; t < 3; t++) assertThat(driver.getBuf(mem)).isEqualTo(t);
    assertThat(driver.lastUsedIdx()).isZero();
    assertThat(driver.usedWrapCounter()).isFalse();

    // lap 0: AVAIL clear, USED set
    driver.addDirect(mem, one, 3);
    assertThat(mem.readU16(l.desc(0) + PackedDescriptor.FLAGS)).isEqualTo(PackedDescriptor.F_USED);
    assertThat(device.hasAvailable(mem)).isTrue();
    assertThat(device.pop(mem, popped)).isTrue();
    device.fill(mem, popped.head, 1);
    device.flush(mem);
    assertThat(mem.readU16(l.desc(0) + PackedDescriptor.FLAGS)).as("used in lap 0: AVAIL = USED = 0").isZero();
    assertThat(driver.getBuf(mem)).isEqualTo(3);
  }

  @Test
  void aChainThatCrossesTheEndChangesItsAvailBitsMidChainAndIsPoppedWhole() {
    PackedRingLayout l = PackedRingLayout.contiguous(5, RING);
    PackedDriverQueue driver = new PackedDriverQueue(mem, l, false, false);
    PackedDeviceQueue device = new PackedDeviceQueue(l, false, false);
    Chain popped = new Chain(8);
    driver.addDirect(mem, chainOf(4), 0);
    device.pop(mem, popped);
    device.fill(mem, popped.head, 0);
    device.flush(mem);
    assertThat(driver.getBuf(mem)).isZero();

    int id = driver.addDirect(mem, chainOf(3), 1); // slots 4, 0, 1

    int f4 = mem.readU16(l.desc(4) + PackedDescriptor.FLAGS);
    int f0 = mem.readU16(l.desc(0) + PackedDescriptor.FLAGS);
    int f1 = mem.readU16(l.desc(1) + PackedDescriptor.FLAGS);
    assertThat(f4).isEqualTo(PackedDescriptor.F_AVAIL | PackedDescriptor.F_NEXT);
    assertThat(f0).isEqualTo(PackedDescriptor.F_USED | PackedDescriptor.F_NEXT | PackedDescriptor.F_WRITE);
    assertThat(f1).isEqualTo(PackedDescriptor.F_USED | PackedDescriptor.F_WRITE);
    assertThat(driver.nextAvailIdx()).isEqualTo(2);
    assertThat(driver.availWrapCounter()).isFalse();

    assertThat(device.pop(mem, popped)).isTrue();
    assertThat(popped.head).isEqualTo(id);
    assertThat(popped.count).isEqualTo(3);
    assertThat(popped.addr[0]).isEqualTo(0x30_0000L);
    assertThat(device.lastAvailIdx()).isEqualTo(2);
    assertThat(device.lastAvailWrapCounter()).isFalse();
    device.fill(mem, popped.head, 7);
    device.flush(mem);
    // one used descriptor, at the chain's first slot (4, lap 1); the device then moves 3 slots on
    assertThat(mem.readU16(l.desc(4) + PackedDescriptor.FLAGS)).isEqualTo(PackedDescriptor.F_AVAIL | PackedDescriptor.F_USED);
    assertThat(device.usedIdx()).isEqualTo(2);
    assertThat(device.usedWrapCounter()).isFalse();
    assertThat(driver.getBuf(mem)).isEqualTo(1);
    assertThat(driver.lastUsedLen()).isEqualTo(7);
    assertThat(driver.lastUsedIdx()).isEqualTo(2);
    assertThat(driver.usedWrapCounter()).isFalse();
    assertThat(driver.numFree()).isEqualTo(5);
  }

  @Test
  void aChainAsLongAsTheRingFlipsTheCounterOnce() {
    PackedRingLayout l = PackedRingLayout.contiguous(5, RING);
    PackedDriverQueue driver = new PackedDriverQueue(mem, l, true, false);
    PackedDeviceQueue device = new PackedDeviceQueue(l, true, false);
    Chain popped = new Chain(8);
    driver.addDirect(mem, chainOf(2), 0);
    device.pop(mem, popped);
    device.fill(mem, popped.head, 0);
    device.flush(mem);
    driver.getBuf(mem);

    driver.addDirect(mem, chainOf(5), 1); // slots 2,3,4,0,1: back to slot 2, one lap on

    assertThat(driver.nextAvailIdx()).isEqualTo(2);
    assertThat(driver.availWrapCounter()).as("Linux's i < head test would miss this wrap").isFalse();
    assertThat(device.pop(mem, popped)).isTrue();
    assertThat(popped.count).isEqualTo(5);
    assertThat(device.lastAvailWrapCounter()).isFalse();
  }

  /**
   * Every token comes back exactly once and in order across many laps of a 5-slot ring: chains of
   * 1..3 buffers (or indirect), batches of adds, the device draining every round.
   */
  @ParameterizedTest(name = "eventIdx={0} indirect={1} batch={2}")
  @CsvSource({"true,false,1", "false,false,1", "true,true,3", "false,true,4", "true,false,2", "false,false,5"})
  void everyIdComesBackExactlyOnceAndInOrderOverManyLapsOfASize5Ring(boolean eventIdx, boolean indirect, int batch) {
    final int requests = 70_001;
    PackedRingLayout layout = PackedRingLayout.contiguous(5, RING);
    PackedDriverQueue driver = new PackedDriverQueue(mem, layout, eventIdx, indirect);
    PackedDeviceQueue device = new PackedDeviceQueue(layout, eventIdx, indirect);
    Chain req = new Chain(3);
    Chain popped = new Chain(3);
    long table = 0x40_0000L;

    int nextToken = 0, expected = 0, kicks = 0, rounds = 0;
    long slotsUsed = 0;
    boolean[] seen = new boolean[requests];
    int[] idOfToken = new int[requests];
    while (expected < requests) {
      int added = 0;
      while (added < batch && nextToken < requests) {
        req.clear();
        int buffers = 1 + nextToken % 3;
        for (int b = 0; b < buffers; b++) req.add(0x50_0000L + 512L * ((nextToken + b) & 7), 512, b > 0);
        int expectedId = driver.peekFreeHead();
        int id = indirect
            ? driver.addIndirect(mem, req, table + 64L * (nextToken & 3), table + 64L * (nextToken & 3), nextToken)
            : driver.addDirect(mem, req, nextToken);
        if (id == DriverQueue.NO_SPACE) break;
        assertThat(id).as("peekFreeHead names the id the add uses").isEqualTo(expectedId);
        idOfToken[nextToken] = id;
        slotsUsed += driver.descriptorsNeeded(buffers, indirect);
        nextToken++;
        added++;
      }
      rounds++;
      if (driver.kickPrepare(mem)) kicks++;

      device.setNotification(mem, false);
      while (device.pop(mem, popped)) {
        if (popped.count == 0) device.readIndirect(mem, popped.indirectAddr, popped.indirectLen, popped);
        device.fill(mem, popped.head, (int) popped.totalLength());
      }
      device.flush(mem);
      device.setNotification(mem, true);

      int tok;
      int before = expected;
      while ((tok = driver.getBuf(mem)) != DriverQueue.NONE) {
        assertThat(tok).as("token order").isEqualTo(expected);
        assertThat(seen[tok]).as("token %d seen twice", tok).isFalse();
        assertThat(driver.lastUsedLen()).isEqualTo(512 * (1 + tok % 3));
        seen[tok] = true;
        expected++;
      }
      // a broken ring must fail here, not spin
      assertThat(expected).as("round %d returned nothing", rounds).isGreaterThan(before);
    }

    assertThat(expected).isEqualTo(requests);
    assertThat(driver.numFree()).isEqualTo(5);
    assertThat(driver.inFlight()).isZero();
    assertThat(device.hasAvailable(mem)).isFalse();
    assertThat(slotsUsed).as("many laps").isGreaterThan(70_000);
    // both sides agree on where the ring stands, positions and wrap counters
    assertThat(device.lastAvailIdx()).isEqualTo(driver.nextAvailIdx()).isEqualTo((int) (slotsUsed % 5));
    assertThat(device.usedIdx()).isEqualTo(driver.lastUsedIdx()).isEqualTo((int) (slotsUsed % 5));
    boolean wrap = (slotsUsed / 5) % 2 == 0;
    assertThat(driver.availWrapCounter()).isEqualTo(wrap);
    assertThat(driver.usedWrapCounter()).isEqualTo(wrap);
    assertThat(device.lastAvailWrapCounter()).isEqualTo(wrap);
    assertThat(device.usedWrapCounter()).isEqualTo(wrap);
    assertThat(kicks).as("the device drains every round, so every round kicks").isEqualTo(rounds);
    for (int t = 0; t < requests; t++) assertThat(idOfToken[t]).isBetween(0, 4);
  }

  @Test
  void outOfOrderCompletionReturnsEveryTokenOnceOverManyLaps() {
    PackedRingLayout layout = PackedRingLayout.contiguous(7, RING);
    PackedDriverQueue driver = new PackedDriverQueue(mem, layout, true, false);
    PackedDeviceQueue device = new PackedDeviceQueue(layout, true, false);
    Chain popped = new Chain(8);
    SplittableRandom rnd = new SplittableRandom(7);
    final int requests = 20_000;
    boolean[] seen = new boolean[requests];
    List<Integer> held = new ArrayList<>();
    int next = 0, done = 0, rounds = 0;
    while (done < requests) {
      assertThat(++rounds).as("a broken ring must fail, not spin").isLessThan(4 * requests);
      while (next < requests && driver.addDirect(mem, chainOf(1 + rnd.nextInt(3)), next) != DriverQueue.NO_SPACE) next++;
      while (device.pop(mem, popped)) held.add(popped.head);
      // complete a random subset, in a random order, one flush for all of them
      int n = held.isEmpty() ? 0 : 1 + rnd.nextInt(held.size());
      for (int k = 0; k < n; k++) device.fill(mem, held.remove(rnd.nextInt(held.size())), k);
      device.flush(mem);
      int tok;
      while ((tok = driver.getBuf(mem)) != DriverQueue.NONE) {
        assertThat(seen[tok]).as("token %d seen twice", tok).isFalse();
        seen[tok] = true;
        done++;
      }
    }
    assertThat(driver.numFree()).isEqualTo(7);
    assertThat(driver.inFlight()).isZero();
    assertThat(device.usedIdx()).isEqualTo(driver.lastUsedIdx());
    assertThat(device.usedWrapCounter()).isEqualTo(driver.usedWrapCounter());
  }
}
