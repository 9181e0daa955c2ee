package org.vqsim.capture.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.vqsim.capture.observed.LabTracePaths;

/** The net lab's own figures (samples/qemu-lab-net/README.md §5, from its analysis script) read back from the bundled files. */
class NetLabFiguresTest {
  private static Path lab(String f) {
    return LabTracePaths.lab("qemu-lab-net", f);
  }

  @Test
  void guestWindowCountsMatchTheLabTable() throws Exception {
    // tcp-rr.viommu-strict: 2005 tx, 2003 rx packets; tx maps per tx packet 2.995 (3 per 64-byte request: header, payload, indirect table)
    NetGuestTrace g = NetGuestTrace.read(lab("tcp-rr.viommu-strict.guest-ftrace.txt.gz"));
    assertTrue(g.windowed);
    assertEquals(2005, g.txPackets);
    assertEquals(2003, g.rxPackets);
    assertEquals(4008, g.packets());
    // tcp-rx.bounce: 121 tx, 280 rx packets, 62720 rx bounce bytes per rx packet
    NetGuestTrace b = NetGuestTrace.read(lab("tcp-rx.bounce.guest-ftrace.txt.gz"));
    assertEquals(121, b.txPackets);
    assertEquals(280, b.rxPackets);
    assertEquals(0, b.maps);
    assertTrue(b.bounces > 15 * 280, "mergeable buffers: about 15.5 bounces per rx packet, got " + b.bounces);
  }

  @Test
  void qemuWindowMatchesTheGuestsPacketCounts() throws Exception {
    // the lab checked tx_packets = QEMU tx pops and rx_packets = QEMU rx flushes in all runs
    for (String run : new String[] {"tcp-rr.viommu-strict", "tcp-rx.virtio-iommu-strict", "tcp-tx.bounce", "tcp-rx.direct"}) {
      NetGuestTrace g = NetGuestTrace.read(lab(run + ".guest-ftrace.txt.gz"));
      NetQemuLog q = NetQemuLog.read(lab(run + ".qemu-trace.log.gz"));
      assertEquals(g.txPackets, q.txPackets, run + " tx");
      assertEquals(g.rxPackets, q.rxPackets, run + " rx");
    }
    NetQemuLog rr = NetQemuLog.read(lab("tcp-rr.viommu-strict.qemu-trace.log.gz"));
    // exactly one VT-d page invalidation per map and per unmap: tcp-rr 3.99 per packet
    assertEquals(3.99, (double) rr.invalidations() / rr.packets(), 0.005);
    // one tx kick, one tx interrupt and one rx interrupt per packet in tcp-rr
    assertEquals(1.0, (double) rr.txKicks / rr.txPackets, 0.01);
    assertEquals(1.0, (double) rr.rxInterrupts / rr.rxPackets, 0.01);
  }
}
