package org.vqsim.engine.device.net;

/**
 * One packet of a network trace, as a reusable cursor: readers fill it, the engine copies what it
 * needs. Never allocated per packet.
 *
 * <p>{@code frameLen} is the Ethernet frame without FCS as the guest's stack hands it to the driver
 * (tx) or the device hands it to the guest (rx); a TSO/GSO super-packet is one packet of up to 64 KiB.
 * {@code headerLen} is the frame's Ethernet + IP + L4 headers (66 for IPv4 TCP with timestamps, 42
 * for IPv4 UDP); what follows is payload.
 */
public final class NetPacket {
  public static final byte TX = 0, RX = 1;
  public static final byte OTHER = 0, TCP = 6, UDP = 17;
  /** Ethernet 14 + IPv4 20 + TCP 20 + timestamps option 12 (Linux's default, net.ipv4.tcp_timestamps=1). */
  public static final int TCP_HEADERS = 66;
  /** Ethernet 14 + IPv4 20 + UDP 8. */
  public static final int UDP_HEADERS = 42;
  /** The largest frame a GSO super-packet can be: 64 KiB of IP packet plus the Ethernet header. */
  public static final int MAX_FRAME = 65535 + 14;

  /** When the packet appears: tx — the stack hands it to the driver; rx — it reaches the host's side of the link; ns. */
  public long tsNs;
  public byte direction;
  public byte protocol;
  public int frameLen;
  public int headerLen;
  /** The guest CPU that sends it (tx) or -1 when the trace does not say; also its flow (which queue pair carries it). */
  public int cpu = -1;
  /**
   * Closed loop: the index (in the source) of an earlier packet this one waits for, or -1. The
   * packet appears {@code delayNs} after that one completed (tx: the device sent it; rx: the guest's
   * stack got it) instead of at {@code tsNs} — a request/response exchange.
   */
  public long dependsOn = -1;
  public long delayNs;
  /**
   * tx: a segment after the first of one GSO super-packet that the guest's stack handed down once and
   * the kernel segmented below the qdisc (software GSO without HOST_TSO: Linux's
   * {@code validate_xmit_skb} → {@code skb_gso_segment}): the socket and TCP/IP work above the qdisc
   * was done for the first segment only.
   */
  public boolean gsoTail;

  public NetPacket set(long tsNs, byte direction, byte protocol, int frameLen) {
    this.tsNs = tsNs;
    this.direction = direction;
    this.protocol = protocol;
    this.frameLen = frameLen;
    this.headerLen = protocol == TCP ? TCP_HEADERS : protocol == UDP ? UDP_HEADERS : Math.min(frameLen, 14);
    if (this.headerLen > frameLen) this.headerLen = frameLen;
    this.cpu = -1;
    this.dependsOn = -1;
    this.delayNs = 0;
    this.gsoTail = false;
    return this;
  }

  public int payload() { return frameLen - headerLen; }

  @Override
  public String toString() {
    return (direction == TX ? "tx " : "rx ") + frameLen + "B " + (protocol == TCP ? "tcp" : protocol == UDP ? "udp" : "other") + " @" + tsNs + "ns";
  }
}
