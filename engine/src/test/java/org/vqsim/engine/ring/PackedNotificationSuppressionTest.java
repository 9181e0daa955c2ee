package org.vqsim.engine.ring;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.vqsim.engine.memory.GuestMemory;

/**
 * Notification suppression on a packed ring (virtio 1.2 §2.8.10): the device event suppression
 * area decides kicks, the driver's decides interrupts; ENABLE and DISABLE without
 * VIRTIO_F_EVENT_IDX, DESC with an {@code off_wrap} slot with it. Sizes are not powers of two.
 */
class PackedNotificationSuppressionTest {
  private static final long RING = 0x10_0000L;

  private final GuestMemory mem = new GuestMemory(64L << 20);
  private final Chain one = new Chain(1);
  private final Chain popped = new Chain(4);

  PackedNotificationSuppressionTest() {
    one.add(0x20_0000L, 512, true);
  }

  private int popAll(DeviceQueue device) {
    int n = 0;
    while (device.pop(mem, popped)) n++;
    return n;
  }

  @Test
  void withEventIdxTheDriverKicksOnlyWhenTheDeviceHasCaughtUp() {
    PackedRingLayout l = PackedRingLayout.contiguous(10, RING);
    PackedDriverQueue driver = new PackedDriverQueue(mem, l, true, false);
    PackedDeviceQueue device = new PackedDeviceQueue(l, true, false);

    driver.addDirect(mem, one, 0);
    assertThat(driver.kickPrepare(mem)).as("a zeroed device area reads ENABLE").isTrue();
    assertThat(driver.kickPrepare(mem)).as("nothing new published").isFalse();

    device.setNotification(mem, false);
    driver.addDirect(mem, one, 1);
    assertThat(driver.kickPrepare(mem)).as("device polling: DISABLE").isFalse();
    assertThat(popAll(device)).isEqualTo(2);
    device.setNotification(mem, true);
    assertThat(mem.readU16(l.deviceEventOffWrap())).as("asks about slot 2, lap 1").isEqualTo(0x8002);
    assertThat(mem.readU16(l.deviceEventFlags())).isEqualTo(PackedRingLayout.EVENT_FLAGS_DESC);

    driver.addDirect(mem, one, 2);
    assertThat(driver.kickPrepare(mem)).as("slot 2 was just made available").isTrue();
    driver.addDirect(mem, one, 3);
    assertThat(driver.kickPrepare(mem)).as("device has not consumed slot 2 yet").isFalse();
    driver.addDirect(mem, one, 4);
    assertThat(driver.kickPrepare(mem)).isFalse();
  }

  @Test
  void withEventIdxKicksCountOnePerDeviceCatchUpAcrossLaps() {
    PackedRingLayout l = PackedRingLayout.contiguous(10, RING);
    PackedDriverQueue driver = new PackedDriverQueue(mem, l, true, false);
    PackedDeviceQueue device = new PackedDeviceQueue(l, true, false);
    // bursts of publishes; the device drains (and the driver reclaims) between bursts; 24 slots = 2.4 laps
    int[] bursts = {1, 4, 2, 7, 1, 1, 5, 3};
    int publishes = 0, kicks = 0, token = 0;
    for (int b : bursts) {
      for (int i = 0; i < b; i++) {
        driver.addDirect(mem, one, token++);
        publishes++;
        if (driver.kickPrepare(mem)) kicks++;
      }
      device.setNotification(mem, false);
      while (device.pop(mem, popped)) device.fill(mem, popped.head, 0);
      device.flush(mem);
      device.setNotification(mem, true);
      while (driver.getBuf(mem) != DriverQueue.NONE) {
        // reclaim
      }
    }
    assertThat(publishes).isEqualTo(24);
    assertThat(kicks).as("one kick per burst").isEqualTo(bursts.length);
    assertThat(driver.availWrapCounter()).as("two laps done").isTrue();
  }

