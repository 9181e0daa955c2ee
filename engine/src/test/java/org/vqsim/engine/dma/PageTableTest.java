package org.vqsim.engine.dma;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PageTableTest {
  /** Random puts, removes and lookups over clustered and scattered keys agree with a HashMap at every step. */
  @Test
  void agreesWithAHashMap() {
    PageTable t = new PageTable();
    Map<Long, Long> ref = new HashMap<>();
    SplittableRandom rnd = new SplittableRandom(7);
    long[] bases = {0, 0xFFFFFL - 4096, 1L << 40, (1L << 52) - 600};
    for (int step = 0; step < 200_000; step++) {
      long key = bases[rnd.nextInt(bases.length)] + rnd.nextInt(rnd.nextBoolean() ? 64 : 5000);
      switch (rnd.nextInt(5)) {
        case 0, 1 -> {
          long v = rnd.nextLong(0, Long.MAX_VALUE);
          assertThat(t.put(key, v)).isEqualTo(ref.put(key, v) == null);
        }
        case 2 -> assertThat(t.remove(key)).isEqualTo(ref.remove(key) != null);
        case 3 -> assertThat(t.get(key, -7)).isEqualTo(ref.getOrDefault(key, -7L));
        default -> assertThat(t.contains(key)).isEqualTo(ref.containsKey(key));
      }
      assertThat(t.size()).isEqualTo(ref.size());
      if (step % 50_000 == 49_999) {
        t.clear();
        ref.clear();
        assertThat(t.size()).isZero();
      }
    }
  }

  @Test
  void aLeafEmptiedIsReusedForOtherKeys() {
    PageTable t = new PageTable();
    for (long k = 0; k < 10_000; k++) {
      t.put(k * 1000, k); // a leaf per key, at most two live at once
      if (k > 0) t.remove((k - 1) * 1000);
    }
    assertThat(t.size()).isEqualTo(1);
    assertThat(t.get(9_999_000L, -1)).isEqualTo(9_999L);
    assertThat(t.get(9_998_000L, -1)).isEqualTo(-1L);
  }

  @Test
  void refusesTheValueItUsesForEmpty() {
    assertThatThrownBy(() -> new PageTable().put(1, Long.MIN_VALUE)).isInstanceOf(IllegalArgumentException.class);
  }
}
