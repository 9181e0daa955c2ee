package org.vqsim.engine.device.net;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The virtio-net features a replay negotiates (virtio 1.2 §5.1.3), and what Linux 6.1's
 * {@code virtio_net.c} makes of them.
 *
 * <p>The default is what QEMU 7.2's virtio-net-pci offers over a tap with a virtio-net header and
 * Linux 6.1 accepts (the net lab's consoles: {@code CSUM GUEST_CSUM GUEST_TSO4 GUEST_TSO6 GUEST_ECN
 * GUEST_UFO HOST_TSO4 HOST_TSO6 HOST_ECN HOST_UFO MRG_RXBUF CTRL_VQ … RING_INDIRECT_DESC
 * RING_EVENT_IDX VERSION_1}; no MTU, no MQ unless the device has several queue pairs). A list such as
 * {@code -MRG_RXBUF} or {@code -CSUM,-GUEST_CSUM,-HOST_TSO4} turns features off ({@code +NAME} or
 * {@code NAME} turns one on); names are case-insensitive, with or without {@code VIRTIO_NET_F_},
 * and QEMU's property spellings ({@code mrg_rxbuf}, {@code guest_tso4}) work too.
 *
 * <p>Feature dependencies (virtio 1.2 §5.1.3.1: a device must not offer a feature whose requirement it
 * does not offer): HOST_TSO4/6, HOST_ECN and HOST_UFO need CSUM; GUEST_TSO4/6, GUEST_ECN and
 * GUEST_UFO need GUEST_CSUM. Turning the requirement off turns its dependants off too.
 */
public final class NetFeatures {
  public enum F {
    CSUM, GUEST_CSUM, MTU, GUEST_TSO4, GUEST_TSO6, GUEST_ECN, GUEST_UFO, HOST_TSO4, HOST_TSO6, HOST_ECN, HOST_UFO, MRG_RXBUF, CTRL_VQ, MQ,
    INDIRECT_DESC, EVENT_IDX
  }

  private final EnumSet<F> on;

  private NetFeatures(EnumSet<F> on) {
    this.on = on;
  }

  /** QEMU 7.2's default offer over a vnet-header tap, as Linux 6.1 negotiates it. */
  public static NetFeatures qemuDefault() {
    EnumSet<F> s = EnumSet.allOf(F.class);
    s.remove(F.MTU);
    s.remove(F.MQ);
    return new NetFeatures(s);
  }

  /** The default with {@code list} applied (comma-separated, {@code -NAME} off, {@code +NAME}/{@code NAME} on); null or empty: the default. */
  public static NetFeatures parse(String list) {
    EnumSet<F> s = qemuDefault().on.clone();
    if (list == null || list.isBlank()) return new NetFeatures(s);
    for (String raw : list.split(",")) {
      String t = raw.strip();
      if (t.isEmpty()) continue;
      boolean off = t.startsWith("-");
      if (off || t.startsWith("+")) t = t.substring(1);
      F f = byName(t);
      if (f == null) {
        List<String> names = new ArrayList<>();
        for (F x : F.values()) names.add(x.name());
        throw new IllegalArgumentException("unknown virtio-net feature '" + raw.strip() + "' in --net-features (known: " + String.join(", ", names) + ")");
      }
      if (off) s.remove(f);
      else s.add(f);
    }
    if (!s.contains(F.CSUM)) s.removeAll(Set.of(F.HOST_TSO4, F.HOST_TSO6, F.HOST_ECN, F.HOST_UFO));
    if (!s.contains(F.GUEST_CSUM)) s.removeAll(Set.of(F.GUEST_TSO4, F.GUEST_TSO6, F.GUEST_ECN, F.GUEST_UFO));
    return new NetFeatures(s);
  }

  private static F byName(String t) {
    String u = t.toUpperCase(Locale.ROOT).replace('-', '_');
    if (u.startsWith("VIRTIO_NET_F_")) u = u.substring("VIRTIO_NET_F_".length());
    if (u.startsWith("VIRTIO_RING_F_")) u = u.substring("VIRTIO_RING_F_".length());
    if (u.startsWith("RING_")) u = u.substring("RING_".length());
    if (u.equals("INDIRECT")) u = "INDIRECT_DESC";
    if (u.equals("EVENT_IDX") || u.equals("EVENTIDX")) u = "EVENT_IDX";
    if (u.equals("CTRL_VQ") || u.equals("CTRLVQ")) u = "CTRL_VQ";
    for (F f : F.values()) if (f.name().equals(u)) return f;
    return null;
  }

  public boolean has(F f) { return on.contains(f); }

  /** Linux's {@code vi->mergeable_rx_bufs}. */
  public boolean mergeable() { return has(F.MRG_RXBUF); }

  /** Linux's {@code vi->big_packets}: any guest GSO feature (virtnet_check_guest_gso), or an MTU above 1500 (not modelled: MTU is 1500). */
  public boolean bigPackets() {
    return has(F.GUEST_TSO4) || has(F.GUEST_TSO6) || has(F.GUEST_ECN) || has(F.GUEST_UFO);
  }

  /** Scatter-gather transmit: virtnet_probe sets NETIF_F_SG with NETIF_F_HW_CSUM when CSUM is offered. */
  public boolean txSg() { return has(F.CSUM); }

  /** TCP segmentation offload on transmit (NETIF_F_TSO/TSO6 from HOST_TSO4/6). */
  public boolean hostTso() { return has(F.HOST_TSO4) || has(F.HOST_TSO6); }

  /** The host may hand the guest GSO super-packets (GUEST_TSO4/6). */
  public boolean guestTso() { return has(F.GUEST_TSO4) || has(F.GUEST_TSO6); }

  /** The receive buffer kind Linux 6.1 posts. */
  public String rxBuffers() {
    return mergeable() ? "mergeable" : bigPackets() ? "big" : "small";
  }

  /** The negotiated set as a sorted, comma-separated list. */
  @Override
  public String toString() {
    List<String> s = new ArrayList<>();
    for (F f : on) s.add(f.name());
    return String.join(",", s);
  }
}
