package org.vqsim.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vqsim.replay.Cli.vqsim;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * sweep, fleet and inspect handle network runs: a sweep row of a network unit carries the packet rate
 * the replay's summary.arrow gives (iops = packets per simulated second, and sweep.arrow's pps and
 * gbit_per_s, null in block rows), fleet's rates are the replay's packets/s, inspect prints a network
 * result folder's packet columns and its locks, and a sweep folder's units in their own rates; the
 * sweep's table and report say packets/s for network units; a network replay writes locks.arrow in
 * block's schema.
 */
class NetSweepFleetTest {
  @TempDir Path dir;

  private static Map<String, Double> column(Path file, String key, String value) throws Exception {
    Map<String, Double> m = new HashMap<>();
    for (String[] r : NetWorkloadsTest.summary(file, key, value)) m.put(r[0], Double.parseDouble(r[1]));
    return m;
  }

  /** Columns as strings, nulls as "null". */
  private static List<String[]> objects(Path file, String... cols) throws Exception {
    List<String[]> rows = new java.util.ArrayList<>();
    org.vqsim.analysis.arrow.ArrowTables.scan(file, root -> {
      for (int r = 0; r < root.getRowCount(); r++) {
        String[] v = new String[cols.length];
        for (int i = 0; i < cols.length; i++) v[i] = String.valueOf(root.getVector(cols[i]).getObject(r));
        rows.add(v);
      }
      return true;
    });
    return rows;
  }

  @Test
  void aPcapIsSweptAndFleetedWithTheGuestsAddressAsReplayed() throws Exception {
    Path pcap = Cli.samples().resolve("qemu-lab-net").resolve("tcp-rx.direct.pcap.gz");
    String mac = "52:54:00:12:70:02";
    Path r = dir.resolve("r");
    assertThat(vqsim("replay", pcap, "--guest-mac", mac, "--strategy", "direct,bounce", "--summary-only", "-o", r).code()).isZero();
    Map<String, Double> pps = column(r.resolve("summary.arrow"), "strategy", "pps");
    assertThat(pps).hasSize(2);
    // without the guest's side a sweep says what is missing, and writes nothing
    Cli.Result none = vqsim("sweep", pcap, "--strategy", "direct", "-o", dir.resolve("none"));
    assertThat(none.code()).isNotZero();
    assertThat(none.err()).contains("--guest-mac or --guest-ip");
    assertThat(dir.resolve("none").resolve("sweep.arrow")).doesNotExist();
    Cli.Result bad = vqsim("sweep", pcap, "--strategy", "direct", "--replay", "--guest-mac 52:54:zz", "-o", dir.resolve("bad"));
    assertThat(bad.code()).isNotZero();
    assertThat(bad.err()).contains("--guest-mac must look like");
    // with it, each unit is the replay's run
    Path out = dir.resolve("sw");
    Cli.Result s = vqsim("sweep", pcap, "--strategy", "direct,bounce", "--replay", "--guest-mac " + mac, "-o", out);
    assertThat(s.code()).as(s.toString()).isZero();
    for (String[] row : NetWorkloadsTest.summary(out.resolve("sweep.arrow"), "strategy", "pps")) {
      assertThat(Double.parseDouble(row[1])).as(row[0]).isEqualTo(pps.get(row[0]));
    }
    Path f = dir.resolve("fl");
    Cli.Result fl = vqsim("fleet", pcap, "--guest-ip", "192.168.70.2", "-o", f);
    assertThat(fl.code()).as(fl.toString()).isZero();
    Map<String, Double> fleetPps = column(f.resolve("x86-kvm").resolve("summary.arrow"), "strategy", "pps");
    assertThat(fleetPps).containsKey("direct");
    // the guest's side by IP picks the same frames as by MAC
    assertThat(fleetPps.get("direct")).isEqualTo(pps.get("direct"));
  }

