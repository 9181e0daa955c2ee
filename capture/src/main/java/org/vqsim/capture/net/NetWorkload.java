package org.vqsim.capture.net;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.vqsim.engine.device.net.NetPacket;
import org.vqsim.engine.device.net.PacketSource;

/**
 * A netperf-like network workload as the guest's driver sees it (packets, not socket calls):
 *
 * <ul>
 *   <li>{@code tcp-stream}: each of {@code streams} connections moves {@code count} application
 *       writes of {@code msgSize} bytes. Where the direction's segmentation offload is negotiated
 *       (HOST_TSO for tx, GUEST_TSO for rx) the data travels as GSO super-packets of up to 45 × MSS
 *       (Linux's 64 KiB gso_max_size: 65160 bytes of payload at MSS 1448), else as MSS segments. The
 *       receiver acknowledges every second data packet (RFC 5681 §4.2: an ACK for at least every
 *       second full-sized segment; a GSO packet counts as one, as GRO and the host see it), 66-byte
 *       ACKs on the reverse path. Without {@code rate} the data is paced at the link rate, shared by
 *       the streams; with it, each stream writes {@code rate} messages per second and each write is
 *       sent at once.
 *   <li>{@code tcp-rr}: per stream {@code count} transactions of a {@code msgSize} request and a
 *       {@code msgSize} response, closed loop: the response appears a link round trip after the
 *       request left (tx) and the next request as soon as the response reached the application.
 *       Direction {@code tx}: the guest is the client; {@code rx}: the host is.
 *   <li>{@code udp-stream}: {@code count} datagrams of {@code msgSize} bytes per stream, IP-fragmented
 *       above 1472 bytes (Linux no longer uses UFO), no acknowledgements.
 * </ul>
 *
 * Direction {@code both} runs a tx and an rx instance side by side (streams on each). Packets come
 * out in time order; stream {@code s} is flow {@code s} (its queue pair is {@code s mod pairs}).
 */
public final class NetWorkload implements PacketSource {
  public enum Kind { TCP_STREAM, TCP_RR, UDP_STREAM }

  /** The largest UDP payload in one IPv4 datagram: 65,535 bytes less the 20-byte IP and 8-byte UDP headers (RFC 791, RFC 768). */
  public static final int MAX_UDP_PAYLOAD = 65507;

  /**
   * The message size when none is given: 64 KiB for tcp-stream; one byte for tcp-rr (netperf's TCP_RR
   * default request and response size, its test option -r); for udp-stream the largest datagram,
   * {@value #MAX_UDP_PAYLOAD} bytes.
   */
  public static int defaultMsgSize(Kind kind) {
    return switch (kind) {
      case TCP_STREAM -> 65536;
      case TCP_RR -> 1;
      case UDP_STREAM -> MAX_UDP_PAYLOAD;
    };
  }

  public record Spec(Kind kind, String direction, int msgSize, long count, int mss, int streams, double rate, double linkGbps, double linkLatencyNs,
      boolean hostTso, boolean guestTso) {
    public Spec {
      if (!direction.equals("tx") && !direction.equals("rx") && !direction.equals("both")) throw new IllegalArgumentException("--direction must be tx, rx or both, not '" + direction + "'");
      if (msgSize < 1) throw new IllegalArgumentException("--msg-size must be at least 1 byte, not " + msgSize);
      if (kind == Kind.UDP_STREAM && msgSize > MAX_UDP_PAYLOAD) throw new IllegalArgumentException("--msg-size of a UDP datagram is at most " + MAX_UDP_PAYLOAD + " bytes, not " + msgSize);
      if (count < 1) throw new IllegalArgumentException("--count must be at least 1, not " + count);
      if (mss < 88 || mss > 9000) throw new IllegalArgumentException("--mss must be 88..9000, not " + mss);
      if (streams < 1 || streams > 1024) throw new IllegalArgumentException("--streams must be 1..1024, not " + streams);
      if (rate < 0 || Double.isNaN(rate)) throw new IllegalArgumentException("--rate must be a positive number of messages per second");
      if (!(linkGbps > 0)) throw new IllegalArgumentException("--link-gbps must be > 0");
    }

    public static Kind kind(String s) {
      return switch (s) {
        case "tcp-stream" -> Kind.TCP_STREAM;
        case "tcp-rr" -> Kind.TCP_RR;
        case "udp-stream" -> Kind.UDP_STREAM;
        default -> throw new IllegalArgumentException("--net must be tcp-stream, tcp-rr or udp-stream, not '" + s + "'");
      };
    }

    public Map<String, String> describe() {
      Map<String, String> m = new LinkedHashMap<>();
      m.put("net", kind.name().toLowerCase(Locale.ROOT).replace('_', '-'));
      m.put("direction", direction);
      m.put("msg-size", Integer.toString(msgSize));
      m.put("count", Long.toString(count));
      m.put("mss", Integer.toString(mss));
      m.put("streams", Integer.toString(streams));
      m.put("rate", rate == 0 ? "link" : Double.toString(rate));
      m.put("link-gbps", Double.toString(linkGbps));
      m.put("host-tso", Boolean.toString(hostTso));
      m.put("guest-tso", Boolean.toString(guestTso));
      return m;
    }
  }

