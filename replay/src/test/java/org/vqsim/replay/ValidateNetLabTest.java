package org.vqsim.replay;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.vqsim.engine.cost.CostProfile;
import org.vqsim.engine.device.net.NetFeatures;
import org.vqsim.engine.dma.DmaOptions;
import org.vqsim.engine.dma.StrategyId;
import org.vqsim.engine.ring.Ring;
import org.vqsim.engine.sim.ReplayConfig;

/**
 * Every bundled net lab run (samples/qemu-lab-net) replayed under its mode's strategy and features.
 *
 * <p>The per-buffer figures (maps, unmaps, bounces, bounce bytes, invalidations per packet) follow
 * exact rules and must be within 10% in every run. Kicks and interrupts depend on batching, i.e. on
 * how fast guest and device are relative to the packets: the lab ran under TCG (the guest emulated,
 * QEMU native) and the model costs a KVM host, so for the streams they are a known miss — the model
 * notifies more often than the TCG run did (it is idle between the capture's packets) and the test
 * pins that direction; tcp-rr (one packet in flight, no batching possible) must be within 50%.
 */
class ValidateNetLabTest {
  static final String NOOFFLOAD = "-CSUM,-GUEST_CSUM,-HOST_TSO4,-HOST_TSO6,-HOST_ECN,-HOST_UFO,-GUEST_TSO4,-GUEST_TSO6,-GUEST_ECN,-GUEST_UFO";

  static String strategyOf(String mode) {
    return switch (mode) {
      // swiotlb=force behind the vIOMMU bounces nothing: dma-iommu bounces only untrusted devices (lab README §6.5)
      case "viommu-strict-bounce" -> "viommu-strict";
      case "virtio-iommu-strict" -> "virtio-iommu";
      default -> mode;
    };
  }

  static List<String> runs() {
    List<String> r = new ArrayList<>();
    for (String w : List.of("tcp-tx", "tcp-rx", "tcp-rr")) {
      for (String m : List.of("direct", "bounce", "viommu-strict", "viommu-strict-bounce", "virtio-iommu-strict", "virtio-iommu-bypass")) r.add(w + "." + m);
      r.add(w + ".viommu-strict.nooffload");
      r.add(w + ".bounce.nooffload");
    }
    return r;
  }

  static NetValidation.Outcome validate(String run) throws Exception {
    Path dir = Cli.samples().resolve("qemu-lab-net");
    String[] parts = run.split("\\.");
    String features = parts.length > 2 && parts[2].equals("nooffload") ? NOOFFLOAD : null;
    CostProfile p = CostProfile.load("x86-kvm");
    StrategyId id = StrategyOptions.resolve(List.of(strategyOf(parts[1])), p).get(0);
    ReplayConfig c = ReplayConfig.defaults().withTopology(1, 1, 0);
    return NetValidation.run(dir.resolve(run + ".guest-ftrace.txt.gz"), dir.resolve(run + ".qemu-trace.log.gz"), id, p, c, DmaOptions.defaults(), Ring.SPLIT,
        NetFeatures.parse(features));
  }

  @Test
  void everyNetLabRunWithinTheIssuesTolerances() throws Exception {
    StringBuilder table = new StringBuilder();
    List<String> misses = new ArrayList<>();
    List<String> batchingMisses = new ArrayList<>();
    for (String run : runs()) {
      NetValidation.Outcome o = validate(run);
      StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-34s %5d pkts", run, o.guest().packets()));
      for (NetValidation.Metric m : o.metrics()) {
        row.append(String.format(Locale.ROOT, " | %s %.3f/%.3f %s", m.name(), m.observed(), m.modelled(), m.errorPct() == null ? "-" : String.format(Locale.ROOT, "%+.0f%%", m.errorPct())));
        String what = run + " " + m.name() + " " + String.format(Locale.ROOT, "%+.1f%%", m.errorPct() == null ? 0.0 : m.errorPct());
        if (m.errorPct() == null) continue;
        if (!m.batching() && Math.abs(m.errorPct()) > 10) misses.add(what);
        if (m.batching() && run.startsWith("tcp-rr") && Math.abs(m.errorPct()) > 50) misses.add(what);
        if (m.batching() && !run.startsWith("tcp-rr")) {
          batchingMisses.add(what);
          // the known miss: an idle KVM-costed device and guest notify at least as often as the TCG run
          if (m.errorPct() < -10) misses.add(what + " (fewer notifications than the TCG run: the known miss's direction changed)");
        }
      }
      table.append(row).append('\n');
    }
    System.out.println(table);
    System.out.println("stream kicks/interrupts (timing-dependent, TCG capture vs KVM costs): " + batchingMisses);
    assertTrue(misses.isEmpty(), "beyond tolerance: " + misses);
  }

  @Test
  void validateRecognisesANetworkCaptureAndWritesPerPacketMetrics(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
    Path dir = Cli.samples().resolve("qemu-lab-net");
    Cli.Result r = Cli.vqsim("validate", dir.resolve("tcp-rr.viommu-strict.guest-ftrace.txt.gz"), dir.resolve("tcp-rr.viommu-strict.qemu-trace.log.gz"),
        "--strategy", "viommu-strict", "--tolerance", "10", "-o", tmp);
    assertTrue(r.code() == 0, r.out() + r.err());
    assertTrue(r.out().contains("network run, 4008 packets (2005 transmitted, 2003 received)"), r.out());
    for (String m : List.of("maps", "unmaps", "bounces", "bounce_bytes", "invalidations", "kicks", "interrupts")) assertTrue(r.out().contains(m), m);
    assertTrue(java.nio.file.Files.exists(tmp.resolve("validation.arrow")));
    // a stream's interrupts are a known miss beyond 50% (TCG capture against KVM costs): exit 3 with --tolerance
    Cli.Result s = Cli.vqsim("validate", dir.resolve("tcp-rx.viommu-strict.guest-ftrace.txt.gz"), dir.resolve("tcp-rx.viommu-strict.qemu-trace.log.gz"),
        "--strategy", "viommu-strict", "--tolerance", "10");
    assertTrue(s.code() == ExitCodes.CHECK_FAILED, s.out() + s.err());
    // features are checked
    Cli.Result bad = Cli.vqsim("validate", dir.resolve("tcp-rr.direct.guest-ftrace.txt.gz"), "--strategy", "direct", "--net-features", "-NOPE");
    assertTrue(bad.code() != 0 && bad.err().contains("unknown virtio-net feature '-NOPE'"), bad.err());
  }
}