  @Test
  void aSweepOfAGeneratedNetworkWorkloadGivesTheReplaysPacketRates() throws Exception {
    String gen = "--net tcp-stream --direction rx --msg-size 64k --count 100";
    Path out = dir.resolve("sw");
    Cli.Result s = vqsim("sweep", "--generate", gen, "--strategy", "direct,bounce,viommu-strict", "--param", "backend=qemu,vhost", "-o", out);
    assertThat(s.code()).as(s.toString()).isZero();
    List<String[]> rows = NetWorkloadsTest.summary(out.resolve("sweep.arrow"), "backend", "strategy", "iops", "trace", "slowdown_vs_direct", "maps_per_request");
    assertThat(rows).hasSize(6);
    assertThat(rows.get(0)[3]).isEqualTo("generated:net,tcp-stream,rx,65536");
    // the same workload replayed by `vqsim replay`: the same packets per second, strategy by strategy
    Path t = dir.resolve("rx.arrow");
    assertThat(vqsim("generate", "--net", "tcp-stream", "--direction", "rx", "--msg-size", "64k", "--count", 100, "-o", t).code()).isZero();
    for (String backend : List.of("qemu", "vhost")) {
      Path r = dir.resolve("r-" + backend);
      assertThat(vqsim("replay", t, "--strategy", "direct,bounce,viommu-strict", "--backend", backend, "--summary-only", "-o", r).code()).isZero();
      Map<String, Double> pps = column(r.resolve("summary.arrow"), "strategy", "pps");
      Map<String, Double> maps = column(r.resolve("summary.arrow"), "strategy", "maps_per_packet");
      for (String[] row : rows) {
        if (!row[0].equals(backend)) continue;
        assertThat(Double.parseDouble(row[2])).as(backend + " " + row[1]).isCloseTo(pps.get(row[1]), org.assertj.core.data.Percentage.withPercentage(1e-9));
        assertThat(Double.parseDouble(row[5])).as(backend + " " + row[1] + " maps").isEqualTo(maps.get(row[1]));
      }
    }
    double strict = rows.stream().filter(x -> x[0].equals("qemu") && x[1].equals("viommu-strict")).mapToDouble(x -> Double.parseDouble(x[4])).findFirst().orElseThrow();
    assertThat(strict).as("viommu-strict receives slower than direct").isGreaterThan(1.5);
  }

  @Test
  void networkUnitsHavePacketRatesAndGbitPerSecondInSweepArrowTheTableTheReportAndInspect() throws Exception {
    Path t = dir.resolve("rx.arrow");
    assertThat(vqsim("generate", "--net", "tcp-stream", "--direction", "rx", "--msg-size", "64k", "--count", 100, "-o", t).code()).isZero();
    Path out = dir.resolve("sw");
    Cli.Result s = vqsim("sweep", t, "--generate", "--rw randread --count 500", "--strategy", "direct,bounce,viommu-strict", "-o", out, "--report");
    assertThat(s.code()).as(s.toString()).isZero();
    // the network unit's own columns: what `vqsim replay` writes in its summary.arrow (pps, gbit_per_s); null in block rows
    Path r = dir.resolve("r");
    assertThat(vqsim("replay", t, "--strategy", "direct,bounce,viommu-strict", "--summary-only", "-o", r).code()).isZero();
    Map<String, Double> pps = column(r.resolve("summary.arrow"), "strategy", "pps"), gbit = column(r.resolve("summary.arrow"), "strategy", "gbit_per_s");
    List<String[]> rows = objects(out.resolve("sweep.arrow"), "trace", "strategy", "iops", "pps", "gbit_per_s", "mib_per_s");
    assertThat(rows).hasSize(6);
    int net = 0;
    for (String[] x : rows) {
      if (x[0].equals("rx.arrow")) {
        net++;
        assertThat(Double.parseDouble(x[3])).as(x[1] + " pps").isEqualTo(pps.get(x[1]));
        assertThat(Double.parseDouble(x[3])).as(x[1] + " pps = iops").isCloseTo(Double.parseDouble(x[2]), org.assertj.core.data.Percentage.withPercentage(1e-9));
        assertThat(Double.parseDouble(x[4])).as(x[1] + " Gb/s").isEqualTo(gbit.get(x[1]));
        assertThat(Double.parseDouble(x[4])).as(x[1] + " Gb/s from the frame bytes").isCloseTo(Double.parseDouble(x[5]) * 1048576 * 8 / 1e9,
            org.assertj.core.data.Percentage.withPercentage(1e-6));
      } else {
        assertThat(x[3]).as(x[1] + ": a block unit has no pps").isEqualTo("null");
        assertThat(x[4]).isEqualTo("null");
      }
    }
    assertThat(net).isEqualTo(3);
    org.apache.arrow.vector.types.pojo.Schema schema = org.vqsim.analysis.arrow.ArrowTables.schema(out.resolve("sweep.arrow"));
    assertThat(schema.findField("gbit_per_s").isNullable()).isTrue();
    assertThat(schema.findField("gbit_per_s").getMetadata()).containsEntry("unit", "Gb/s");
    assertThat(schema.findField("pps").getMetadata()).containsEntry("unit", "packets/s");
    // the printed table: a sweep of both kinds labels each rate
    assertThat(s.out()).contains("IOPS|packets/s").contains("Gb/s").contains(" pps ");
    // the report's sweep section: network rows in packets/s with their Gb/s, block rows in IOPS
    String html = java.nio.file.Files.readString(out.resolve("report.html"));
    assertThat(html).contains("IOPS or packets per second against").contains("Block and network units together").contains(" pps</td>").contains(" IOPS</td>")
        .contains("requests or packets per replay");
    // inspect of the sweep folder: each unit in its own rate
    Cli.Result i = vqsim("inspect", out);
    assertThat(i.code()).as(i.toString()).isZero();
    assertThat(i.out()).contains("sweep of 6 combinations: 3 block units, 3 network units");
    String directNet = i.out().lines().filter(l -> l.startsWith("rx.arrow") && l.contains(" direct ")).findFirst().orElseThrow();
    assertThat(directNet).contains("network").contains(String.format(java.util.Locale.ROOT, "%.0f packets/s", pps.get("direct")))
        .contains(String.format(java.util.Locale.ROOT, "%.2f", gbit.get("direct")));
    assertThat(i.out().lines().filter(l -> l.startsWith("generated") && l.contains(" direct ")).findFirst().orElseThrow()).contains("block").contains(" IOPS");

    // a sweep of network units only: packets/s throughout, and a Gb/s chart
    Cli.Result g = vqsim("sweep", "--generate", "--net udp-stream --count 300", "--strategy", "direct,bounce", "--param", "msg-size=64,1400", "-o", dir.resolve("sw2"),
        "--report");
    assertThat(g.code()).as(g.toString()).isZero();
    assertThat(g.out()).contains("packets/s").contains("Gb/s").contains("cycles/pkt").doesNotContain("IOPS");
    String html2 = java.nio.file.Files.readString(dir.resolve("sw2/report.html"));
    assertThat(html2).contains("Packets per second against msg-size").contains("Gb/s against msg-size").contains("Cycles per packet against msg-size")
        .doesNotContain("IOPS against");
  }