  /** One sender: a stream in one direction, as a small state machine producing its packets in time order. */
  private static final class Flow {
    final int id;
    final byte dir;
    long bytesLeft; // tcp-stream: payload still to send; udp: datagrams left; rr: transactions left
    long nextNs;
    long sent; // data packets sent (for ACKs)
    boolean ackDue;
    long ackNs;
    double nsPerByte;
    long rrRequestIdx = -1;
    int rrPhase; // 0: request next, 1: response next
    int fragLeft; // udp: fragments of the current datagram still to send

    Flow(int id, byte dir) {
      this.id = id;
      this.dir = dir;
    }
  }

  private final Spec s;
  private final List<Flow> flows = new ArrayList<>();
  private long index;
  private final int gsoPayload;

  public NetWorkload(Spec spec) {
    this.s = spec;
    this.gsoPayload = Math.max(spec.mss(), (65536 - 66) / spec.mss() * spec.mss());
    if (spec.kind() == Kind.TCP_RR) {
      // a request or response is one packet each way: a TSO super-packet where that direction negotiated TSO, else one segment
      int most = Math.min(spec.hostTso() ? gsoPayload : spec.mss(), spec.guestTso() ? gsoPayload : spec.mss());
      if (spec.msgSize() > most) {
        throw new IllegalArgumentException("--msg-size of a tcp-rr request or response is at most " + most + " bytes here (one packet each way: "
            + (most == spec.mss() ? "an MSS segment without TSO" : "a TSO super-packet") + "), not " + spec.msgSize());
      }
    }
    List<Byte> dirs = new ArrayList<>();
    if (!spec.direction().equals("rx")) dirs.add(NetPacket.TX);
    if (!spec.direction().equals("tx")) dirs.add(NetPacket.RX);
    int total = spec.streams() * dirs.size();
    int id = 0;
    for (byte d : dirs) {
      for (int k = 0; k < spec.streams(); k++) {
        Flow f = new Flow(id++, d);
        f.bytesLeft = spec.kind() == Kind.TCP_STREAM ? spec.count() * spec.msgSize() : spec.count();
        // link pacing shared by the streams of a direction; an application rate per stream
        f.nsPerByte = spec.rate() > 0 ? 1e9 / (spec.rate() * spec.msgSize()) : 8.0 / spec.linkGbps() * spec.streams();
        flows.add(f);
      }
    }
    if (total == 0) throw new IllegalArgumentException("no streams");
  }

  private int payloadPerPacket(Flow f) {
    boolean tso = f.dir == NetPacket.TX ? s.hostTso() : s.guestTso();
    return tso ? gsoPayload : s.mss();
  }

  @Override
  public boolean next(NetPacket p) {
    // the flow whose next packet comes first (ties: lowest id), ACKs before data
    Flow best = null;
    long bestNs = Long.MAX_VALUE;
    for (Flow f : flows) {
      long t = nextOf(f);
      if (t < bestNs) {
        bestNs = t;
        best = f;
      }
    }
    if (best == null) return false;
    emit(best, p);
    index++;
    return true;
  }

