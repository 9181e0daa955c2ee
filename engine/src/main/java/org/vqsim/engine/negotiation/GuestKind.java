package org.vqsim.engine.negotiation;

import java.util.ArrayList;
import java.util.List;
import org.vqsim.engine.util.Names;

/** What a guest's virtio drivers know (DESIGN.md §7 fleet ids). */
public enum GuestKind {
  LEGACY("legacy", false, false, false, false, "does not know VIRTIO_F_ACCESS_PLATFORM (pre-4.x virtio drivers)"),
  MODERN("modern", true, false, false, false, "accepts ACCESS_PLATFORM and uses the DMA API; no virtio-iommu driver"),
  MODERN_VIRTIO_IOMMU("modern-virtio-iommu", true, true, false, false, "modern, with the virtio-iommu driver"),
  SECURE("secure", true, true, true, true, "encrypted guest (SEV, TDX, POWER secure VM), Linux ≥ 6.0: refuses devices without ACCESS_PLATFORM"),
  SECURE_OLD("secure-old", true, true, true, false, "encrypted guest on an older kernel: uses a device without ACCESS_PLATFORM and cannot work");

  public final String id;
  public final boolean knowsAccessPlatform;
  public final boolean hasVirtioIommuDriver;
  public final boolean encrypted;
  /** Linux ≥ 6.0: {@code virtio_features_ok} fails a device without ACCESS_PLATFORM when memory access is restricted. */
  public final boolean requiresAccessPlatform;
  public final String description;

  GuestKind(String id, boolean knowsAccessPlatform, boolean hasVirtioIommuDriver, boolean encrypted, boolean requiresAccessPlatform, String description) {
    this.id = id;
    this.knowsAccessPlatform = knowsAccessPlatform;
    this.hasVirtioIommuDriver = hasVirtioIommuDriver;
    this.encrypted = encrypted;
    this.requiresAccessPlatform = requiresAccessPlatform;
    this.description = description;
  }

  public static List<String> ids() {
    List<String> l = new ArrayList<>();
    for (GuestKind g : values()) l.add(g.id);
    return l;
  }

  public static GuestKind of(String id) {
    for (GuestKind g : values()) if (g.id.equals(id)) return g;
    throw new IllegalArgumentException("unknown guest kind '" + id + "'" + Names.didYouMean(id, ids()) + "; known: " + String.join(", ", ids()));
  }
}