  @Test
  void aNetworkReplayWritesLocksArrowInTheBlockSchema() throws Exception {
    Path t = dir.resolve("u.arrow");
    assertThat(vqsim("generate", "--net", "udp-stream", "--direction", "both", "--msg-size", "1400", "--count", 2000, "--streams", 4, "-o", t).code()).isZero();
    Path out = dir.resolve("net");
    Cli.Result r = vqsim("replay", t, "--strategy", "direct,bounce,viommu-strict,virtio-iommu", "--vcpus", 4, "--queues", 4, "-o", out);
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out()).contains("Wrote lock contention to");
    assertThat(Cli.list(out)).containsExactly("latency.arrow", "locks.arrow", "requests.arrow", "summary.arrow");
    // the same schema as a block replay's locks.arrow
    Path b = dir.resolve("b.arrow");
    assertThat(vqsim("generate", "--rw", "randread", "--count", 200, "-o", b).code()).isZero();
    assertThat(vqsim("replay", b, "--strategy", "direct", "-o", dir.resolve("blk")).code()).isZero();
    assertThat(org.vqsim.analysis.arrow.ArrowTables.schema(out.resolve("locks.arrow")).getFields())
        .isEqualTo(org.vqsim.analysis.arrow.ArrowTables.schema(dir.resolve("blk/locks.arrow")).getFields());
    assertThat(org.vqsim.analysis.arrow.ArrowTables.metadata(out.resolve("locks.arrow"))).containsEntry("vqsim.kind", "locks");
    Map<String, Map<String, String[]>> byStrategy = new HashMap<>();
    for (String[] x : objects(out.resolve("locks.arrow"), "strategy", "lock", "kind", "instances", "acquisitions", "contended", "wait_ns_total")) {
      byStrategy.computeIfAbsent(x[0], k -> new HashMap<>()).put(x[1], x);
      assertThat(Long.parseLong(x[5])).as(x[0] + " " + x[1]).isBetween(0L, Long.parseLong(x[4]));
    }
    assertThat(byStrategy.keySet()).containsExactlyInAnyOrder("direct", "bounce", "viommu-strict", "virtio-iommu");
    for (Map<String, String[]> locks : byStrategy.values()) {
      // a receiveq and a transmitq per queue pair, each with its spinlock, taken by every pass over it
      assertThat(locks.get("virtqueue")[3]).isEqualTo("8");
      assertThat(locks.get("virtqueue")[2]).isEqualTo("spin");
      assertThat(Long.parseLong(locks.get("virtqueue")[4])).isGreaterThan(4000);
    }
    assertThat(byStrategy.get("direct")).doesNotContainKey("swiotlb.area");
    assertThat(Long.parseLong(byStrategy.get("bounce").get("swiotlb.area")[4])).as("every bounced buffer takes an area lock").isGreaterThan(4000);
    assertThat(Long.parseLong(byStrategy.get("viommu-strict").get("vtd.qi_lock")[4])).as("each invalidation under the queued-invalidation lock").isGreaterThan(4000);
    assertThat(byStrategy.get("virtio-iommu")).containsKey("virtio_iommu.request_lock");
    // inspect shows them beside the summary
    Cli.Result i = vqsim("inspect", out);
    assertThat(i.code()).as(i.toString()).isZero();
    assertThat(i.out()).containsPattern("locks waited for \\(locks\\.arrow\\)|locks: \\d+ holds taken");
  }

  @Test
  void aSweepOverANetworkTraceAndItsMessageSizes() throws Exception {
    Path t = dir.resolve("rr.arrow");
    assertThat(vqsim("generate", "--net", "tcp-rr", "--msg-size", "64", "--count", 200, "-o", t).code()).isZero();
    Cli.Result s = vqsim("sweep", t, "--strategy", "direct,virtio-iommu", "-o", dir.resolve("sw"));
    assertThat(s.code()).as(s.toString()).isZero();
    assertThat(NetWorkloadsTest.summary(dir.resolve("sw/sweep.arrow"), "trace", "requests")).extracting(r -> r[0] + " " + r[1])
        .containsExactly("rr.arrow 400", "rr.arrow 400");
    Cli.Result g = vqsim("sweep", "--generate", "--net udp-stream --count 500", "--strategy", "direct", "--param", "msg-size=64,1400", "-o", dir.resolve("sw2"));
    assertThat(g.code()).as(g.toString()).isZero();
    List<String[]> rows = NetWorkloadsTest.summary(dir.resolve("sw2/sweep.arrow"), "msg-size", "mib_per_s");
    assertThat(rows).hasSize(2);
    assertThat(Double.parseDouble(rows.get(1)[1])).as("1400-byte datagrams carry more bytes per second than 64-byte ones").isGreaterThan(Double.parseDouble(rows.get(0)[1]));
  }

  @Test
  void fleetOfANetworkTraceRatesEachGuestInPacketsPerSecond() throws Exception {
    Path t = dir.resolve("rr.arrow");
    assertThat(vqsim("generate", "--net", "tcp-rr", "--msg-size", "64", "--count", 200, "-o", t).code()).isZero();
    Cli.Result f = vqsim("fleet", t, "-o", dir.resolve("fl"));
    assertThat(f.code()).as(f.toString()).isZero();
    assertThat(f.out()).contains("direct's packets/s");
    Map<String, Double> pps = column(dir.resolve("fl/x86-kvm/summary.arrow"), "strategy", "pps");
    int checked = 0;
    for (String[] r : objects(dir.resolve("fl/fleet.arrow"), "profile", "strategy", "iops")) {
      if (!r[0].equals("x86-kvm") || r[2].equals("null")) continue; // a guest that gets no working strategy has no rate
      assertThat(Double.parseDouble(r[2])).as(r[1]).isEqualTo(pps.get(r[1]));
      checked++;
    }
    assertThat(checked).isGreaterThan(5);
    Cli.Result i = vqsim("inspect", dir.resolve("fl"));
    assertThat(i.code()).as(i.toString()).isZero();
    assertThat(i.out()).contains("network replay of rr.arrow, profile x86-kvm").contains("network replay of rr.arrow, profile power9-kvm").contains("pps")
        .contains("gbit_per_s").contains("maps_per_packet");
  }

  @Test
  void fleetOfALabNetworkCapture() {
    Path cap = Cli.samples().resolve("qemu-lab-net").resolve("tcp-rr.direct.guest-ftrace.txt.gz");
    assertThat(cap).exists();
    Cli.Result f = vqsim("fleet", cap, "--platform", "x86-intel-iommu", "-o", dir.resolve("fl"));
    assertThat(f.code()).as(f.toString()).isZero();
    assertThat(f.out()).contains("viommu-strict");
  }

  @Test
  void inspectOfAFolderWithoutResultsSaysSo() {
    Cli.Result i = vqsim("inspect", dir);
    assertThat(i.code()).isEqualTo(ExitCodes.NO_INPUT);
    assertThat(i.err()).contains("a folder without summary.arrow or sweep.arrow").doesNotContain("Exception");
  }
}
