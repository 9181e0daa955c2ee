package org.vqsim.engine.device.blk;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** blk_mq_virtio_map_queues over irq_create_affinity_masks' spreading (kernel/irq/affinity.c, one node, no SMT). */
class QueueMapTest {
  @Test
  void oneQueuePerCpuIsOneToOne() {
    QueueMap m = new QueueMap(8, 8);
    for (int c = 0; c < 8; c++) {
      assertThat(m.queueOf(c)).isEqualTo(c);
      assertThat(m.irqCpu(c)).isEqualTo(c);
    }
  }

  @Test
  void fewerQueuesTakeConsecutiveCpusTheFirstOnesOneMore() {
    // the research note's example: N = 4 vectors over M = 6 CPUs -> {0,1}, {2,3}, {4}, {5}
    QueueMap m = new QueueMap(6, 4);
    assertThat(new int[] {m.queueOf(0), m.queueOf(1), m.queueOf(2), m.queueOf(3), m.queueOf(4), m.queueOf(5)}).containsExactly(0, 0, 1, 1, 2, 3);
    assertThat(new int[] {m.irqCpu(0), m.irqCpu(1), m.irqCpu(2), m.irqCpu(3)}).containsExactly(0, 2, 4, 5);
    assertThat(m.cpusOf(0)).isEqualTo(2);
    assertThat(m.cpusOf(3)).isEqualTo(1);
  }

  @Test
  void oneQueueServesEveryCpuAndInterruptsTheFirst() {
    QueueMap m = new QueueMap(16, 1);
    for (int c = 0; c < 16; c++) assertThat(m.queueOf(c)).isZero();
    assertThat(m.irqCpu(0)).isZero();
  }
}
