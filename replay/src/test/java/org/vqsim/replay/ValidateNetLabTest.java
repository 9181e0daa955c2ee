package org.vqsim.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.vqsim.engine.cost.CostProfile;
import org.vqsim.engine.device.net.NetFeatures;
import org.vqsim.engine.dma.DmaOptions;
import org.vqsim.engine.dma.StrategyId;
import org.vqsim.engine.ring.Ring;
import org.vqsim.engine.sim.ReplayConfig;

/**
 * Every bundled net lab run (samples/qemu-lab-net) replayed under its mode's strategy and features,
 * with the profile of the lab's own machine: {@code qemu-tcg-x86} (the lab ran under TCG; its
 * network figures are measured from these captures' timestamps, never from their counts).
 *
 * <p>The per-buffer figures (maps, unmaps, bounces, bounce bytes, invalidations per packet) follow
 * exact rules and must be within 10% in every run. Kicks and interrupts depend on batching and must be
 * within 50% — except the misses pinned in {@link #KNOWN_MISSES} with the error they miss by
 * (docs/NET-NOTES.md explains each); a pinned miss that comes within 50% fails too, so the list and
 * the note stay true, and so does one that grows by more than a percentage point beyond its pinned
 * error (a regression).
 */
class ValidateNetLabTest {
  static final String NOOFFLOAD = "-CSUM,-GUEST_CSUM,-HOST_TSO4,-HOST_TSO6,-HOST_ECN,-HOST_UFO,-GUEST_TSO4,-GUEST_TSO6,-GUEST_ECN,-GUEST_UFO";
  static final String PROFILE = "qemu-tcg-x86";

