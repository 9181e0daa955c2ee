package org.vqsim.engine.negotiation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vqsim.engine.dma.StrategyId;
import org.vqsim.engine.negotiation.Negotiation.Outcome;
import org.vqsim.engine.negotiation.Negotiation.Status;

/**
 * Device features × guest driver × platform → outcome (DESIGN.md §1, §4). The rules:
 * QEMU {@code virtio_validate_features} refuses FEATURES_OK when {@code iommu_platform=on} and the
 * driver did not accept ACCESS_PLATFORM (FAILED); Linux ≥ 6.0 {@code virtio_features_ok} refuses a
 * device without ACCESS_PLATFORM in a guest with restricted memory access (FAILED); an older
 * encrypted guest uses it and hands out private memory (BROKEN).
 */
class NegotiationTest {
  /** expected: FAILED, BROKEN, or the strategy id the guest runs on. */
  @ParameterizedTest(name = "{0} AP={1} {2} -> {3}")
  @CsvSource({
    // platform,              AP,    guest,               expected
    "x86-intel-iommu,         false, legacy,              direct",
    "x86-intel-iommu,         false, modern,              direct",
    "x86-intel-iommu,         false, modern-virtio-iommu, direct",
    "x86-intel-iommu,         false, secure,              FAILED",
    "x86-intel-iommu,         false, secure-old,          BROKEN",
    "x86-intel-iommu,         true,  legacy,              FAILED",
    "x86-intel-iommu,         true,  modern,              viommu-strict",
    "x86-intel-iommu,         true,  modern-virtio-iommu, viommu-strict",
    "x86-intel-iommu,         true,  secure,              viommu-strict+bounce",
    "x86-intel-iommu,         true,  secure-old,          viommu-strict+bounce",
    "x86-virtio-iommu,        false, legacy,              direct",
    "x86-virtio-iommu,        false, modern,              direct",
    "x86-virtio-iommu,        false, modern-virtio-iommu, direct",
    "x86-virtio-iommu,        false, secure,              FAILED",
    "x86-virtio-iommu,        false, secure-old,          BROKEN",
    "x86-virtio-iommu,        true,  legacy,              FAILED",
    "x86-virtio-iommu,        true,  modern,              virtio-iommu-bypass",
    "x86-virtio-iommu,        true,  modern-virtio-iommu, virtio-iommu",
    "x86-virtio-iommu,        true,  secure,              virtio-iommu+bounce",
    "x86-virtio-iommu,        true,  secure-old,          virtio-iommu+bounce",
    "x86-virtio-iommu-bypass, false, legacy,              direct",
    "x86-virtio-iommu-bypass, false, modern,              direct",
    "x86-virtio-iommu-bypass, false, modern-virtio-iommu, direct",
    "x86-virtio-iommu-bypass, false, secure,              FAILED",
    "x86-virtio-iommu-bypass, false, secure-old,          BROKEN",
    "x86-virtio-iommu-bypass, true,  legacy,              FAILED",
    "x86-virtio-iommu-bypass, true,  modern,              virtio-iommu-bypass",
    "x86-virtio-iommu-bypass, true,  modern-virtio-iommu, virtio-iommu-bypass",
    "x86-virtio-iommu-bypass, true,  secure,              bounce",
    "x86-virtio-iommu-bypass, true,  secure-old,          bounce",
    "pseries-tce,             false, legacy,              direct",
    "pseries-tce,             false, modern,              direct",
    "pseries-tce,             false, modern-virtio-iommu, direct",
    "pseries-tce,             false, secure,              FAILED",
    "pseries-tce,             false, secure-old,          BROKEN",
    "pseries-tce,             true,  legacy,              FAILED",
    "pseries-tce,             true,  modern,              tce",
    "pseries-tce,             true,  modern-virtio-iommu, tce",
    "pseries-tce,             true,  secure,              tce+bounce",
    "pseries-tce,             true,  secure-old,          tce+bounce",
    "pseries-ddw,             false, legacy,              direct",
    "pseries-ddw,             false, modern,              direct",
    "pseries-ddw,             false, modern-virtio-iommu, direct",
    "pseries-ddw,             false, secure,              FAILED",
    "pseries-ddw,             false, secure-old,          BROKEN",
    "pseries-ddw,             true,  legacy,              FAILED",
    "pseries-ddw,             true,  modern,              tce-ddw",
    "pseries-ddw,             true,  modern-virtio-iommu, tce-ddw",
    "pseries-ddw,             true,  secure,              tce-ddw+bounce",
    "pseries-ddw,             true,  secure-old,          tce-ddw+bounce",
    "pseries-tce-bypass,      false, legacy,              direct",
    "pseries-tce-bypass,      false, modern,              direct",
    "pseries-tce-bypass,      false, modern-virtio-iommu, direct",
    "pseries-tce-bypass,      false, secure,              FAILED",
    "pseries-tce-bypass,      false, secure-old,          BROKEN",
    "pseries-tce-bypass,      true,  legacy,              FAILED",
    "pseries-tce-bypass,      true,  modern,              tce-bypass",
    "pseries-tce-bypass,      true,  modern-virtio-iommu, tce-bypass",
    "pseries-tce-bypass,      true,  secure,              bounce",
    "pseries-tce-bypass,      true,  secure-old,          bounce",
  })
  void everyGuestOnEveryPlatformHasItsOutcome(String platform, boolean accessPlatform, String guest, String expected) {
    Platform p = Platform.of(platform);
    Outcome o = Negotiation.negotiate(p, accessPlatform, GuestKind.of(guest));
    assertThat(o.reason()).isNotBlank();
    switch (expected) {
      case "FAILED", "BROKEN" -> {
        assertThat(o.status()).isEqualTo(Status.valueOf(expected));
        assertThat(o.strategy()).isNull();
      }
      default -> {
        assertThat(o.status()).isEqualTo(Status.OK);
        assertThat(o.strategy()).isSameAs(StrategyId.of(expected));
        assertThat(o.strategy().availableOn(p.power() ? "power" : "x86"))
            .as("the outcome can be replayed on the platform's profile %s", p.profile).isTrue();
      }
    }
  }

