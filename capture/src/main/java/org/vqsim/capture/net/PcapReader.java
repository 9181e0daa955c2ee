package org.vqsim.capture.net;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import org.vqsim.capture.TraceException;
import org.vqsim.engine.device.net.NetPacket;
import org.vqsim.engine.device.net.PacketSource;

/**
 * pcap and pcapng captures of the guest's link (Ethernet, linktype 1) as packets: each frame's time
 * and original length, its direction from the guest's side — given by its MAC address (frames from
 * it are tx, frames to it rx) or its IPv4 address — and its protocol from the IPv4 header. Frames
 * that neither come from nor go to the guest are skipped and counted.
 *
 * <pre>
 *  pcap:   24-byte file header (magic a1b2c3d4 µs or a1b23c4d ns, either byte order), then per
 *          frame ts_sec, ts_frac, incl_len, orig_len and incl_len bytes
 *  pcapng: blocks of type, total length, body, total length: Section Header 0x0A0D0D0A (its byte
 *          order magic 1A2B3C4D), Interface Description 1 (linktype, if_tsresol option), Enhanced
 *          Packet 6, Simple Packet 3 (no time: rejected); other blocks are skipped
 * </pre>
 *
 * No Java pcap library on Maven Central reads files without the native libpcap (pcap4j binds it),
 * so the formats are read here, every length checked against the block it sits in; gzip is
 * transparent ({@code Traces.openStream}). Errors name the file, the frame and what is wrong.
 */
public final class PcapReader implements PacketSource {
  private static final int MAX_FRAME = 262_144;
  private final InputStream in;
  private final String name;
  private final byte[] mac;
  private final int ip;
  private final byte[] buf = new byte[MAX_FRAME + 64];
  private boolean ng, little, nanos;
  private long resolutionPerSec = 1_000_000;
  private int linktype = -1;
  private long t0 = -1, lastNs;
  private long frames, skipped;
  private long offset;

  /**
   * @param guestMac the guest's MAC ("52:54:00:12:70:02") or null
   * @param guestIp the guest's IPv4 address ("192.168.70.2") or null; one of the two is needed
   */
  public PcapReader(InputStream in, String name, String guestMac, String guestIp) throws IOException {
    this.in = in;
    this.name = name;
    if (guestMac == null && guestIp == null) throw new IllegalArgumentException("a pcap needs --guest-mac or --guest-ip to tell the guest's packets apart");
    this.mac = guestMac == null ? null : parseMac(guestMac);
    this.ip = guestIp == null ? 0 : parseIp(guestIp);
    header();
  }

  public static byte[] parseMac(String s) {
    String[] p = s.split("[:-]");
    if (p.length != 6) throw new IllegalArgumentException("--guest-mac must look like 52:54:00:12:34:56, not '" + s + "'");
    byte[] m = new byte[6];
    for (int i = 0; i < 6; i++) {
      if (!p[i].matches("[0-9a-fA-F]{2}")) throw new IllegalArgumentException("--guest-mac must look like 52:54:00:12:34:56, not '" + s + "'");
      m[i] = (byte) Integer.parseInt(p[i], 16);
    }
    return m;
  }

  public static int parseIp(String s) {
    String[] p = s.split("\\.");
    if (p.length != 4) throw new IllegalArgumentException("--guest-ip must be an IPv4 address like 192.168.70.2, not '" + s + "'");
    int v = 0;
    for (String x : p) {
      if (!x.matches("\\d{1,3}") || Integer.parseInt(x) > 255) throw new IllegalArgumentException("--guest-ip must be an IPv4 address like 192.168.70.2, not '" + s + "'");
      v = (v << 8) | Integer.parseInt(x);
    }
    return v;
  }

  public long frames() { return frames; }

  /** The capture is taken at the tap, the device's side: received frames' times are already when they reached it. */
  @Override
  public boolean timesAtDevice() { return true; }

  /** Whether the first bytes are a pcap or pcapng magic. */
  public static boolean isPcap(byte[] head) {
    if (head.length < 4) return false;
    int be = (head[0] & 0xff) << 24 | (head[1] & 0xff) << 16 | (head[2] & 0xff) << 8 | (head[3] & 0xff);
    return be == 0x0A0D0D0A || be == 0xa1b2c3d4 || be == 0xd4c3b2a1 || be == 0xa1b23c4d || be == 0x4d3cb2a1;
  }

  /** Frames that neither came from nor went to the guest. */
  public long skipped() { return skipped; }

  private TraceException bad(String what) {
    return new TraceException(name + ": " + (frames > 0 || offset > 24 ? "frame " + (frames + 1) + " (byte " + offset + "): " : "") + what);
  }

  private void readFully(byte[] b, int off, int len, String what) throws IOException {
    int n = in.readNBytes(b, off, len);
    offset += n;
    if (n < len) throw bad("truncated " + what + " (" + n + " of " + len + " bytes)");
  }

