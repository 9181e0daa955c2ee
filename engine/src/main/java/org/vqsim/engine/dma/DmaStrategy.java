package org.vqsim.engine.dma;

/**
 * How a guest makes a buffer reachable by a virtio device (DESIGN.md §4), with its costs.
 *
 * <p>Guest side: {@link #map} before the device may see a buffer, {@link #unmap} after it is done
 * (Linux {@code dma_map_single} / {@code dma_unmap_single}). Device side: {@link #translate} turns
 * a device address into a guest-physical one on every access the device model makes.
 *
 * <p>Every method charges its modelled cost to the cycle ledger it was built with and counts its
 * events, on behalf of the request {@code slot}. A strategy is chosen once per replay; the
 * implementations are final.
 */
public sealed interface DmaStrategy permits DirectStrategy, BounceStrategy, IntelViommuStrategy, VirtioIommuStrategy, TceStrategy {
  /** Returned by {@link #map} when the mapping cannot be made (Linux {@code DMA_MAPPING_ERROR}). */
  long MAPPING_ERROR = -1L;

  /** The strategy id as the CLI takes it (e.g. {@code direct}, {@code viommu-strict+bounce}). */
  String id();

  /** Maps {@code length} bytes at guest-physical {@code paddr}; returns the device address or {@link #MAPPING_ERROR}. */
  long map(int slot, long paddr, int length, DmaDirection dir);

  /** Removes a mapping made by {@link #map}. */
  void unmap(int slot, long dmaAddr, int length, DmaDirection dir);

  /** Device side: the guest-physical address behind a device address. */
  long translate(int slot, long dmaAddr, int length, boolean deviceWrites);

  /**
   * Maps memory for the lifetime of the device, as {@code dma_alloc_coherent} does for the rings;
   * returns the device address. Set-up cost is not charged to any request.
   */
  long mapCoherent(long paddr, int length);

  /** The largest single mapping this strategy can make (Linux {@code dma_max_mapping_size}). */
  long maxMappingSize();

  /** Mappings made and not yet removed: zero after a complete run, or something leaked. */
  long liveMappings();
}
