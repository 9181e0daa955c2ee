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
 * the replay's summary.arrow gives (iops = packets per simulated second), fleet's rates are the
 * replay's packets/s, inspect prints a network result folder's packet columns.
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
    assertThat(i.err()).contains("a folder without summary.arrow").doesNotContain("Exception");
  }
}
