package org.vqsim.engine.negotiation;

import java.util.ArrayList;
import java.util.List;
import org.vqsim.engine.util.Names;

/** A host configuration a guest may land on (DESIGN.md §7 fleet ids), with the cost profile it replays with. */
public enum Platform {
  X86_INTEL_IOMMU("x86-intel-iommu", "x86-kvm", "x86 KVM host, QEMU intel-iommu (caching mode) in front of virtio devices"),
  X86_VIRTIO_IOMMU("x86-virtio-iommu", "x86-kvm", "x86 KVM host, virtio-iommu in front of virtio devices"),
  X86_VIRTIO_IOMMU_BYPASS("x86-virtio-iommu-bypass", "x86-kvm", "x86 KVM host, virtio-iommu offering VIRTIO_IOMMU_F_BYPASS_CONFIG (identity domains)"),
  PSERIES_TCE("pseries-tce", "power9-kvm", "POWER9 pseries, default 32-bit TCE window"),
  PSERIES_DDW("pseries-ddw", "power9-kvm", "POWER9 pseries with dynamic DMA windows"),
  PSERIES_TCE_BYPASS("pseries-tce-bypass", "power9-kvm", "POWER9 pseries where ibm,set-tce-bypass works for virtio-pci (the thread's proposal)");

  public final String id;
  public final String profile;
  public final String description;

  Platform(String id, String profile, String description) {
    this.id = id;
    this.profile = profile;
    this.description = description;
  }

  public boolean power() { return profile.startsWith("power"); }

  public static List<String> ids() {
    List<String> l = new ArrayList<>();
    for (Platform p : values()) l.add(p.id);
    return l;
  }

  public static Platform of(String id) {
    for (Platform p : values()) if (p.id.equals(id)) return p;
    throw new IllegalArgumentException("unknown platform '" + id + "'" + Names.didYouMean(id, ids()) + "; known: " + String.join(", ", ids()));
  }
}