  @Test
  void theTableCoversEveryCombination() {
    assertThat(Platform.values().length * 2 * GuestKind.values().length).isEqualTo(60);
  }

  @Test
  void legacyGuestFailsWhenTheHostRequiresAccessPlatform() {
    Outcome o = Negotiation.negotiate(Platform.X86_INTEL_IOMMU, true, GuestKind.LEGACY);
    assertThat(o.status()).isEqualTo(Status.FAILED);
    assertThat(o.reason()).contains("FEATURES_OK");
  }

  @Test
  void secureGuestRefusesADeviceWithoutAccessPlatform() {
    Outcome o = Negotiation.negotiate(Platform.PSERIES_TCE, false, GuestKind.SECURE);
    assertThat(o.status()).isEqualTo(Status.FAILED);
    assertThat(o.reason()).contains("virtio_features_ok");
  }

  @Test
  void olderSecureGuestWithoutAccessPlatformIsBroken() {
    assertThat(Negotiation.negotiate(Platform.X86_VIRTIO_IOMMU, false, GuestKind.SECURE_OLD).status()).isEqualTo(Status.BROKEN);
  }

  @Test
  void secureGuestOnDdwBouncesWithoutHcalls() {
    assertThat(Negotiation.negotiate(Platform.PSERIES_DDW, true, GuestKind.SECURE).strategy()).isSameAs(StrategyId.TCE_DDW_BOUNCE);
  }

  @Test
  void platformsAndGuestKindsAreLookedUpByIdWithSuggestions() {
    assertThat(Platform.of("pseries-ddw")).isSameAs(Platform.PSERIES_DDW);
    assertThat(Platform.PSERIES_DDW.power()).isTrue();
    assertThat(Platform.X86_INTEL_IOMMU.power()).isFalse();
    assertThatThrownBy(() -> Platform.of("pseries-dw")).hasMessageContaining("did you mean 'pseries-ddw'?");
    assertThatThrownBy(() -> GuestKind.of("secure-olde")).hasMessageContaining("did you mean 'secure-old'?");
  }
}