  /** Reads up to len bytes; returns false at a clean end of file (no byte read). */
  private boolean readOrEnd(byte[] b, int len, String what) throws IOException {
    int n = in.readNBytes(b, 0, len);
    offset += n;
    if (n == 0) return false;
    if (n < len) throw bad("truncated " + what + " (" + n + " of " + len + " bytes)");
    return true;
  }

  private void skip(long n, String what) throws IOException {
    long left = n;
    while (left > 0) {
      int k = (int) Math.min(left, buf.length);
      readFully(buf, 0, k, what);
      left -= k;
    }
  }

  private int u32(byte[] b, int o) {
    return little ? (b[o] & 0xff) | (b[o + 1] & 0xff) << 8 | (b[o + 2] & 0xff) << 16 | (b[o + 3] & 0xff) << 24
        : (b[o] & 0xff) << 24 | (b[o + 1] & 0xff) << 16 | (b[o + 2] & 0xff) << 8 | (b[o + 3] & 0xff);
  }

  private int u16(byte[] b, int o) {
    return little ? (b[o] & 0xff) | (b[o + 1] & 0xff) << 8 : (b[o] & 0xff) << 8 | (b[o + 1] & 0xff);
  }

  private void header() throws IOException {
    byte[] h = new byte[24];
    int n;
    try {
      n = in.readNBytes(h, 0, 4);
    } catch (EOFException e) {
      throw new TraceException(name + ": empty file", e);
    }
    offset = n;
    if (n < 4) throw new TraceException(name + ": " + (n == 0 ? "empty file" : "too short for a pcap or pcapng header"));
    int be = (h[0] & 0xff) << 24 | (h[1] & 0xff) << 16 | (h[2] & 0xff) << 8 | (h[3] & 0xff);
    if (be == 0x0A0D0D0A) {
      ng = true;
      sectionHeader(h);
      return;
    }
    switch (be) {
      case 0xa1b2c3d4 -> little = false;
      case 0xd4c3b2a1 -> little = true;
      case 0xa1b23c4d -> { little = false; nanos = true; }
      case 0x4d3cb2a1 -> { little = true; nanos = true; }
      default -> throw new TraceException(name + ": not a pcap or pcapng file (magic " + String.format(Locale.ROOT, "%08x", be) + ")");
    }
    readFully(h, 4, 20, "pcap file header");
    int major = u16(h, 4);
    if (major != 2) throw bad("pcap version " + major + "." + u16(h, 6) + " (2.4 expected)");
    linktype = u32(h, 20) & 0x0fffffff;
    if (linktype != 1) throw bad("link type " + linktype + " (only Ethernet, 1, is read)");
    resolutionPerSec = nanos ? 1_000_000_000L : 1_000_000L;
  }

  private void sectionHeader(byte[] unused) throws IOException {
    byte[] h = new byte[8];
    readFully(h, 0, 8, "pcapng section header");
    int bom = (h[4] & 0xff) << 24 | (h[5] & 0xff) << 16 | (h[6] & 0xff) << 8 | (h[7] & 0xff);
    if (bom == 0x1A2B3C4D) little = false;
    else if (bom == 0x4D3C2B1A) little = true;
    else throw bad("pcapng section header with byte-order magic " + String.format(Locale.ROOT, "%08x", bom));
    long total = u32(h, 0) & 0xffffffffL;
    if (total < 28 || total % 4 != 0 || total > (1 << 24)) throw bad("pcapng section header of " + total + " bytes");
    skip(total - 12, "pcapng section header");
    linktype = -1;
  }

  @Override
  public boolean next(NetPacket p) throws IOException {
    while (true) {
      boolean got = ng ? nextBlock(p) : nextRecord(p);
      if (!got) return false;
      if (p.frameLen >= 0) return true;
    }
  }

  private boolean nextRecord(NetPacket p) throws IOException {
    byte[] h = new byte[16];
    if (!readOrEnd(h, 16, "pcap record header")) return false;
    long sec = u32(h, 0) & 0xffffffffL, frac = u32(h, 4) & 0xffffffffL;
    int incl = u32(h, 8), orig = u32(h, 12);
    if (incl < 0 || incl > MAX_FRAME) throw bad("captured length " + (incl & 0xffffffffL) + " (at most " + MAX_FRAME + ")");
    if (frac >= resolutionPerSec) throw bad("fraction of a second " + frac + " out of range");
    readFully(buf, 0, incl, "frame");
    frame(p, sec * 1_000_000_000L + frac * (1_000_000_000L / resolutionPerSec), incl, orig);
    return true;
  }

