package org.vqsim.engine.dma;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The strategy registry: ids as the CLI takes them, per platform (DESIGN.md §4 "Platforms and cost profiles"). */
class StrategyIdTest {
  @Test
  void allOnX86IsEveryX86StrategyWithItsBounceVariants() {
    assertThat(StrategyId.forPlatform("x86")).extracting(s -> s.id).containsExactly(
        "direct", "bounce", "viommu-strict", "viommu-lazy", "viommu-passthrough",
        "virtio-iommu", "virtio-iommu-lazy", "virtio-iommu-bypass", "virtio-iommu-identity",
        "viommu-strict+bounce", "viommu-lazy+bounce", "virtio-iommu+bounce", "virtio-iommu-lazy+bounce");
  }

  @Test
  void allOnPowerIsEveryPowerStrategyWithItsBounceVariants() {
    assertThat(StrategyId.forPlatform("power")).extracting(s -> s.id).containsExactly(
        "direct", "bounce", "tce", "tce-ddw", "tce-bypass", "tce+bounce", "tce-ddw+bounce");
  }

  @Test
  void directPlusBounceIsAnAliasOfBounce() {
    assertThat(StrategyId.of("direct+bounce")).isSameAs(StrategyId.BOUNCE);
    assertThat(StrategyId.of("bounce")).isSameAs(StrategyId.BOUNCE);
  }

  @Test
  void everyIdRoundTrips() {
    for (StrategyId s : StrategyId.values()) assertThat(StrategyId.of(s.id)).isSameAs(s);
    assertThat(StrategyId.ids()).doesNotHaveDuplicates().hasSize(StrategyId.values().length);
  }

  @Test
  void unknownIdSuggestsTheClosest() {
    assertThatThrownBy(() -> StrategyId.of("viommu-strickt"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown strategy 'viommu-strickt'")
        .hasMessageContaining("did you mean 'viommu-strict'?")
        .hasMessageContaining("known: direct, bounce");
    assertThatThrownBy(() -> StrategyId.of("tce-dww")).hasMessageContaining("did you mean 'tce-ddw'?");
    assertThatThrownBy(() -> StrategyId.of("xyzzy-quux-frobnicate")).hasMessageNotContaining("did you mean");
  }

  @ParameterizedTest
  @EnumSource(StrategyId.class)
  void eachStrategyBuildsOnItsPlatformsProfileWithItsOwnId(StrategyId s) {
    DmaFixture f = new DmaFixture(s, s.availableOn("x86") ? DmaFixture.X86 : DmaFixture.POWER9);
    assertThat(f.dma.id()).isEqualTo(s.id);
    assertThat(f.dma.liveMappings()).isZero();
  }

  @Test
  void bounceVariantsAreExactlyThePlusBounceIds() {
    for (StrategyId s : StrategyId.values()) {
      assertThat(s.id.endsWith("+bounce")).as(s.id).isEqualTo(s.name().endsWith("_BOUNCE"));
    }
  }
}
