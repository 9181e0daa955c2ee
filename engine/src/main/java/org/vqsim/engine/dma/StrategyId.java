package org.vqsim.engine.dma;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.vqsim.engine.util.Names;

/**
 * The DMA strategies vqsim can replay, registered once with their CLI id, platform and
 * constructor. Adding a strategy is one constant here and one final class in this package.
 */
public enum StrategyId {
  DIRECT("direct", "x86,power", false, false, "no ACCESS_PLATFORM: raw guest-physical addresses, no DMA API",
      ctx -> new DirectStrategy()),
  BOUNCE("bounce", "x86,power", false, false, "encrypted guest, no IOMMU: dma-direct bounces every buffer through swiotlb",
      BounceStrategy::new),
  VIOMMU_STRICT("viommu-strict", "x86", true, false, "emulated Intel VT-d (caching mode), strict invalidation",
      ctx -> new IntelViommuStrategy("viommu-strict", IntelViommuStrategy.Mode.STRICT, false, ctx)),
  VIOMMU_LAZY("viommu-lazy", "x86", true, false, "emulated VT-d, lazy flush queue (Linux 6.1 falls back to strict under caching mode)",
      ctx -> new IntelViommuStrategy("viommu-lazy", IntelViommuStrategy.Mode.LAZY, false, ctx)),
  VIOMMU_PASSTHROUGH("viommu-passthrough", "x86", false, false, "emulated VT-d with the guest in iommu=pt (identity domain)",
      ctx -> new IntelViommuStrategy("viommu-passthrough", IntelViommuStrategy.Mode.PASSTHROUGH, false, ctx)),
  VIRTIO_IOMMU("virtio-iommu", "x86", true, false, "virtio-iommu, strict: a MAP request per aligned chunk of a mapping, an UNMAP per MAP chunk",
      ctx -> new VirtioIommuStrategy("virtio-iommu", VirtioIommuStrategy.Mode.STRICT, false, ctx)),
  VIRTIO_IOMMU_LAZY("virtio-iommu-lazy", "x86", true, false, "virtio-iommu with a flush queue (guest Linux ≥ 6.8; 6.1 falls back to strict)",
      ctx -> new VirtioIommuStrategy("virtio-iommu-lazy", VirtioIommuStrategy.Mode.LAZY, false, ctx)),
  VIRTIO_IOMMU_BYPASS("virtio-iommu-bypass", "x86", false, false, "virtio-iommu identity domain attached with ATTACH_F_BYPASS",
      ctx -> new VirtioIommuStrategy("virtio-iommu-bypass", VirtioIommuStrategy.Mode.BYPASS, false, ctx)),
  VIRTIO_IOMMU_IDENTITY("virtio-iommu-identity", "x86", false, true,
      "virtio-iommu identity domain of 1:1 mappings made at attach (no BYPASS_CONFIG): no per-I/O requests, QEMU still translates",
      ctx -> new VirtioIommuStrategy("virtio-iommu-identity", VirtioIommuStrategy.Mode.IDENTITY, false, ctx)),
  TCE("tce", "power", true, false, "pseries TCE: H_PUT_TCE / H_PUT_TCE_INDIRECT per map, H_STUFF_TCE per unmap",
      ctx -> new TceStrategy("tce", TceStrategy.Mode.TCE, false, ctx)),
  TCE_DDW("tce-ddw", "power", true, false, "pseries dynamic DMA window mapping all RAM at boot: no per-I/O hcalls",
      ctx -> new TceStrategy("tce-ddw", TceStrategy.Mode.DDW, false, ctx)),
  TCE_BYPASS("tce-bypass", "power", false, true, "RTAS ibm,set-tce-bypass for virtio-pci (the thread's proposal): untranslated DMA",
      ctx -> new TceStrategy("tce-bypass", TceStrategy.Mode.BYPASS, false, ctx)),
  VIOMMU_STRICT_BOUNCE("viommu-strict+bounce", "x86", false, true, "encrypted guest behind the emulated VT-d, strict",
      ctx -> new IntelViommuStrategy("viommu-strict+bounce", IntelViommuStrategy.Mode.STRICT, true, ctx)),
  VIOMMU_LAZY_BOUNCE("viommu-lazy+bounce", "x86", false, true, "encrypted guest behind the emulated VT-d, lazy",
      ctx -> new IntelViommuStrategy("viommu-lazy+bounce", IntelViommuStrategy.Mode.LAZY, true, ctx)),
  VIRTIO_IOMMU_BOUNCE("virtio-iommu+bounce", "x86", false, true, "encrypted guest behind virtio-iommu, strict",
      ctx -> new VirtioIommuStrategy("virtio-iommu+bounce", VirtioIommuStrategy.Mode.STRICT, true, ctx)),
  VIRTIO_IOMMU_LAZY_BOUNCE("virtio-iommu-lazy+bounce", "x86", false, true, "encrypted guest behind virtio-iommu, lazy",
      ctx -> new VirtioIommuStrategy("virtio-iommu-lazy+bounce", VirtioIommuStrategy.Mode.LAZY, true, ctx)),
  TCE_BOUNCE("tce+bounce", "power", false, true, "secure VM behind the default TCE window",
      ctx -> new TceStrategy("tce+bounce", TceStrategy.Mode.TCE, true, ctx)),
  TCE_DDW_BOUNCE("tce-ddw+bounce", "power", false, false, "secure VM with a dynamic DMA window: bounces, no hcalls",
      ctx -> new TceStrategy("tce-ddw+bounce", TceStrategy.Mode.DDW, true, ctx));

  public final String id;
  public final String description;
  /** Platforms ({@code x86}, {@code power}) whose profiles offer this strategy. */
  public final String platforms;
  /** Whether the IOMMU translates per-I/O mappings (so {@code +bounce} composes with it). */
  public final boolean translating;
  /** True when no lab trace can check it: the model's prediction. */
  public final boolean prediction;
  private final Function<DmaContext, DmaStrategy> factory;

  StrategyId(String id, String platforms, boolean translating, boolean prediction, String description, Function<DmaContext, DmaStrategy> factory) {
    this.id = id;
    this.description = description;
    this.platforms = platforms;
    this.translating = translating;
    this.prediction = prediction;
    this.factory = factory;
  }

  public DmaStrategy create(DmaContext ctx) { return factory.apply(ctx); }

  public boolean availableOn(String platform) { return List.of(platforms.split(",")).contains(platform); }

  public static List<String> ids() {
    List<String> l = new ArrayList<>();
    for (StrategyId s : values()) l.add(s.id);
    return l;
  }

  /** Every strategy of a platform, the +bounce variants included: what {@code --strategy all} runs. */
  public static List<StrategyId> forPlatform(String platform) {
    List<StrategyId> l = new ArrayList<>();
    for (StrategyId s : values()) if (s.availableOn(platform)) l.add(s);
    return l;
  }

  /** The strategy with this id ({@code direct+bounce} is {@code bounce}); an {@link IllegalArgumentException} naming the closest id otherwise. */
  public static StrategyId of(String id) {
    String key = id.equals("direct+bounce") ? "bounce" : id;
    for (StrategyId s : values()) if (s.id.equals(key)) return s;
    throw new IllegalArgumentException("unknown strategy '" + id + "'" + Names.didYouMean(id, ids()) + "; known: " + String.join(", ", ids()));
  }
}