  private boolean nextBlock(NetPacket p) throws IOException {
    byte[] h = new byte[8];
    if (!readOrEnd(h, 8, "pcapng block header")) return false;
    int type = u32(h, 0);
    long total = u32(h, 4) & 0xffffffffL;
    if (type == 0x0A0D0D0A) {
      // a new section: its byte order may differ
      byte[] b = new byte[4];
      readFully(b, 0, 4, "pcapng section header");
      int bom = (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
      if (bom == 0x1A2B3C4D) little = false;
      else if (bom == 0x4D3C2B1A) little = true;
      else throw bad("pcapng section header with byte-order magic " + String.format(Locale.ROOT, "%08x", bom));
      long t = u32(h, 4) & 0xffffffffL;
      if (t < 28 || t % 4 != 0 || t > (1 << 24)) throw bad("pcapng section header of " + t + " bytes");
      skip(t - 12, "pcapng section header");
      linktype = -1;
      p.frameLen = -1;
      return true;
    }
    if (total < 12 || total % 4 != 0 || total > MAX_FRAME + 64) throw bad("pcapng block of " + total + " bytes");
    int body = (int) total - 12;
    readFully(buf, 0, body + 4, "pcapng block");
    if ((u32(buf, body) & 0xffffffffL) != total) throw bad("pcapng block's trailing length differs from its leading one");
    p.frameLen = -1;
    switch (type) {
      case 1 -> {
        if (body < 8) throw bad("interface description block too short");
        linktype = u16(buf, 0);
        if (linktype != 1) throw bad("link type " + linktype + " (only Ethernet, 1, is read)");
        resolutionPerSec = 1_000_000;
        // options: if_tsresol (9)
        int o = 8;
        while (o + 4 <= body) {
          int code = u16(buf, o), len = u16(buf, o + 2);
          if (code == 0) break;
          if (o + 4 + len > body) throw bad("interface option runs past its block");
          if (code == 9 && len >= 1) {
            int r = buf[o + 4] & 0xff;
            if ((r & 0x80) != 0 || r > 9) throw bad("if_tsresol " + r + " (powers of ten up to 9 are read)");
            resolutionPerSec = 1;
            for (int i = 0; i < r; i++) resolutionPerSec *= 10;
          }
          o += 4 + ((len + 3) & ~3);
        }
      }
      case 6 -> {
        if (linktype < 0) throw bad("packet before any interface description");
        if (body < 20) throw bad("enhanced packet block too short");
        long ts = (u32(buf, 4) & 0xffffffffL) << 32 | (u32(buf, 8) & 0xffffffffL);
        int incl = u32(buf, 12), orig = u32(buf, 16);
        if (incl < 0 || incl > body - 20) throw bad("captured length " + (incl & 0xffffffffL) + " runs past its block");
        System.arraycopy(buf, 20, buf, 0, incl);
        long sec = ts / resolutionPerSec, frac = ts % resolutionPerSec;
        if (sec > 4_000_000_000L) throw bad("timestamp out of range");
        frame(p, sec * 1_000_000_000L + frac * 1_000_000_000L / resolutionPerSec, incl, orig);
      }
      case 3 -> throw bad("simple packet blocks carry no time; use enhanced packet blocks");
      default -> { /* statistics, name resolution, custom: skipped */ }
    }
    return true;
  }

  private void frame(NetPacket p, long tsNs, int incl, int orig) {
    frames++;
    if (orig < incl || orig < 14 || orig > NetPacket.MAX_FRAME) throw bad("original length " + (orig & 0xffffffffL) + " (14.." + NetPacket.MAX_FRAME + ", not below the captured " + incl + ")");
    if (incl < 14) throw bad("frame of " + incl + " captured bytes has no Ethernet header");
    byte dir = -1;
    if (mac != null) {
      if (eq(buf, 6, mac)) dir = NetPacket.TX;
      else if (eq(buf, 0, mac)) dir = NetPacket.RX;
    }
    int etherType = (buf[12] & 0xff) << 8 | (buf[13] & 0xff);
    byte proto = NetPacket.OTHER;
    if (etherType == 0x0800 && incl >= 34) {
      int pr = buf[23] & 0xff;
      proto = pr == 6 ? NetPacket.TCP : pr == 17 ? NetPacket.UDP : NetPacket.OTHER;
      if (dir < 0 && ip != 0) {
        int src = (buf[26] & 0xff) << 24 | (buf[27] & 0xff) << 16 | (buf[28] & 0xff) << 8 | (buf[29] & 0xff);
        int dst = (buf[30] & 0xff) << 24 | (buf[31] & 0xff) << 16 | (buf[32] & 0xff) << 8 | (buf[33] & 0xff);
        if (src == ip) dir = NetPacket.TX;
        else if (dst == ip) dir = NetPacket.RX;
      }
    }
    if (dir < 0) {
      skipped++;
      p.frameLen = -1;
      return;
    }
    if (t0 < 0) t0 = tsNs;
    long t = Math.max(0, tsNs - t0);
    if (t < lastNs) t = lastNs; // a capture's clock may step back a little: keep the order
    lastNs = t;
    p.set(t, dir, proto, orig);
    p.cpu = 0;
  }

  private static boolean eq(byte[] b, int o, byte[] m) {
    for (int i = 0; i < 6; i++) if (b[o + i] != m[i]) return false;
    return true;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
