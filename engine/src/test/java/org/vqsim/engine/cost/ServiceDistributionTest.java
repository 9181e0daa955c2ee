package org.vqsim.engine.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ServiceDistributionTest {
  @Test
  void lognormalGoesThroughItsPercentile() {
    ServiceDistribution d = ServiceDistribution.parse("lognormal 0.999:2.727");
    assertEquals(1.0, d.mean(), 1e-9);
    assertEquals(2.727, d.quantile(0.999), 2.727 * 0.003);
    assertTrue(d.quantile(0.5) < 1, "a log-normal's median is below its mean");
    // sampled: the empirical quantiles of many draws land on the distribution's
    double[] x = new double[200_000];
    for (int i = 0; i < x.length; i++) x[i] = d.draw(7, i);
    Arrays.sort(x);
    double mean = 0;
    for (double v : x) mean += v / x.length;
    assertEquals(1.0, mean, 0.01);
    assertEquals(d.quantile(0.5), x[x.length / 2], 0.01);
    assertEquals(2.727, x[(int) (x.length * 0.999)], 0.08);
    assertTrue(x[(int) (x.length * 0.99)] > 1.5);
  }

  @Test
  void drawsDependOnSeedAndRequestOnly() {
    ServiceDistribution d = ServiceDistribution.parse("empirical 0:0.5 0.5:1 0.99:2 1:4");
    assertEquals(d.draw(3, 41), d.draw(3, 41));
    assertTrue(d.draw(3, 41) != d.draw(4, 41) || d.draw(3, 42) != d.draw(4, 42));
    assertEquals(0.75, d.quantile(0.25), 1e-12);
    assertEquals(3.0, d.quantile(0.995), 1e-9);
    assertEquals(1.0, ServiceDistribution.NONE.draw(1, 1));
  }

  @Test
  void largeAndSmallValuesAreWrittenOutInFull() {
    ServiceDistribution d = ServiceDistribution.empirical(new double[] {0, 0.5, 0.999, 1}, new double[] {0.0000153, 1488.96, 2021874.6, 3709690});
    assertEquals("empirical 0:0.0000153 0.5:1488.96 0.999:2021870 1:3709690", d.spec());
    assertEquals(2021870, d.quantile(0.999), 1e-6);
  }

  @Test
  void badSpecsSayWhatIsWrong() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> ServiceDistribution.parse("empirical 0:1 0.5:0.9 1:2")).getMessage().contains("must not decrease"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> ServiceDistribution.parse("empirical 0.1:1 1:2")).getMessage().contains("start at probability 0"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> ServiceDistribution.parse("gamma 2")).getMessage().contains("expected none"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> ServiceDistribution.parse("lognormal 0.3:2")).getMessage().contains("(0.5, 1)"));
  }

  @Test
  void profileKeepsItThroughItsFileText() throws IOException {
    CostProfile p = CostProfile.builtIn("x86-kvm");
    assertEquals("lognormal 0.999:2.727", p.serviceDistribution().spec());
    CostProfile back = CostProfile.parse(new StringReader(p.toFileText("test")), "test");
    assertEquals(p.serviceDistribution().spec(), back.serviceDistribution().spec());
    assertEquals(p.serviceDistributionSource(), back.serviceDistributionSource());
    String bad = p.toFileText("test").replace("lognormal 0.999:2.727", "empirical 0:1");
    ProfileException e = assertThrows(ProfileException.class, () -> CostProfile.parse(new StringReader(bad), "bad.profile"));
    assertTrue(e.getMessage().startsWith("bad.profile:"), e.getMessage());
    assertTrue(e.getMessage().contains("backend_service_distribution"), e.getMessage());
  }
}