  /** When the flow's next packet is due, or MAX_VALUE when it is done. */
  private long nextOf(Flow f) {
    if (f.ackDue) return Math.min(f.ackNs, f.bytesLeft > 0 ? f.nextNs : Long.MAX_VALUE);
    return f.bytesLeft > 0 || f.fragLeft > 0 || (s.kind() == Kind.TCP_RR && f.rrPhase == 1) ? f.nextNs : Long.MAX_VALUE;
  }

  private void emit(Flow f, NetPacket p) {
    byte reverse = f.dir == NetPacket.TX ? NetPacket.RX : NetPacket.TX;
    switch (s.kind()) {
      case TCP_STREAM -> {
        if (f.ackDue && (f.bytesLeft == 0 || f.ackNs <= f.nextNs)) {
          p.set(f.ackNs, reverse, NetPacket.TCP, NetPacket.TCP_HEADERS);
          f.ackDue = false;
          break;
        }
        int payload = (int) Math.min(f.bytesLeft, s.rate() > 0 ? Math.min(s.msgSize(), payloadPerPacket(f)) : payloadPerPacket(f));
        p.set(f.nextNs, f.dir, NetPacket.TCP, NetPacket.TCP_HEADERS + payload);
        f.bytesLeft -= payload;
        f.sent++;
        f.nextNs += Math.max(1, Math.round((payload + NetPacket.TCP_HEADERS) * f.nsPerByte));
        if (f.sent % 2 == 0 || f.bytesLeft == 0) {
          // the receiver's ACK: the guest answers when its packet arrives (rx); the host's comes back a round trip later (tx)
          f.ackDue = true;
          f.ackNs = p.tsNs + (f.dir == NetPacket.TX ? Math.round(2 * s.linkLatencyNs()) : 0);
        }
      }
      case UDP_STREAM -> {
        // a datagram above 1472 bytes is sent as IP fragments of up to 1480 bytes of the UDP message
        int total = s.msgSize() + 8;
        int frags = (total + 1479) / 1480;
        if (f.fragLeft == 0) f.fragLeft = frags;
        int k = frags - f.fragLeft;
        int part = Math.min(1480, total - k * 1480);
        p.set(f.nextNs, f.dir, NetPacket.UDP, 34 + part);
        f.fragLeft--;
        f.nextNs += Math.max(1, Math.round((34 + part) * (s.rate() > 0 ? 0 : f.nsPerByte)));
        if (f.fragLeft == 0) {
          f.bytesLeft--;
          if (s.rate() > 0) f.nextNs = Math.round((s.count() - f.bytesLeft) * 1e9 / s.rate());
        }
      }
      case TCP_RR -> {
        if (f.rrPhase == 0) {
          // the client's request: the first at 0, each next one when the previous response reached the application
          p.set(f.nextNs, f.dir, NetPacket.TCP, NetPacket.TCP_HEADERS + s.msgSize());
          if (f.rrRequestIdx >= 0) {
            p.dependsOn = f.rrRequestIdx;
            p.delayNs = 0;
          }
          f.rrRequestIdx = index;
          f.rrPhase = 1;
          f.nextNs += 1; // keeps the order; the dependency sets the real time
        } else {
          // the server's response a link round trip after the request left (tx) or as soon as the guest got it (rx)
          p.set(f.nextNs, reverse, NetPacket.TCP, NetPacket.TCP_HEADERS + s.msgSize());
          p.dependsOn = f.rrRequestIdx;
          p.delayNs = f.dir == NetPacket.TX ? Math.round(2 * s.linkLatencyNs()) : 0;
          f.rrRequestIdx = index;
          f.rrPhase = 0;
          f.bytesLeft--;
          f.nextNs += 1;
        }
      }
      default -> throw new IllegalStateException();
    }
    p.cpu = f.id % s.streams();
  }

  /** Packets this workload will produce, for progress and sizing (ACKs included). */
  public long expectedPackets() {
    long perStream = switch (s.kind()) {
      case TCP_STREAM -> {
        long bytes = s.count() * (long) s.msgSize();
        long perPkt = s.rate() > 0 ? Math.min(s.msgSize(), gsoPayload) : gsoPayload;
        long data = (bytes + perPkt - 1) / perPkt;
        yield data + (data + 1) / 2;
      }
      case UDP_STREAM -> s.count() * ((s.msgSize() + 8 + 1479) / 1480);
      case TCP_RR -> 2 * s.count();
    };
    return perStream * flows.size();
  }
}
