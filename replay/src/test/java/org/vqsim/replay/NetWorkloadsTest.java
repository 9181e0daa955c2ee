package org.vqsim.replay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vqsim.analysis.arrow.ArrowTables;

/** generate --net and the replay of packet traces: per-packet rows, the summary's pps and Gb/s, determinism. */
class NetWorkloadsTest {
  @TempDir Path tmp;

  static List<String[]> summary(Path file, String... cols) throws Exception {
    List<String[]> rows = new ArrayList<>();
    ArrowTables.scan(file, root -> {
      for (int r = 0; r < root.getRowCount(); r++) {
        String[] v = new String[cols.length];
        for (int i = 0; i < cols.length; i++) {
          FieldVector f = root.getVector(cols[i]);
          v[i] = f instanceof VarCharVector s ? new String(s.get(r)) : f instanceof Float8Vector d ? Double.toString(d.get(r)) : String.valueOf(f.getObject(r));
        }
        rows.add(v);
      }
      return true;
    });
    return rows;
  }

  @Test
  void tcpRrIsAClosedLoopWithOneKickAndOneInterruptPerPacket() throws Exception {
    Path t = tmp.resolve("rr.arrow");
    Cli.Result g = Cli.vqsim("generate", "--net", "tcp-rr", "--msg-size", "64", "--count", "2000", "-o", t);
    assertEquals(0, g.code(), g.err());
    assertTrue(g.out().contains("Wrote 4000 packets"), g.out());
    Path out = tmp.resolve("out");
    Cli.Result r = Cli.vqsim("replay", t, "--strategy", "direct,viommu-strict,bounce,virtio-iommu", "-o", out);
    assertEquals(0, r.code(), r.out() + r.err());
    List<String[]> s = summary(out.resolve("summary.arrow"), "strategy", "packets", "pps", "kicks_per_packet", "device_interrupts_per_packet", "maps_per_packet",
        "invalidations_per_packet", "latency_mean_ns");
    assertEquals(4, s.size());
    double directPps = Double.parseDouble(s.get(0)[2]);
    for (String[] x : s) {
      assertEquals("4000", x[1]);
      // one packet in flight at a time: every request kicks, every packet interrupts (the lab: exactly 1 per packet in every mode)
      assertEquals(0.5, Double.parseDouble(x[3]), 0.01, x[0]);
      assertEquals(1.0, Double.parseDouble(x[4]), 0.01, x[0]);
    }
    // the vIOMMU's trapping invalidations make each transaction slower: fewer transactions per second than direct
    assertTrue(Double.parseDouble(s.get(1)[2]) < directPps, "viommu-strict pps " + s.get(1)[2] + " vs direct " + directPps);
    assertEquals(2.0, Double.parseDouble(s.get(1)[5]), 0.05, "64-byte request: header+payload+table, reply buffer: 1 (3+1)/2");
    assertEquals(4.0, Double.parseDouble(s.get(1)[6]), 0.1);
    List<String[]> req = summary(out.resolve("requests.arrow"), "strategy", "direction", "queue", "buffers");
    assertEquals(4 * 4000, req.size());
  }

  @Test
  void tcpStreamRxUsesMergeableBuffersAndReportsThroughput() throws Exception {
    Path t = tmp.resolve("rx.arrow");
    assertEquals(0, Cli.vqsim("generate", "--net", "tcp-stream", "--direction", "rx", "--msg-size", "64k", "--count", "300", "-o", t).code());
    Path out = tmp.resolve("out");
    Cli.Result r = Cli.vqsim("replay", t, "--strategy", "direct,bounce", "-o", out);
    assertEquals(0, r.code(), r.out() + r.err());
    List<String[]> s = summary(out.resolve("summary.arrow"), "strategy", "rx_packets", "tx_packets", "gbit_per_s", "rx_buffers_per_packet", "rx_buffer_kind");
    for (String[] x : s) {
      assertEquals("302", x[1], "19660800 bytes in 65160-byte GSO packets");
      assertEquals("151", x[2], "an ACK every second data packet");
      assertTrue(Double.parseDouble(x[3]) > 0.5 && Double.parseDouble(x[3]) <= 10.5, "Gb/s " + x[3]);
      assertTrue(Double.parseDouble(x[4]) > 15 && Double.parseDouble(x[4]) < 18, "buffers per packet " + x[4]);
      assertEquals("mergeable", x[5]);
    }
    // without MRG_RXBUF and guest TSO: small buffers, MSS frames
    Path t2 = tmp.resolve("rx-small.arrow");
    String off = "-MRG_RXBUF,-GUEST_TSO4,-GUEST_TSO6,-GUEST_ECN,-GUEST_UFO";
    assertEquals(0, Cli.vqsim("generate", "--net", "tcp-stream", "--direction", "rx", "--count", "10", "--net-features", off, "-o", t2).code());
    Path out2 = tmp.resolve("out2");
    Cli.Result r2 = Cli.vqsim("replay", t2, "--strategy", "bounce", "--net-features", off, "-o", out2);
    assertEquals(0, r2.code(), r2.out() + r2.err());
    List<String[]> s2 = summary(out2.resolve("summary.arrow"), "rx_packets", "rx_buffer_kind", "bounce_bytes_per_packet");
    assertEquals("small", s2.get(0)[1]);
    assertEquals(453, Integer.parseInt(s2.get(0)[0]), "655360 bytes in 1448-byte segments");
  }

