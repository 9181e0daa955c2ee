package org.vqsim.engine.ring;

/** The device found the ring in a state the virtio specification forbids (QEMU would call {@code virtio_error}). */
public final class VirtqueueException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public VirtqueueException(String message) {
    super(message);
  }
}
