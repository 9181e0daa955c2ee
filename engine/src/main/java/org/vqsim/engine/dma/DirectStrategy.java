package org.vqsim.engine.dma;

/**
 * No VIRTIO_F_ACCESS_PLATFORM: the driver does not use the DMA API and hands the device raw
 * guest-physical addresses ({@code vring_use_dma_api() == false}); the device reads guest memory
 * directly. Nothing is mapped, translated or counted, and nothing costs.
 */
public final class DirectStrategy implements DmaStrategy {
  private long live;

  @Override public String id() { return "direct"; }

  @Override
  public long map(int slot, long paddr, int length, DmaDirection dir) {
    live++;
    return paddr;
  }

  @Override
  public void unmap(int slot, long dmaAddr, int length, DmaDirection dir) {
    live--;
  }

  @Override
  public long translate(int slot, long dmaAddr, int length, boolean deviceWrites) {
    return dmaAddr;
  }

  @Override
  public long mapCoherent(long paddr, int length) {
    return paddr;
  }

  @Override public long maxMappingSize() { return Long.MAX_VALUE; }

  @Override public long liveMappings() { return live; }
}