  @Test
  void netReplayIsDeterministic() throws Exception {
    Path t = tmp.resolve("u.arrow");
    assertEquals(0, Cli.vqsim("generate", "--net", "udp-stream", "--msg-size", "64", "--count", "5000", "--rate", "200000", "-o", t).code());
    for (String o : List.of("a", "b")) assertEquals(0, Cli.vqsim("replay", t, "--strategy", "all", "-o", tmp.resolve(o)).code());
    for (String f : List.of("summary.arrow", "requests.arrow", "latency.arrow")) {
      assertArrayEquals(Files.readAllBytes(tmp.resolve("a").resolve(f)), Files.readAllBytes(tmp.resolve("b").resolve(f)), f);
    }
  }

  @Test
  void latencyHistogramAgreesWithTheSummaryAndTheRequests() throws Exception {
    Path t = tmp.resolve("lat.arrow");
    assertEquals(0, Cli.vqsim("generate", "--net", "tcp-rr", "--msg-size", "64", "--count", "500", "-o", t).code());
    Path out = tmp.resolve("lat");
    Cli.Result r = Cli.vqsim("replay", t, "--strategy", "direct,viommu-strict", "-o", out);
    assertEquals(0, r.code(), r.out() + r.err());
    List<String[]> sum = summary(out.resolve("summary.arrow"), "strategy", "packets", "latency_p99_ns");
    List<String[]> hist = summary(out.resolve("latency.arrow"), "strategy", "bucket_low_ns", "bucket_high_ns", "count", "cumulative_count", "cumulative_fraction");
    List<String[]> req = summary(out.resolve("requests.arrow"), "strategy", "latency_ns");
    for (String[] s : sum) {
      List<String[]> h = hist.stream().filter(x -> x[0].equals(s[0])).toList();
      assertTrue(!h.isEmpty(), s[0]);
      // every packet in one bucket: the last cumulative count is the summary's packets, the fraction ends at 1
      assertEquals(Long.parseLong(s[1]), Long.parseLong(h.get(h.size() - 1)[4]), s[0]);
      assertEquals(1.0, Double.parseDouble(h.get(h.size() - 1)[5]), 1e-12);
      long packets = Long.parseLong(s[1]);
      // the summary's p99 is the upper end of the first bucket reaching 99%
      String[] p99 = h.stream().filter(x -> Long.parseLong(x[4]) >= Math.ceil(packets * 0.99)).findFirst().orElseThrow();
      assertEquals(Long.parseLong(s[2]), Long.parseLong(p99[2]) + 1, s[0]);
      // each bucket counts exactly the packets of requests.arrow whose latency falls in it
      for (String[] b : h) {
        long lo = Long.parseLong(b[1]), hi = Long.parseLong(b[2]);
        long n = req.stream().filter(x -> x[0].equals(s[0])).mapToLong(x -> Long.parseLong(x[1])).filter(v -> v >= lo && v <= hi).count();
        assertEquals(Long.parseLong(b[3]), n, s[0] + " bucket " + lo + ".." + hi);
      }
    }
  }

  @Test
  void badNetOptionsSayWhatIsWrong() {
    Cli.Result r = Cli.vqsim("generate", "--net", "tcp-bulk", "--count", "1", "-o", tmp.resolve("x.arrow"));
    assertTrue(r.code() != 0 && r.err().contains("--net must be tcp-stream, tcp-rr or udp-stream"), r.err());
    assertTrue(!Files.exists(tmp.resolve("x.arrow")));
    Cli.Result d = Cli.vqsim("generate", "--net", "tcp-stream", "--direction", "up", "--count", "1", "-o", tmp.resolve("y.arrow"));
    assertTrue(d.code() != 0 && d.err().contains("--direction must be tx, rx or both"), d.err());
  }

