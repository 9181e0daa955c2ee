package org.vqsim.engine.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Cost profiles: every figure present once, a number, with its source. Validation tests start from
 * the shipped x86-kvm profile and change one line.
 */
class CostProfileTest {
  private static final String ORIGIN = "test.profile";

  private static List<String> x86Lines() throws IOException {
    try (InputStream in = CostProfile.class.getResourceAsStream("x86-kvm.profile")) {
      assertThat(in).isNotNull();
      return new ArrayList<>(List.of(new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n", -1)));
    }
  }

  private static int lineOf(List<String> lines, String key) {
    for (int i = 0; i < lines.size(); i++) if (lines.get(i).startsWith(key + " ")) return i;
    throw new AssertionError(key + " not in profile");
  }

  private static CostProfile parse(List<String> lines) throws IOException {
    return CostProfile.parse(new StringReader(String.join("\n", lines)), ORIGIN);
  }

  @ParameterizedTest
  @ValueSource(strings = {"x86-kvm", "power9-kvm"})
  void builtInProfilesLoadWithEveryFigureAndASource(String name) {
    CostProfile p = CostProfile.builtIn(name);

    assertThat(p.name()).isEqualTo(name);
    assertThat(p.platform()).isIn("x86", "power");
    assertThat(p.overrides()).isEmpty();
    assertThat(p.get(CostFigure.CPU_GHZ)).isPositive();
    assertThat(p.get(CostFigure.BACKEND_MIB_PER_S)).isPositive();
    for (CostFigure f : CostFigure.values()) {
      assertThat(p.source(f)).as("source of %s", f.key).isNotBlank();
      if (!p.isGiven(f) && f.fallback() == null) {
        // an optional figure without a fallback (virtio_iommu_notify_cycles): left out, and reading it is refused
        assertThat(f.optional()).as(f.key).isTrue();
        assertThatThrownBy(() -> p.get(f)).isInstanceOf(IllegalStateException.class).hasMessageContaining(f.key);
        continue;
      }
      assertThat(p.get(f)).as(f.key).isFinite().isGreaterThanOrEqualTo(0);
    }
    assertThat(CostProfile.load(name).describe()).isEqualTo(p.describe());
  }

  @Test
  void theVirtioIommuNotificationFigureIsOptionalWithoutAFallback() throws IOException {
    assertThat(CostFigure.VIRTIO_IOMMU_NOTIFY_CYCLES.optional()).isTrue();
    assertThat(CostFigure.VIRTIO_IOMMU_NOTIFY_CYCLES.fallback()).isNull();
    assertThat(CostFigure.KICK_EXIT_CYCLES.optional()).isFalse();
    // the KVM profiles leave it out (their requests are charged with the ring and notification figures) ...
    assertThat(CostProfile.builtIn("x86-kvm").isGiven(CostFigure.VIRTIO_IOMMU_NOTIFY_CYCLES)).isFalse();
    assertThat(CostProfile.builtIn("power9-kvm").isGiven(CostFigure.VIRTIO_IOMMU_NOTIFY_CYCLES)).isFalse();
    assertThat(CostProfile.builtIn("x86-kvm").source(CostFigure.VIRTIO_IOMMU_NOTIFY_CYCLES)).isEqualTo("not given by the profile");
    // ... the TCG profile gives it, measured, and it loads back from its own text
    CostProfile tcg = CostProfile.builtIn("qemu-tcg-x86");
    assertThat(tcg.isGiven(CostFigure.VIRTIO_IOMMU_NOTIFY_CYCLES)).isTrue();
    assertThat(tcg.cycles(CostFigure.VIRTIO_IOMMU_NOTIFY_CYCLES)).isPositive();
    assertThat(tcg.source(CostFigure.VIRTIO_IOMMU_NOTIFY_CYCLES)).startsWith("measured from");
    CostProfile back = CostProfile.parse(new StringReader(tcg.toFileText("test")), ORIGIN);
    assertThat(back.describe()).isEqualTo(tcg.describe());
    // given in a file, it still needs a source, like every figure
    List<String> lines = x86Lines();
    lines.add("virtio_iommu_notify_cycles = 6000");
    assertThatThrownBy(() -> parse(lines)).isInstanceOf(ProfileException.class).hasMessageContaining("virtio_iommu_notify_cycles has no '# source: …' comment");
    lines.set(lines.size() - 1, "virtio_iommu_notify_cycles = 6000   # source: a test");
    assertThat(parse(lines).cycles(CostFigure.VIRTIO_IOMMU_NOTIFY_CYCLES)).isEqualTo(6000);
  }

  @Test
  void theVirtioIommuTranslationFigureIsOptionalWithoutAFallback() throws IOException {
    assertThat(CostFigure.VIRTIO_IOMMU_TRANSLATE_CYCLES.optional()).isTrue();
    assertThat(CostFigure.VIRTIO_IOMMU_TRANSLATE_CYCLES.fallback()).as("not a fallback: without it the model reads iotlb_hit_cycles itself").isNull();
    for (String kvm : List.of("x86-kvm", "power9-kvm")) {
      CostProfile p = CostProfile.builtIn(kvm);
      assertThat(p.isGiven(CostFigure.VIRTIO_IOMMU_TRANSLATE_CYCLES)).as(kvm).isFalse();
      assertThat(p.source(CostFigure.VIRTIO_IOMMU_TRANSLATE_CYCLES)).isEqualTo("not given by the profile");
    }
    CostProfile tcg = CostProfile.builtIn("qemu-tcg-x86");
    assertThat(tcg.isGiven(CostFigure.VIRTIO_IOMMU_TRANSLATE_CYCLES)).isTrue();
    assertThat(tcg.cycles(CostFigure.VIRTIO_IOMMU_TRANSLATE_CYCLES)).isPositive().isLessThan(tcg.cycles(CostFigure.IOTLB_HIT_CYCLES));
    assertThat(tcg.source(CostFigure.VIRTIO_IOMMU_TRANSLATE_CYCLES)).startsWith("measured from").contains("virtio_iommu_translate → virtio_iommu_translate_out");
    List<String> lines = x86Lines();
    lines.add("virtio_iommu_translate_cycles = 6500");
    assertThatThrownBy(() -> parse(lines)).isInstanceOf(ProfileException.class).hasMessageContaining("virtio_iommu_translate_cycles has no '# source: …' comment");
    lines.set(lines.size() - 1, "virtio_iommu_translate_cycles = 6500   # source: a test");
    assertThat(parse(lines).cycles(CostFigure.VIRTIO_IOMMU_TRANSLATE_CYCLES)).isEqualTo(6500);
  }

  @Test
  void builtInPlatformsAreX86AndPower() {
    assertThat(CostProfile.builtIn("x86-kvm").platform()).isEqualTo("x86");
    assertThat(CostProfile.builtIn("power9-kvm").platform()).isEqualTo("power");
    assertThat(CostProfile.builtIn("x86-kvm").cycles(CostFigure.KICK_EXIT_CYCLES)).isEqualTo(2500);
  }

  @Test
  void theUnchangedShippedTextParses() throws IOException {
    assertThat(parse(x86Lines()).describe()).isEqualTo(CostProfile.builtIn("x86-kvm").describe());
  }

  @Test
  void aMissingFigureIsNamed() throws IOException {
    List<String> lines = x86Lines();
    lines.remove(lineOf(lines, "kick_exit_cycles"));

    assertThatThrownBy(() -> parse(lines))
        .isInstanceOf(ProfileException.class)
        .hasMessageStartingWith(ORIGIN + ": missing cost figure")
        .hasMessageContaining("kick_exit_cycles");
  }

  @Test
  void aMalformedNumberIsReportedWithOriginAndLine() throws IOException {
    List<String> lines = x86Lines();
    int i = lineOf(lines, "kick_exit_cycles");
    lines.set(i, lines.get(i).replace("= 2500", "= 2,500"));

    assertThatThrownBy(() -> parse(lines))
        .isInstanceOf(ProfileException.class)
        .hasMessageStartingWith(ORIGIN + ":" + (i + 1) + ": ")
        .hasMessageContaining("kick_exit_cycles must be a number (cycles)")
        .hasMessageContaining("'2,500'");
  }

  @ParameterizedTest
  @ValueSource(strings = {"-1", "NaN", "Infinity"})
  void aNegativeOrNonFiniteFigureIsRejected(String value) throws IOException {
    List<String> lines = x86Lines();
    int i = lineOf(lines, "ring_desc_cycles");
    lines.set(i, "ring_desc_cycles = " + value + "   # source: test");

    assertThatThrownBy(() -> parse(lines))
        .isInstanceOf(ProfileException.class)
        .hasMessageStartingWith(ORIGIN + ":" + (i + 1) + ": ")
        .hasMessageContaining("finite number ≥ 0");
  }

  @Test
  void aFigureWithoutSourceIsRejected() throws IOException {
    List<String> lines = x86Lines();
    int i = lineOf(lines, "guest_used_cycles");
    lines.set(i, "guest_used_cycles = 200   # assumption, no source tag");

    assertThatThrownBy(() -> parse(lines))
        .isInstanceOf(ProfileException.class)
        .hasMessageStartingWith(ORIGIN + ":" + (i + 1) + ": ")
        .hasMessageContaining("guest_used_cycles has no '# source: …' comment");

    lines.set(i, "guest_used_cycles = 200");
    assertThatThrownBy(() -> parse(lines)).hasMessageContaining("has no '# source: …' comment");
    lines.set(i, "guest_used_cycles = 200  # source:");
    assertThatThrownBy(() -> parse(lines)).as("an empty source").hasMessageContaining("has no '# source: …' comment");
  }

  @Test
  void anUnknownKeySuggestsTheClosestFigure() throws IOException {
    List<String> lines = x86Lines();
    lines.add(5, "kick_exit_cylces = 2500   # source: typo");

    assertThatThrownBy(() -> parse(lines))
        .isInstanceOf(ProfileException.class)
        .hasMessage(ORIGIN + ":6: unknown cost figure 'kick_exit_cylces' (did you mean 'kick_exit_cycles'?)");
  }

  @Test
  void aDuplicateKeyNamesBothLines() throws IOException {
    List<String> lines = x86Lines();
    int first = lineOf(lines, "device_pop_cycles");
    lines.add("device_pop_cycles = 900   # source: again");

    assertThatThrownBy(() -> parse(lines))
        .isInstanceOf(ProfileException.class)
        .hasMessageStartingWith(ORIGIN + ":" + lines.size() + ": ")
        .hasMessageContaining("device_pop_cycles given twice (first on line " + (first + 1) + ")");
  }

  @Test
  void aLineWithoutEqualsIsRejectedWithItsLine() throws IOException {
    List<String> lines = x86Lines();
    lines.add(3, "this is not a figure");

    assertThatThrownBy(() -> parse(lines)).isInstanceOf(ProfileException.class).hasMessageStartingWith(ORIGIN + ":4: expected");
  }

  @Test
  void anUnknownPlatformIsRejected() throws IOException {
    List<String> lines = x86Lines();
    int i = lineOf(lines, "platform");
    lines.set(i, "platform = arm");

    assertThatThrownBy(() -> parse(lines)).isInstanceOf(ProfileException.class).hasMessageContaining("'platform' must be x86 or power, not 'arm'");
  }

  @Test
  void withOverrideReplacesOneFigureAndSaysSo() {
    CostProfile base = CostProfile.builtIn("x86-kvm");

    CostProfile p = base.withOverride("kick_exit_cycles", 1234).withOverride("iotlb_entries", 64);

    assertThat(p.cycles(CostFigure.KICK_EXIT_CYCLES)).isEqualTo(1234);
    assertThat(p.get(CostFigure.IOTLB_ENTRIES)).isEqualTo(64);
    assertThat(p.source(CostFigure.KICK_EXIT_CYCLES)).contains("override --cost kick_exit_cycles=1234").contains("profile value 2500");
    assertThat(p.overrides()).containsExactly(java.util.Map.entry("kick_exit_cycles", 1234.0), java.util.Map.entry("iotlb_entries", 64.0));
    assertThat(base.cycles(CostFigure.KICK_EXIT_CYCLES)).as("the original is unchanged").isEqualTo(2500);
    assertThat(base.overrides()).isEmpty();
    assertThat(p.get(CostFigure.RING_DESC_CYCLES)).isEqualTo(base.get(CostFigure.RING_DESC_CYCLES));
  }

  @Test
  void withOverrideRejectsUnknownKeysWithASuggestionAndBadValues() {
    CostProfile base = CostProfile.builtIn("x86-kvm");

    assertThatThrownBy(() -> base.withOverride("kick_cycles", 1))
        .isInstanceOf(ProfileException.class)
        .hasMessageContaining("unknown cost figure 'kick_cycles'");
    assertThatThrownBy(() -> base.withOverride("ring_desc_cycle", 1))
        .isInstanceOf(ProfileException.class)
        .hasMessageContaining("did you mean 'ring_desc_cycles'?");
    assertThatThrownBy(() -> base.withOverride("ring_desc_cycles", -5)).isInstanceOf(ProfileException.class);
    assertThatThrownBy(() -> base.withOverride("ring_desc_cycles", Double.NaN)).isInstanceOf(ProfileException.class);
  }

  @Test
  void anUnknownProfileNameSuggestsABuiltIn() {
    assertThatThrownBy(() -> CostProfile.load("x86-kv"))
        .isInstanceOf(ProfileException.class)
        .hasMessageContaining("did you mean 'x86-kvm'?");
  }

  @Test
  void withoutAWriteBandwidthWritesUseTheReadOneAndTheTextIsUnchanged() throws IOException {
    CostProfile p = CostProfile.builtIn("x86-kvm");

    assertThat(p.isGiven(CostFigure.BACKEND_WRITE_MIB_PER_S)).isFalse();
    assertThat(p.get(CostFigure.BACKEND_WRITE_MIB_PER_S)).isEqualTo(p.get(CostFigure.BACKEND_MIB_PER_S));
    assertThat(p.source(CostFigure.BACKEND_WRITE_MIB_PER_S)).startsWith("same as backend_mib_per_s");
    assertThat(p.toFileText("t")).doesNotContain("backend_write_mib_per_s");
    assertThat(p.describe()).doesNotContain("backend_write_mib_per_s").doesNotContain(CostProfile.JITTER_KEY);
    // an override of the read bandwidth moves the writes with it
    assertThat(p.withOverride("backend_mib_per_s", 100).get(CostFigure.BACKEND_WRITE_MIB_PER_S)).isEqualTo(100);
    // its own override separates them
    CostProfile w = p.withOverride("backend_write_mib_per_s", 2000);
    assertThat(w.get(CostFigure.BACKEND_WRITE_MIB_PER_S)).isEqualTo(2000);
    assertThat(w.get(CostFigure.BACKEND_MIB_PER_S)).isEqualTo(p.get(CostFigure.BACKEND_MIB_PER_S));
    assertThat(w.source(CostFigure.BACKEND_WRITE_MIB_PER_S)).contains("override --cost backend_write_mib_per_s=2000");
  }

  @Test
  void aWriteBandwidthAndAGuestJitterParseAndPrintBack() throws IOException {
    List<String> lines = x86Lines();
    lines.add("backend_write_mib_per_s = 1500   # source: test value");
    lines.add(CostProfile.JITTER_KEY + " = empirical 0:0 0.5:0 0.99:20000 1:50000   # source: test jitter");
    CostProfile p = parse(lines);

    assertThat(p.get(CostFigure.BACKEND_WRITE_MIB_PER_S)).isEqualTo(1500);
    assertThat(p.source(CostFigure.BACKEND_WRITE_MIB_PER_S)).isEqualTo("test value");
    assertThat(p.hasGuestJitter()).isTrue();
    assertThat(p.guestJitter().quantile(0.99)).isEqualTo(20000);
    assertThat(p.guestJitterSource()).isEqualTo("test jitter");
    CostProfile back = CostProfile.parse(new StringReader(p.toFileText("t")), "back");
    assertThat(back.describe()).isEqualTo(p.describe()).contains("backend_write_mib_per_s=1500").contains(CostProfile.JITTER_KEY + "=empirical");
  }

  @Test
  void aBadGuestJitterIsRejectedWithItsLine() throws IOException {
    List<String> lines = x86Lines();
    lines.add(CostProfile.JITTER_KEY + " = lognormal 0.99:2   # source: x");
    assertThatThrownBy(() -> parse(lines)).isInstanceOf(ProfileException.class).hasMessageContaining(ORIGIN + ":" + lines.size() + ": " + CostProfile.JITTER_KEY);
    lines.set(lines.size() - 1, CostProfile.JITTER_KEY + " = empirical 0:0 1:10");
    assertThatThrownBy(() -> parse(lines)).isInstanceOf(ProfileException.class).hasMessageContaining("no '# source: …' comment");
    lines.set(lines.size() - 1, "backend_write_mib_per_s = 0   # source: x");
    assertThatThrownBy(() -> parse(lines)).isInstanceOf(ProfileException.class).hasMessageContaining("backend_write_mib_per_s must be > 0");
  }

  @Test
  void aGuestJitterExposureParsesPrintsBackAndIsChecked() throws IOException {
    List<String> lines = x86Lines();
    lines.add(CostProfile.JITTER_KEY + " = empirical 0:0 0.5:0 1:50000   # source: test jitter");
    lines.add(CostProfile.JITTER_EXPOSURE_KEY + " = 200000   # source: test exposure");
    CostProfile p = parse(lines);
    assertThat(p.guestJitterExposureNs()).isEqualTo(200000);
    assertThat(p.guestJitterExposureSource()).isEqualTo("test exposure");
    CostProfile back = CostProfile.parse(new StringReader(p.toFileText("t")), "back");
    assertThat(back.guestJitterExposureNs()).isEqualTo(200000);
    assertThat(back.describe()).isEqualTo(p.describe()).contains(CostProfile.JITTER_EXPOSURE_KEY + "=200000");
    // without it nothing is printed and nothing scales
    assertThat(CostProfile.builtIn("x86-kvm").guestJitterExposureNs()).isZero();
    assertThat(CostProfile.builtIn("x86-kvm").toFileText("t")).doesNotContain(CostProfile.JITTER_EXPOSURE_KEY);
    int at = lines.size();
    lines.set(at - 1, CostProfile.JITTER_EXPOSURE_KEY + " = 0   # source: x");
    assertThatThrownBy(() -> parse(lines)).isInstanceOf(ProfileException.class).hasMessageContaining(ORIGIN + ":" + at + ": " + CostProfile.JITTER_EXPOSURE_KEY + " must be a finite number > 0");
    lines.set(at - 1, CostProfile.JITTER_EXPOSURE_KEY + " = soon   # source: x");
    assertThatThrownBy(() -> parse(lines)).isInstanceOf(ProfileException.class).hasMessageContaining("must be a number (ns)");
    lines.set(at - 1, CostProfile.JITTER_EXPOSURE_KEY + " = 1000");
    assertThatThrownBy(() -> parse(lines)).isInstanceOf(ProfileException.class).hasMessageContaining("no '# source: …' comment");
    lines.set(at - 1, CostProfile.JITTER_EXPOSURE_KEY + " = 1000   # source: x");
    lines.add(CostProfile.JITTER_EXPOSURE_KEY + " = 2000   # source: y");
    assertThatThrownBy(() -> parse(lines)).isInstanceOf(ProfileException.class).hasMessageContaining("given twice");
  }
}
