package org.vqsim.engine.sim;

/** Where the device model runs (DESIGN.md §4): it changes what a kick costs. */
public enum Backend {
  /** QEMU userspace: a kick wakes a QEMU thread through an ioeventfd. */
  QEMU("qemu"),
  /** vhost in the host kernel: a kick wakes the vhost worker. */
  VHOST("vhost");

  public final String id;

  Backend(String id) {
    this.id = id;
  }

  public static Backend of(String id) {
    for (Backend b : values()) if (b.id.equals(id)) return b;
    throw new IllegalArgumentException("unknown backend '" + id + "'; known: qemu, vhost");
  }
}