  @Test
  void messageSizeDefaultsFitTheWorkloadAndAnRrMessageFitsOnePacket() throws Exception {
    Path t = tmp.resolve("udp.arrow");
    Cli.Result g = Cli.vqsim("generate", "--net", "udp-stream", "--count", "3", "-o", t);
    assertEquals(0, g.code(), g.err());
    assertTrue(g.out().contains("65507 B messages"), g.out());
    Cli.Result big = Cli.vqsim("generate", "--net", "udp-stream", "--msg-size", "64k", "--count", "3", "-o", tmp.resolve("big.arrow"));
    assertTrue(big.code() != 0 && big.err().contains("at most 65507 bytes, not 65536"), big.err());
    Cli.Result s = Cli.vqsim("sweep", "--generate", "--net udp-stream --count 3", "-o", tmp.resolve("sw"));
    assertEquals(0, s.code(), s.out() + s.err());
    List<String[]> rows = summary(tmp.resolve("sw").resolve("sweep.arrow"), "trace");
    assertEquals("generated:net,udp-stream,tx,65507", rows.get(0)[0]);
    // tcp-rr: one byte each way unless told, and a message must fit in one packet each way
    Path rr = tmp.resolve("rr.arrow");
    Cli.Result r = Cli.vqsim("generate", "--net", "tcp-rr", "--count", "3", "-o", rr);
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("1 B messages"), r.out());
    assertEquals(0, Cli.vqsim("replay", rr, "--summary-only", "-o", tmp.resolve("rr")).code());
    Cli.Result tooBig = Cli.vqsim("generate", "--net", "tcp-rr", "--msg-size", "64k", "--count", "3", "-o", tmp.resolve("rr2.arrow"));
    assertTrue(tooBig.code() != 0 && tooBig.err().contains("at most 65160 bytes"), tooBig.err());
    Cli.Result noTso = Cli.vqsim("generate", "--net", "tcp-rr", "--msg-size", "2000", "--count", "3", "--net-features", "-HOST_TSO4,-HOST_TSO6,-GUEST_TSO4,-GUEST_TSO6",
        "-o", tmp.resolve("rr3.arrow"));
    assertTrue(noTso.code() != 0 && noTso.err().contains("at most 1448 bytes here (one packet each way: an MSS segment without TSO)"), noTso.err());
  }

  @Test
  void aPcapReplaysFromTheGuestsSide() throws Exception {
    Path pcap = Cli.samples().resolve("qemu-lab-net").resolve("tcp-rr.viommu-strict.pcap.gz");
    Cli.Result none = Cli.vqsim("replay", pcap, "--strategy", "direct", "-o", tmp.resolve("x"));
    assertTrue(none.code() != 0 && none.err().contains("--guest-mac or --guest-ip"), none.err());
    Cli.Result r = Cli.vqsim("replay", pcap, "--guest-mac", "52:54:00:12:70:02", "--strategy", "direct,viommu-strict", "-o", tmp.resolve("p"));
    assertEquals(0, r.code(), r.out() + r.err());
    List<String[]> s = summary(tmp.resolve("p").resolve("summary.arrow"), "strategy", "tx_packets", "rx_packets");
    assertTrue(Long.parseLong(s.get(0)[1]) >= 2005 && Long.parseLong(s.get(0)[2]) >= 2003, s.get(0)[1] + " " + s.get(0)[2]);
  }

  @Test
  void inspectDescribesNetworkTraces() throws Exception {
    Path dir = Cli.samples().resolve("qemu-lab-net");
    Cli.Result r = Cli.vqsim("inspect", dir.resolve("tcp-rr.viommu-strict.guest-ftrace.txt.gz"));
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("4008: 2005 transmitted, 2003 received"), r.out());
    assertTrue(r.out().contains("maps 1.992"), r.out());
    Path t = tmp.resolve("s.arrow");
    assertEquals(0, Cli.vqsim("generate", "--net", "tcp-stream", "--count", "10", "-o", t).code());
    Cli.Result g = Cli.vqsim("inspect", t);
    assertEquals(0, g.code(), g.err());
    assertTrue(g.out().contains("net-trace") && g.out().contains("GSO > 9018"), g.out());
  }
}
