package org.vqsim.engine.ring;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.vqsim.engine.memory.GuestMemory;

/**
 * Notification suppression in both directions (virtio 1.2 §2.7.7 and §2.7.10): kicks from the
 * driver (avail_event / VIRTQ_USED_F_NO_NOTIFY) and interrupts from the device (used_event /
 * VIRTQ_AVAIL_F_NO_INTERRUPT).
 */
class NotificationSuppressionTest {
  private static final long RING = 0x10_0000L;

  private final GuestMemory mem = new GuestMemory(64L << 20);
  private final Chain one = new Chain(1);
  private final Chain popped = new Chain(4);

  NotificationSuppressionTest() {
    one.add(0x20_0000L, 512, true);
  }

  private int publish(DriverQueue driver, int token) {
    return driver.addDirect(mem, one, token);
  }

  private int popAll(DeviceQueue device) {
    int n = 0;
    while (device.pop(mem, popped)) n++;
    return n;
  }

  @Test
  void withEventIdxTheDriverKicksOnlyWhenTheDeviceHasCaughtUp() {
    RingLayout l = RingLayout.contiguous(16, RING, 64);
    SplitDriverQueue driver = new SplitDriverQueue(mem, l, true, false);
    SplitDeviceQueue device = new SplitDeviceQueue(l, true, false);

    publish(driver, 0);
    assertThat(driver.kickPrepare(mem)).as("first publish: avail_event 0 is in the window").isTrue();
    publish(driver, 1);
    assertThat(driver.kickPrepare(mem)).as("device has not consumed: avail_event still behind").isFalse();
    publish(driver, 2);
    assertThat(driver.kickPrepare(mem)).isFalse();
    assertThat(driver.kickPrepare(mem)).as("nothing new published").isFalse();

    device.setNotification(mem, false);
    assertThat(popAll(device)).isEqualTo(3);
    assertThat(mem.readU16(l.availEvent())).as("QEMU vring_set_avail_event does nothing while notifications are off").isZero();
    device.setNotification(mem, true);
    assertThat(mem.readU16(l.availEvent())).as("re-enabling publishes avail_event = avail idx").isEqualTo(3);

    publish(driver, 3);
    assertThat(driver.kickPrepare(mem)).as("device caught up and re-enabled").isTrue();
  }

  @Test
  void withEventIdxKicksCountOnePerDeviceCatchUp() {
    RingLayout l = RingLayout.contiguous(16, RING, 64);
    SplitDriverQueue driver = new SplitDriverQueue(mem, l, true, false);
    SplitDeviceQueue device = new SplitDeviceQueue(l, true, false);
    // bursts of publishes; the device drains (and the driver reclaims) between bursts
    int[] bursts = {1, 4, 2, 7, 1, 1, 5, 3};
    int publishes = 0, kicks = 0, token = 0;
    for (int b : bursts) {
      for (int i = 0; i < b; i++) {
        publish(driver, token++);
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
  }

  @Test
  void withoutEventIdxTheDeviceSuppressesKicksWithUsedFlagNoNotify() {
    RingLayout l = RingLayout.contiguous(16, RING, 64);
    SplitDriverQueue driver = new SplitDriverQueue(mem, l, false, false);
    SplitDeviceQueue device = new SplitDeviceQueue(l, false, false);
    int publishes = 0, kicks = 0;

    publish(driver, publishes++);
    if (driver.kickPrepare(mem)) kicks++;
    assertThat(kicks).isEqualTo(1);

    device.setNotification(mem, false);
    assertThat(mem.readU16(l.usedFlags()) & 1).as("VIRTQ_USED_F_NO_NOTIFY").isEqualTo(1);
    for (int i = 0; i < 5; i++) {
      publish(driver, publishes++);
      if (driver.kickPrepare(mem)) kicks++;
    }
    assertThat(kicks).as("no kicks while the device polls").isEqualTo(1);

    popAll(device);
    device.setNotification(mem, true);
    assertThat(mem.readU16(l.usedFlags()) & 1).isZero();
    publish(driver, publishes++);
    if (driver.kickPrepare(mem)) kicks++;
    assertThat(kicks).isEqualTo(2);
    assertThat(publishes).isEqualTo(7);
  }

  @Test
  void withEventIdxTheDeviceInterruptsPerUsedEventAndNotWhileCallbacksAreDisabled() {
    RingLayout l = RingLayout.contiguous(16, RING, 64);
    SplitDriverQueue driver = new SplitDriverQueue(mem, l, true, false);
    SplitDeviceQueue device = new SplitDeviceQueue(l, true, false);
    for (int t = 0; t < 5; t++) publish(driver, t);
    int[] heads = new int[5];
    for (int i = 0; i < 5; i++) {
      device.pop(mem, popped);
      heads[i] = popped.head;
    }

    device.fill(mem, heads[0], 1);
    device.flush(mem);
    assertThat(device.shouldNotify(mem)).as("first completion always notifies").isTrue();
    assertThat(driver.getBuf(mem)).isEqualTo(0);
    assertThat(mem.readU16(l.usedEvent())).as("driver asks for the next entry").isEqualTo(1);

    device.fill(mem, heads[1], 1);
    device.flush(mem);
    assertThat(device.shouldNotify(mem)).as("used idx passed used_event").isTrue();

    driver.disableCb(mem);
    device.fill(mem, heads[2], 1);
    device.flush(mem);
    assertThat(device.shouldNotify(mem)).as("callbacks disabled: used_event left behind").isFalse();

    assertThat(driver.enableCb(mem)).as("entries 1 and 2 are already waiting").isFalse();
    assertThat(driver.getBuf(mem)).isEqualTo(1);
    assertThat(driver.getBuf(mem)).isEqualTo(2);
    assertThat(driver.enableCb(mem)).isTrue();

    device.fill(mem, heads[3], 1);
    device.flush(mem);
    assertThat(device.shouldNotify(mem)).isTrue();
    device.fill(mem, heads[4], 1);
    device.flush(mem);
    assertThat(device.shouldNotify(mem)).as("driver has not consumed entry 3 yet").isFalse();
  }

  @Test
  void withoutEventIdxTheDeviceHonoursAvailFlagNoInterrupt() {
    RingLayout l = RingLayout.contiguous(16, RING, 64);
    SplitDriverQueue driver = new SplitDriverQueue(mem, l, false, false);
    SplitDeviceQueue device = new SplitDeviceQueue(l, false, false);
    for (int t = 0; t < 3; t++) publish(driver, t);
    int[] heads = new int[3];
    for (int i = 0; i < 3; i++) {
      device.pop(mem, popped);
      heads[i] = popped.head;
    }

    device.fill(mem, heads[0], 1);
    device.flush(mem);
    assertThat(device.shouldNotify(mem)).isTrue();

    driver.disableCb(mem);
    assertThat(mem.readU16(l.availFlags()) & 1).as("VIRTQ_AVAIL_F_NO_INTERRUPT").isEqualTo(1);
    device.fill(mem, heads[1], 1);
    device.flush(mem);
    assertThat(device.shouldNotify(mem)).isFalse();

    assertThat(driver.enableCb(mem)).as("used entries are waiting").isFalse();
    assertThat(mem.readU16(l.availFlags()) & 1).isZero();
    device.fill(mem, heads[2], 1);
    device.flush(mem);
    assertThat(device.shouldNotify(mem)).isTrue();
  }
}
