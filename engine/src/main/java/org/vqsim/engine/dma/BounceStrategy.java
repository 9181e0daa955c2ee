package org.vqsim.engine.dma;

/**
 * {@code bounce} (= {@code direct+bounce}): an encrypted guest (SEV, TDX, POWER secure VM) with
 * ACCESS_PLATFORM and no IOMMU. dma-direct sends every mapping through swiotlb, because the device
 * cannot read private memory; the device sees the shared pool's physical addresses untranslated.
 */
public final class BounceStrategy implements DmaStrategy {
  private final SwiotlbBouncer bouncer;

  BounceStrategy(DmaContext ctx) {
    this.bouncer = new SwiotlbBouncer(ctx, ctx.reservedBase());
  }

  @Override public String id() { return "bounce"; }

  @Override
  public long map(int slot, long paddr, int length, DmaDirection dir) {
    return bouncer.map(slot, paddr, length, dir);
  }

  @Override
  public void unmap(int slot, long dmaAddr, int length, DmaDirection dir) {
    bouncer.unmap(slot, dmaAddr, length, dir);
  }

  @Override
  public long translate(int slot, long dmaAddr, int length, boolean deviceWrites) {
    return dmaAddr;
  }

  @Override
  public long mapCoherent(long paddr, int length) {
    return paddr; // dma_alloc_coherent: pages set decrypted (shared), no bouncing
  }

  @Override public long maxMappingSize() { return SwiotlbPool.MAX_MAPPING; }

  @Override public long liveMappings() { return bouncer.live(); }

  public SwiotlbPool pool() { return bouncer.pool(); }
}
