package org.vqsim.replay.timing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.BitSet;
import org.junit.jupiter.api.Test;
import org.vqsim.engine.cost.CostFigure;
import org.vqsim.engine.cost.CostProfile;
import org.vqsim.engine.dma.StrategyId;

/**
 * What makes a fit fast without changing it: a figure the model does not read cannot change a replay,
 * and runs with the same modelled input share their replays.
 */
class ReplaySharingTest {
  static Path lab() {
    return org.vqsim.replay.CliSamples.samples().resolve("qemu-lab-timing");
  }

  @Test
  void aFigureTheReplayDoesNotReadChangesNoTime() throws IOException {
    Path g = lab().resolve("seqwrite128k.direct.boot1.guest-ftrace.txt.gz");
    ModelRun m = new ModelRun(g, StrategyId.of("direct"), 1, 1);
    CostProfile base = CostProfile.builtIn("x86-kvm");
    BitSet read = new BitSet();
    ModelRun.Times t0 = m.replayForFit(base.recordingReads(read));
    assertTrue(read.get(CostFigure.KICK_EXIT_CYCLES.ordinal()), "the driver reads the kick");
    assertTrue(read.get(CostFigure.BACKEND_LATENCY_NS.ordinal()), "the device reads the backend latency");
    assertFalse(read.get(CostFigure.VIOMMU_MAP_CYCLES.ordinal()), "no vIOMMU under direct");
    assertFalse(read.get(CostFigure.BOUNCE_COPY_CYCLES_PER_KIB.ordinal()), "no bounce under direct");
    // not read: raising it changes nothing; read: raising it changes the latency
    ModelRun.Times tv = m.replayForFit(base.withOverride(CostFigure.VIOMMU_MAP_CYCLES.key, 1e6));
    assertArrayEquals(t0.latencyNs(), tv.latencyNs());
    assertArrayEquals(t0.serviceNs(), tv.serviceNs());
    ModelRun.Times tk = m.replayForFit(base.withOverride(CostFigure.KICK_EXIT_CYCLES.key, 1e6));
    assertTrue(tk.latencyNs()[0] > t0.latencyNs()[0]);
  }

  @Test
  void bootsWithTheSameRequestsShareTheirReplays() throws IOException {
    CostProfile base = CostProfile.builtIn("x86-kvm");
    Path b1 = lab().resolve("randread4k.direct.boot1.guest-ftrace.txt.gz"), b2 = lab().resolve("randread4k.direct.boot2.guest-ftrace.txt.gz");
    Path bounce = lab().resolve("randread4k.bounce.boot1.guest-ftrace.txt.gz"), seq = lab().resolve("seqread64k.direct.boot1.guest-ftrace.txt.gz");
    Calibration.Run r1 = Calibration.load(b1, null, "direct", base), r2 = Calibration.load(b2, null, "direct", base);
    Calibration.Run r3 = Calibration.load(bounce, null, "bounce", base), r4 = Calibration.load(seq, null, "direct", base);
    // same requests, issued at other times (a closed loop does not read them): one replay
    assertTrue(r1.model().sameReplayForFit(r2.model()));
    assertFalse(r1.model().sameReplayForFit(r3.model()), "another strategy");
    assertFalse(r1.model().sameReplayForFit(r4.model()), "other requests");
    assertArrayEquals(new int[] {0, 1, 0, 2}, Calibration.distinctInputs(java.util.List.of(r1, r3, r2, r4)));
    // and the times are indeed the same
    assertArrayEquals(r1.model().replayForFit(base).latencyNs(), r2.model().replayForFit(base).latencyNs());
  }
}