  @Test
  void withEventIdxAKickAcrossTheEndComparesThePreviousLapsSlot() {
    PackedRingLayout l = PackedRingLayout.contiguous(5, RING);
    PackedDriverQueue driver = new PackedDriverQueue(mem, l, true, false);
    PackedDeviceQueue device = new PackedDeviceQueue(l, true, false);
    for (int t = 0; t < 4; t++) driver.addDirect(mem, one, t);
    driver.kickPrepare(mem);
    popAll(device);
    for (int t = 0; t < 4; t++) device.fill(mem, t, 0);
    device.flush(mem);
    device.setNotification(mem, true); // DESC at slot 4, lap 1
    while (driver.getBuf(mem) != DriverQueue.NONE) {
      // reclaim
    }

    Chain three = new Chain(3);
    for (int b = 0; b < 3; b++) three.add(0x30_0000L + 16L * b, 16, b > 0);
    driver.addDirect(mem, three, 9); // slots 4, 0, 1; the driver is now in lap 0

    assertThat(driver.availWrapCounter()).isFalse();
    assertThat(driver.kickPrepare(mem)).as("slot 4 of lap 1 is in the batch").isTrue();
    driver.addDirect(mem, one, 10);
    assertThat(driver.kickPrepare(mem)).isFalse();
  }

  @Test
  void withoutEventIdxTheDeviceSuppressesKicksWithDisable() {
    PackedRingLayout l = PackedRingLayout.contiguous(12, RING);
    PackedDriverQueue driver = new PackedDriverQueue(mem, l, false, false);
    PackedDeviceQueue device = new PackedDeviceQueue(l, false, false);
    int publishes = 0, kicks = 0;

    driver.addDirect(mem, one, publishes++);
    if (driver.kickPrepare(mem)) kicks++;
    assertThat(kicks).isEqualTo(1);

    device.setNotification(mem, false);
    assertThat(mem.readU16(l.deviceEventFlags())).isEqualTo(PackedRingLayout.EVENT_FLAGS_DISABLE);
    for (int i = 0; i < 5; i++) {
      driver.addDirect(mem, one, publishes++);
      if (driver.kickPrepare(mem)) kicks++;
    }
    assertThat(kicks).as("no kicks while the device polls").isEqualTo(1);

    popAll(device);
    device.setNotification(mem, true);
    assertThat(mem.readU16(l.deviceEventFlags())).isEqualTo(PackedRingLayout.EVENT_FLAGS_ENABLE);
    assertThat(mem.readU16(l.deviceEventOffWrap())).as("off_wrap untouched without EVENT_IDX").isZero();
    for (int i = 0; i < 3; i++) {
      driver.addDirect(mem, one, publishes++);
      if (driver.kickPrepare(mem)) kicks++;
    }
    assertThat(kicks).as("ENABLE: every publish kicks").isEqualTo(4);
    assertThat(publishes).isEqualTo(9);
  }

