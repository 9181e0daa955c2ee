package org.vqsim.engine.dma;

/** Linux {@code enum dma_data_direction}: which way the data of a mapping moves. */
public enum DmaDirection {
  BIDIRECTIONAL,
  /** The device reads the buffer (request header, write data, indirect table). */
  TO_DEVICE,
  /** The device writes the buffer (read data, status byte). */
  FROM_DEVICE;

  public static DmaDirection of(boolean deviceWrites) {
    return deviceWrites ? FROM_DEVICE : TO_DEVICE;
  }
}