  /**
   * Run and metric → the error measured at seed 1 (the default), %: positive, the model notifies more
   * than 50% more often; negative, more than 50% less. tcp-rx under virtio-iommu (interrupts) and
   * tcp-tx under virtio-iommu (kicks and interrupts): a virtio-iommu request is charged the pieces
   * measured on the virtio-iommu block lab (13.3 µs a round trip), while the net lab's own QEMU logs
   * show the same requests 2-2.5 times slower (notify→pop 4.0-4.6 µs against 1.9-2.2, pop→flush
   * 12.9-14.5 against 5.2-6.2), and a translation the block lab's (2.16 µs per modelled translation),
   * while the net lab's QEMU spent 39.6 µs more per transmit chain under virtio-iommu than under bypass
   * (67.1 against 27.5 µs), so the model's device and receive path are faster than the lab's: fewer
   * frames per poll, notifications back on sooner (the tcp-tx misses since the measured translation;
   * they were +28% and +47% while a translation cost the VT-d block fit, 17.8 µs); tcp-tx.viommu-strict (interrupts; the kicks are within at +50.0% with seed 1, the default, and +51.5% with
   * seeds 2 and 3): the model's QEMU charges a VT-d
   * translation 53k cycles (block fit), the lab's QEMU logs bound it at 5-18k; tcp-tx.viommu-strict
   * without offloads (kicks, -64% with the guest's stalls, -40% without): the guest's stalls lengthen a
   * super-packet's segment burst while that too slow QEMU is still busy with notifications off; the
   * receive streams without offloads: the lab's TCG guest was slower per frame than its QEMU and took
   * one interrupt per burst; its short stalls are modelled and match the lab's per frame, but inside its
   * polls its vCPU also stood still for milliseconds (16.5 us per frame under bounce), mostly until a
   * transmit interrupt that QEMU's main loop raised before serving the tap under the BQL, which is not
   * modelled (the receiver running between ksoftirqd's polls is not either; tried, it moves neither
   * figure). docs/NET-NOTES.md ("Between the polls") has the measurements.
   */
  static final Map<String, Double> KNOWN_MISSES = Map.of(
      "tcp-tx.viommu-strict interrupts", +58.3,
      "tcp-tx.viommu-strict.nooffload kicks", -64.1,
      "tcp-rx.viommu-strict.nooffload kicks", +149.4,
      "tcp-rx.bounce.nooffload interrupts", +224.3,
      "tcp-rx.virtio-iommu-strict interrupts", +116.9,
      "tcp-tx.virtio-iommu-strict kicks", +65.5,
      "tcp-tx.virtio-iommu-strict interrupts", +61.4);

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
    CostProfile p = CostProfile.load(PROFILE);
    StrategyId id = StrategyOptions.resolve(List.of(strategyOf(parts[1])), p).get(0);
    ReplayConfig c = ReplayConfig.defaults().withTopology(1, 1, 0);
    return NetValidation.run(dir.resolve(run + ".guest-ftrace.txt.gz"), dir.resolve(run + ".qemu-trace.log.gz"), id, p, c, DmaOptions.defaults(), Ring.SPLIT,
        NetFeatures.parse(features));
  }

  @Test
  void everyNetLabRunWithinTheIssuesTolerances() throws Exception {
    StringBuilder table = new StringBuilder();
    List<String> misses = new ArrayList<>();
    Set<String> pinnedSeen = new TreeSet<>();
    for (String run : runs()) {
      NetValidation.Outcome o = validate(run);
      StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-34s %5d pkts", run, o.guest().packets()));
      for (NetValidation.Metric m : o.metrics()) {
        row.append(String.format(Locale.ROOT, " | %s %.3f/%.3f %s", m.name(), m.observed(), m.modelled(), m.errorPct() == null ? "-" : String.format(Locale.ROOT, "%+.0f%%", m.errorPct())));
        if (m.errorPct() == null) continue;
        String key = run + " " + m.name();
        String what = key + " " + String.format(Locale.ROOT, "%+.1f%%", m.errorPct());
        if (!m.batching()) {
          if (Math.abs(m.errorPct()) > 10) misses.add(what);
          continue;
        }
        Double pinned = KNOWN_MISSES.get(key);
        if (pinned == null) {
          if (Math.abs(m.errorPct()) > 50) misses.add(what + " (beyond 50%, not a known miss)");
        } else {
          pinnedSeen.add(key);
          if (Math.signum(m.errorPct()) != Math.signum(pinned) || Math.abs(m.errorPct()) <= 50) misses.add(what + " (a pinned miss changed: update KNOWN_MISSES and docs/NET-NOTES.md)");
          else if (Math.abs(m.errorPct()) > Math.abs(pinned) + 1) misses.add(what + " (a pinned miss grew beyond its pinned " + pinned + "%: a regression)");
        }
      }
      // GRO: in the lab's streams every received packet went up alone but in the receive runs without
      // offloads (GSO packets from the device and ACKs are not merged), and so must it in the model;
      // without offloads the model merges at least as much as the lab (it does not see the
      // header-driven flushes), and the lab merged 10-22 frames per skb. In tcp-rr (one request in
      // flight in the lab) the model merges only requests its own queueing put in one poll: below 3% (1% before
      // the guest's stalls: the replay keeps the capture's times, open loop, so a stall longer than the gap
      // to the next request puts both in one poll — 40 and 37 of 2003 under viommu-strict, 12 under
      // virtio-iommu)
      long observedSkbs = o.guest().rxSkbs, modelledSkbs = o.model().rxSkbs(), received = o.model().rxPackets();
      row.append(String.format(Locale.ROOT, " | skbs %d/%d", observedSkbs, modelledSkbs));
      String gro = run + " GRO skbs observed/modelled " + observedSkbs + "/" + modelledSkbs + " of " + received + " received";
      if (run.startsWith("tcp-rx.") && run.endsWith(".nooffload")) {
        if (modelledSkbs > observedSkbs || modelledSkbs * 5 > received) misses.add(gro);
      } else if (run.startsWith("tcp-rr.")) {
        if (observedSkbs != o.guest().rxPackets || modelledSkbs < received * 0.97) misses.add(gro);
      } else if (modelledSkbs != observedSkbs || modelledSkbs != received) {
        misses.add(gro);
      }
      table.append(row).append('\n');
    }
    System.out.println(table);
    assertTrue(misses.isEmpty(), "beyond tolerance: " + misses);
    assertEquals(new TreeSet<>(KNOWN_MISSES.keySet()), pinnedSeen);
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
    assertTrue(r.out().contains("Notifications (observed / modelled): transmit kicks 2005 / "), r.out());
    assertTrue(r.out().contains("-p qemu-tcg-x86"), r.out());
    // with the KVM profile a TCG capture's stream notifies far more often: beyond 50%, exit 3 with --tolerance
    Cli.Result s = Cli.vqsim("validate", dir.resolve("tcp-rx.viommu-strict.guest-ftrace.txt.gz"), dir.resolve("tcp-rx.viommu-strict.qemu-trace.log.gz"),
        "--strategy", "viommu-strict", "--tolerance", "10");
    assertTrue(s.code() == ExitCodes.CHECK_FAILED, s.out() + s.err());
    // with the lab's own speeds the same run is within the issue's tolerances (10% per buffer, 50% batching)
    Cli.Result t = Cli.vqsim("validate", dir.resolve("tcp-rx.viommu-strict.guest-ftrace.txt.gz"), dir.resolve("tcp-rx.viommu-strict.qemu-trace.log.gz"),
        "--strategy", "viommu-strict", "-p", PROFILE, "--tolerance", "10");
    assertTrue(t.code() == 0, t.out() + t.err());
    // features are checked
    Cli.Result bad = Cli.vqsim("validate", dir.resolve("tcp-rr.direct.guest-ftrace.txt.gz"), "--strategy", "direct", "--net-features", "-NOPE");
    assertTrue(bad.code() != 0 && bad.err().contains("unknown virtio-net feature '-NOPE'"), bad.err());
  }
}
