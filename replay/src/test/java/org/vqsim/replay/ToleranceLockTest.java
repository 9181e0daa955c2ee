package org.vqsim.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.vqsim.replay.reproduce.Scenario;

/**
 * Tolerances are fixed before a figure's first run and never widened to make it pass: every figure of
 * published/ must carry the judge, tolerance and published value published/tolerances.lock records.
 */
class ToleranceLockTest {
  @Test
  void everyFigureKeepsTheRuleItWasFirstRunWith() throws IOException {
    Path published = ReproduceCommandTest.published();
    Map<String, String> lock = new LinkedHashMap<>();
    for (String l : Files.readAllLines(published.resolve("tolerances.lock"))) {
      if (l.isBlank() || l.startsWith("#")) continue;
      String[] p = l.strip().split("\\s+");
      assertThat(p).as("SCENARIO/FIGURE JUDGE TOLERANCE_PCT PUBLISHED_VALUE: " + l).hasSize(4);
      assertThat(lock.put(p[0], p[1] + " " + Double.parseDouble(p[2]) + " " + Double.parseDouble(p[3]))).as("listed twice: " + p[0]).isNull();
    }
    List<Scenario> scenarios = ReproduceCommand.load(published, List.of());
    int figures = 0;
    for (Scenario s : scenarios) {
      for (Scenario.Figure f : s.figures()) {
        figures++;
        String key = s.id() + "/" + f.id();
        assertThat(lock).as(key + " is not in published/tolerances.lock: add its rule there before its first run").containsKey(key);
        assertThat(f.judge().id + " " + f.tolerancePct() + " " + f.published())
            .as(key + ": its judge, tolerance or published value differs from published/tolerances.lock (a tolerance is never widened to make a figure pass)")
            .isEqualTo(lock.get(key));
      }
    }
    assertThat(lock).as("lines of published/tolerances.lock without a figure").hasSize(figures);
  }
}
