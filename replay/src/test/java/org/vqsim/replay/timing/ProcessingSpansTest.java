package org.vqsim.replay.timing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vqsim.engine.cost.CostFigure;
import org.vqsim.engine.cost.CostProfile;

/** The IOMMU steps a QEMU log times on its own: spans paired as documented, mean, interval and residual. */
class ProcessingSpansTest {
  @TempDir Path dir;

  @Test
  void pairsEachPageInvalidationWithItsWaitAndEachIommuRequestWithItsFill() throws IOException {
    Path log = dir.resolve("q.log");
    Files.writeString(log, String.join("\n",
        "7@100.000010:vtd_inv_desc_iotlb_pages iotlb invalidate domain 0x5 addr 0xffffe000 mask 0x1",
        "7@100.000013:vtd_inv_desc_wait_sw wait invalidate status write addr 0x11c7124 data 0x2",
        "7@100.000020:vtd_inv_desc_wait_sw wait invalidate status write addr 0x11c712c data 0x2", // a wait alone: no span
        "7@100.000030:vtd_inv_desc_iotlb_pages iotlb invalidate domain 0x5 addr 0xffffd000 mask 0x0",
        "8@100.000031:vtd_inv_desc_wait_sw wait invalidate status write addr 0x1 data 0x2", // another thread: not its wait
        "7@100.000035:vtd_inv_desc_wait_sw wait invalidate status write addr 0x11c7134 data 0x2",
        "9@100.000100:virtqueue_pop vq 0x1 elem 0xa in_num 1 out_num 1",
        "9@100.000102:virtio_iommu_map domain=3 virt_start=0xffffe000 virt_end=0xffffffff phys_start=0x2b06000 flags=3",
        "9@100.000107:virtqueue_fill vq 0x1 elem 0xa len 4 idx 0",
        "9@100.000200:virtqueue_pop vq 0x2 elem 0xb in_num 2 out_num 1", // a block request: not an IOMMU one
        "9@100.000300:virtqueue_fill vq 0x2 elem 0xb len 513 idx 0",
        "not a trace line") + "\n");
    long[][] s = ProcessingSpans.read(log);
    assertEquals(List.of(3000L, 5000L), List.of(s[0][0], s[0][1]));
    assertEquals(2, s[0].length);
    assertEquals(1, s[1].length);
    assertEquals(7000L, s[1][0]);
    CostProfile p = CostProfile.builtIn("x86-kvm");
    List<ProcessingSpans.Result> r = ProcessingSpans.measure(java.util.Collections.singletonList(s), p);
    assertEquals(2, r.size());
    assertEquals(4000.0, r.get(0).meanNs(), 1e-9);
    assertEquals(p.get(CostFigure.VIOMMU_INV_SCAN_CYCLES) / p.get(CostFigure.CPU_GHZ), r.get(0).modelledNs(), 1e-9);
    assertTrue(r.get(0).lowNs() >= 3000 && r.get(0).highNs() <= 5000);
    assertEquals((4000.0 - r.get(0).modelledNs()) / 4000.0 * 100, r.get(0).residualPct(), 1e-9);
  }

  @Test
  void theBundledLabsCarryThemWhereTheirLogsKeepBothEvents() throws IOException {
    Path s = org.vqsim.replay.CliSamples.samples();
    long[][] vtd = ProcessingSpans.read(s.resolve("qemu-lab/randread4k.viommu-strict.qemu-trace.log.gz"));
    long[][] viommu = ProcessingSpans.read(s.resolve("qemu-lab-virtio-iommu/randread4k.virtio-iommu-strict.qemu-trace.log.gz"));
    long[][] timing = ProcessingSpans.read(s.resolve("qemu-lab-timing/randread4k.viommu-strict.boot1.qemu-trace.log.gz"));
    // every page invalidation of the full log has its wait (3225 vtd_inv_desc_iotlb_pages lines); every MAP and UNMAP its fill
    assertEquals(3225, vtd[0].length);
    assertEquals(3225, viommu[1].length); // 1613 maps + 1612 unmaps
    assertEquals(0, vtd[1].length);
    // the timing lab's copies keep no wait lines: no VT-d spans there
    assertEquals(0, timing[0].length);
    for (long v : vtd[0]) assertTrue(v >= 0);
  }
}