  @Test
  void withEventIdxTheDeviceInterruptsPerOffWrapAndNotWhileCallbacksAreDisabled() {
    PackedRingLayout l = PackedRingLayout.contiguous(10, RING);
    PackedDriverQueue driver = new PackedDriverQueue(mem, l, true, false);
    PackedDeviceQueue device = new PackedDeviceQueue(l, true, false);
    int[] ids = new int[5];
    for (int t = 0; t < 5; t++) driver.addDirect(mem, one, t);
    for (int i = 0; i < 5; i++) {
      device.pop(mem, popped);
      ids[i] = popped.head;
    }

    device.fill(mem, ids[0], 1);
    device.flush(mem);
    assertThat(device.shouldNotify(mem)).as("zeroed driver area: ENABLE").isTrue();
    assertThat(driver.getBuf(mem)).isEqualTo(0);
    assertThat(mem.readU16(l.driverEventOffWrap())).as("off_wrap only written once the driver uses DESC").isZero();

    driver.disableCb(mem);
    assertThat(mem.readU16(l.driverEventFlags())).isEqualTo(PackedRingLayout.EVENT_FLAGS_DISABLE);
    device.fill(mem, ids[1], 1);
    device.flush(mem);
    assertThat(device.shouldNotify(mem)).as("callbacks disabled").isFalse();
    device.fill(mem, ids[2], 1);
    device.flush(mem);
    assertThat(device.shouldNotify(mem)).isFalse();

    assertThat(driver.enableCb(mem)).as("entries 1 and 2 are already waiting").isFalse();
    assertThat(mem.readU16(l.driverEventFlags())).isEqualTo(PackedRingLayout.EVENT_FLAGS_DESC);
    assertThat(mem.readU16(l.driverEventOffWrap())).isEqualTo(0x8001);
    assertThat(driver.getBuf(mem)).isEqualTo(1);
    assertThat(driver.getBuf(mem)).isEqualTo(2);
    assertThat(mem.readU16(l.driverEventOffWrap())).as("get_buf moves off_wrap on under DESC").isEqualTo(0x8003);
    assertThat(driver.enableCb(mem)).isTrue();

    device.fill(mem, ids[3], 1);
    device.flush(mem);
    assertThat(device.shouldNotify(mem)).as("slot 3 reached").isTrue();
    device.fill(mem, ids[4], 1);
    device.flush(mem);
    assertThat(device.shouldNotify(mem)).as("driver has not consumed slot 3 yet").isFalse();
  }

  @Test
  void withoutEventIdxTheDeviceHonoursEnableAndDisable() {
    PackedRingLayout l = PackedRingLayout.contiguous(6, RING);
    PackedDriverQueue driver = new PackedDriverQueue(mem, l, false, false);
    PackedDeviceQueue device = new PackedDeviceQueue(l, false, false);
    int[] ids = new int[4];
    for (int t = 0; t < 4; t++) driver.addDirect(mem, one, t);
    for (int i = 0; i < 4; i++) {
      device.pop(mem, popped);
      ids[i] = popped.head;
    }

    device.fill(mem, ids[0], 1);
    device.flush(mem);
    assertThat(device.shouldNotify(mem)).isTrue();
    device.fill(mem, ids[1], 1);
    device.flush(mem);
    assertThat(device.shouldNotify(mem)).as("ENABLE: every flush interrupts").isTrue();

    driver.disableCb(mem);
    device.fill(mem, ids[2], 1);
    device.flush(mem);
    assertThat(device.shouldNotify(mem)).isFalse();

    assertThat(driver.enableCb(mem)).as("used entries are waiting").isFalse();
    assertThat(mem.readU16(l.driverEventFlags())).isEqualTo(PackedRingLayout.EVENT_FLAGS_ENABLE);
    assertThat(mem.readU16(l.driverEventOffWrap())).isZero();
    device.fill(mem, ids[3], 1);
    device.flush(mem);
    assertThat(device.shouldNotify(mem)).isTrue();
  }

  @Test
  void withEventIdxAUsedIndexThatWrapsAlwaysInterruptsOnce() {
    PackedRingLayout l = PackedRingLayout.contiguous(3, RING);
    PackedDriverQueue driver = new PackedDriverQueue(mem, l, true, false);
    PackedDeviceQueue device = new PackedDeviceQueue(l, true, false);
    int interrupts = 0, token = 0;
    for (int round = 0; round < 30; round++) {
      driver.addDirect(mem, one, token++);
      device.pop(mem, popped);
      device.fill(mem, popped.head, 0);
      device.flush(mem);
      if (device.shouldNotify(mem)) interrupts++;
      // the interrupt handler: callbacks off, reclaim, back on
      driver.disableCb(mem);
      assertThat(driver.getBuf(mem)).isEqualTo(token - 1);
      assertThat(driver.enableCb(mem)).isTrue();
    }
    assertThat(interrupts).as("depth 1: one interrupt per completion, across 10 laps").isEqualTo(30);
  }
}
