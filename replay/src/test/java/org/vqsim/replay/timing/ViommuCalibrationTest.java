package org.vqsim.replay.timing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vqsim.capture.TraceException;
import org.vqsim.engine.cost.CostFigure;
import org.vqsim.engine.cost.CostProfile;

/** The virtio-iommu request's pieces measured from timestamps: synthetic captures with known spans, and the bundled lab. */
class ViommuCalibrationTest {
  @TempDir Path tmp;

  /**
   * A strict run: {@code bursts} bursts of 4 MAP requests then 4 UNMAP requests, each request notify
   * →(a µs) pop →(b µs) flush, then c µs of guest work to the next notify; the guest traces each map
   * and unmap at its flush (the same clock, for the test).
   */
  private Path[] run(String name, int bursts, int a, int b, int c) throws Exception {
    StringBuilder q = new StringBuilder("7@1.000000:virtio_iommu_device_status driver status = 15\n");
    StringBuilder g = new StringBuilder("# tracer: nop\n");
    long t = 10_000_000; // µs
    for (int r = 0; r < bursts; r++) {
      g.append(String.format(Locale.ROOT, "  kworker-37 [000] .....  %s: block_rq_issue: 254,0 RS 4096 () 0 + 8%n", us(t)));
      for (String kind : new String[] {"map", "unmap"}) {
        for (int i = 0; i < 4; i++) {
          q.append("9@").append(us(t)).append(":virtio_queue_notify vdev 0x1 n 0 vq 0xaa\n");
          q.append("9@").append(us(t + a)).append(":virtqueue_pop vq 0xaa elem 0x2 in_num 1 out_num 1\n");
          q.append("9@").append(us(t + a + 1)).append(":virtio_iommu_").append(kind).append(" domain=1 virt_start=0x1000 virt_end=0x1fff\n");
          q.append("9@").append(us(t + a + 1)).append(":virtio_iommu_translate mr=x rid=8 addr=0x1000 flag=1\n");
          q.append("9@").append(us(t + a + b)).append(":virtqueue_flush vq 0xaa count 1\n");
          g.append(String.format(Locale.ROOT, "  kworker-37 [000] d..1.  %s: %s: IOMMU: iova=0x1000 size=4096%n", us(t + a + b), kind));
          t += a + b + c;
        }
        // the block queue on the main loop between the bursts
        q.append("7@").append(us(t + 50)).append(":virtio_queue_notify vdev 0x3 n 0 vq 0xbb\n");
        q.append("7@").append(us(t + 60)).append(":virtqueue_pop vq 0xbb elem 0x4 in_num 2 out_num 1\n");
        q.append("7@").append(us(t + 400)).append(":virtqueue_flush vq 0xbb count 1\n");
        t += 1000;
      }
    }
    Path gp = tmp.resolve(name + ".guest-ftrace.txt"), qp = tmp.resolve(name + ".qemu-trace.log");
    Files.writeString(gp, g);
    Files.writeString(qp, q);
    return new Path[] {gp, qp};
  }

  private static String us(long t) {
    return String.format(Locale.ROOT, "%d.%06d", t / 1_000_000, t % 1_000_000);
  }

  @Test
  void theSpansAreReadFromTheRequestQueueAndTheGuestSideIsTheRestOfAMapToMapInterval() throws Exception {
    Path[] f = run("x", 20, 2, 5, 7);
    ViommuCalibration.Run r = ViommuCalibration.load(f[0], f[1]);
    assertEquals("x", r.name());
    assertEquals(160, r.notifyToPop().length, "8 requests a burst, 20 bursts; the block queue's notify→pop is not the request queue's");
    assertEquals(160, r.popToFlush().length);
    assertEquals(20 * 2 * 3, r.flushToNotify().length, "within a burst of one kind only");
    assertEquals(60, r.guestMap().length);
    assertEquals(60, r.guestUnmap().length);
    for (long v : r.guestMap()) assertEquals(14_000, v);
    for (long v : r.flushToNotify()) assertEquals(7_000, v);

    CostProfile p = CostProfile.load("x86-kvm"); // 3 GHz, ring_desc_cycles 250
    ViommuCalibration.Result res = ViommuCalibration.measure(List.of(r), p, "t", "test");
    CostProfile out = res.profile();
    assertTrue(out.isGiven(CostFigure.VIRTIO_IOMMU_NOTIFY_CYCLES));
    assertEquals(6000, out.cycles(CostFigure.VIRTIO_IOMMU_NOTIFY_CYCLES));
    assertEquals(15000, out.cycles(CostFigure.VIRTIO_IOMMU_REQ_QEMU_CYCLES));
    // (14 µs − 250 cycles) for the maps and 14 µs for the unmaps, equally many, less 2 + 5 µs
    long ringDesc = p.cycles(CostFigure.RING_DESC_CYCLES);
    assertEquals(Math.round(42_000 - ringDesc / 2.0 - 21_000), out.cycles(CostFigure.VIRTIO_IOMMU_REQ_CYCLES));
    assertTrue(out.source(CostFigure.VIRTIO_IOMMU_REQ_CYCLES).startsWith("measured from 1 virtio-iommu strict run (x), one run"), out.source(CostFigure.VIRTIO_IOMMU_REQ_CYCLES));
    // nothing else changes
    for (CostFigure fig : CostFigure.values()) {
      if (fig == CostFigure.VIRTIO_IOMMU_NOTIFY_CYCLES || fig == CostFigure.VIRTIO_IOMMU_REQ_CYCLES || fig == CostFigure.VIRTIO_IOMMU_REQ_QEMU_CYCLES) continue;
      assertEquals(p.isGiven(fig), out.isGiven(fig), fig.key);
      if (p.isGiven(fig)) assertEquals(p.get(fig), out.get(fig), fig.key);
    }
  }

  @Test
  void theTranslationIsThePairedSpanScaledToTheTranslationsTheModelCharges() throws Exception {
    Path[] f = run("tr", 20, 2, 5, 7);
    // the request queue's own translate lines (thread 9) have no _out: no lookup, not timed. Then 20
    // block chains of 3 descriptors on thread 7, each with 5 ring accesses, 3 reads of its indirect
    // table and 3 buffers translated, 2 µs each, and an MSI write without _out
    StringBuilder q = new StringBuilder(Files.readString(f[1]));
    long t = 20_000_000;
    for (int c = 0; c < 20; c++) {
      for (int k = 0; k < 11; k++) {
        if (k == 8) q.append("7@").append(us(t)).append(":virtqueue_pop vq 0xbb elem 0x4 in_num 2 out_num 1\n");
        q.append("7@").append(us(t)).append(":virtio_iommu_translate mr=x rid=8 addr=0x2000 flag=1\n");
        q.append("7@").append(us(t + 2)).append(":virtio_iommu_translate_out 0x2000 -> 0x5000 for sid=8\n");
        t += 3;
      }
      q.append("7@").append(us(t)).append(":virtio_iommu_translate mr=x rid=8 addr=0xfee01004 flag=2\n");
      t += 100;
    }
    Files.writeString(f[1], q);
    ViommuCalibration.Run r = ViommuCalibration.load(f[0], f[1]);
    ViommuCalibration.Translations tr = r.translations();
    assertEquals(220, tr.spans().length);
    assertEquals(160 + 20, tr.unpaired(), "the request queue's 160 and the 20 MSI writes");
    // chains: run()'s 40 block pops (3 descriptors, no translations logged) and these 20
    assertEquals(60, tr.chains());
    assertEquals(60 * 2, tr.indirectExtra(), "each chain's descriptors beyond the first");
    assertEquals(220.0 / 60, tr.perChain(), 1e-9);
    assertEquals((220.0 - 120) / 60, tr.modelPerChain(), 1e-9);
    CostProfile p = CostProfile.load("x86-kvm"); // 3 GHz
    ViommuCalibration.Result res = ViommuCalibration.measure(List.of(r), p, "t", "test");
    // 2 µs per QEMU translation, 220 of them where the model charges 100: 4.4 µs per modelled translation
    assertEquals(13_200, res.profile().cycles(CostFigure.VIRTIO_IOMMU_TRANSLATE_CYCLES));
    assertTrue(res.profile().source(CostFigure.VIRTIO_IOMMU_TRANSLATE_CYCLES).startsWith("measured from 1 virtio-iommu strict run (tr)"));
    assertTrue(res.notes().stream().anyMatch(n -> n.startsWith("tr: virtio_iommu_translate → _translate_out 2.00 µs (220 pairs")), String.join("\n", res.notes()));
    // a run without timed translations leaves the figure out (the model then charges iotlb_hit_cycles)
    Path[] g = run("none", 20, 2, 5, 7);
    CostProfile none = ViommuCalibration.measure(List.of(ViommuCalibration.load(g[0], g[1])), p, "t", "test").profile();
    assertTrue(!none.isGiven(CostFigure.VIRTIO_IOMMU_TRANSLATE_CYCLES));
  }

  @Test
  void theBundledStrictRunsTranslateEachIndirectDescriptorTheModelTranslatesOncePerTable() throws Exception {
    Path dir = org.vqsim.replay.CliSamples.samples().resolve("qemu-lab-virtio-iommu");
    ViommuCalibration.Translations t = ViommuCalibration.load(dir.resolve("seqread64k.virtio-iommu-strict.guest-ftrace.txt.gz"), dir.resolve("seqread64k.virtio-iommu-strict.qemu-trace.log.gz"))
        .translations();
    // samples/qemu-lab-virtio-iommu README: 64 KiB reads, 18-19 maps each (16 data pages, header, status, the indirect table)
    assertTrue(t.perChain() > 44 && t.perChain() < 47, "QEMU translations per chain " + t.perChain());
    // the model's replay of this run charges 29 translations per request (ring accesses 10, the table 1, 18 buffers)
    assertTrue(t.modelPerChain() > 28 && t.modelPerChain() < 30, "the model's per chain " + t.modelPerChain());
    double span = ViommuCalibration.groupedMedianNs(t.spans()) / 1e3;
    assertTrue(span > 1.2 && span < 1.6, "translate → translate_out " + span + " µs");
  }

  @Test
  void twoRunsGiveTheMeanOfTheirMediansAndAnIntervalOverRuns() throws Exception {
    Path[] f1 = run("a", 20, 2, 5, 7), f2 = run("b", 20, 4, 9, 7);
    CostProfile p = CostProfile.load("x86-kvm");
    ViommuCalibration.Result res = ViommuCalibration.measure(List.of(ViommuCalibration.load(f1[0], f1[1]), ViommuCalibration.load(f2[0], f2[1])), p, "t", "test");
    assertEquals(9000, res.profile().cycles(CostFigure.VIRTIO_IOMMU_NOTIFY_CYCLES));
    assertEquals(21000, res.profile().cycles(CostFigure.VIRTIO_IOMMU_REQ_QEMU_CYCLES));
    NetCalibration.Figure notify = res.figures().get(0);
    assertEquals(CostFigure.VIRTIO_IOMMU_NOTIFY_CYCLES, notify.figure());
    assertTrue(notify.halfWidthPct() > 0, "two runs that differ: an interval");
  }

  @Test
  void theMedianOfWholeMicrosecondsIsInterpolatedInItsMicrosecond() {
    // 1, 2, 2, 2, 3 µs: the median 2 µs is shared by 3 values, 1 below: 1.5 + (2.5 − 1) / 3 = 2.0
    assertEquals(2000, ViommuCalibration.groupedMedianNs(new long[] {1000, 2000, 2000, 2000, 3000}), 1e-6);
    // 2, 2, 2, 3: 1.5 + 2/3 µs
    assertEquals(1500 + 2000.0 / 3, ViommuCalibration.groupedMedianNs(new long[] {2000, 2000, 2000, 3000}), 1e-6);
    // 2, 3: between the two
    assertEquals(2500, ViommuCalibration.groupedMedianNs(new long[] {2000, 3000}), 1e-6);
  }

  @Test
  void badInputIsNamed() throws Exception {
    Path[] f = run("y", 3, 2, 5, 7);
    // a QEMU log without virtio-iommu requests
    Path blkOnly = tmp.resolve("blk.log");
    Files.writeString(blkOnly, "7@1.000010:virtio_queue_notify vdev 0x3 n 0 vq 0xbb\n7@1.000020:virtqueue_pop vq 0xbb elem 0x4 in_num 2 out_num 1\n");
    TraceException e = assertThrows(TraceException.class, () -> ViommuCalibration.load(f[0], blkOnly));
    assertTrue(e.getMessage().contains("no virtqueue_pop followed by virtio_iommu_map or virtio_iommu_unmap"), e.getMessage());
    // a line that is not a QEMU trace line
    Path garbage = tmp.resolve("garbage.log");
    Files.writeString(garbage, "7@1.000010:virtio_queue_notify vdev 0x3 n 0 vq 0xbb\nhello\n");
    e = assertThrows(TraceException.class, () -> ViommuCalibration.load(f[0], garbage));
    assertTrue(e.getMessage().contains(":2:") && e.getMessage().contains("not a QEMU log-backend trace line"), e.getMessage());
    // a guest trace without map or unmap events
    Path noMaps = tmp.resolve("nomaps.txt");
    Files.writeString(noMaps, "# tracer: nop\n  kworker-37 [000] .....  1.000001: block_rq_issue: 254,0 RS 4096 () 0 + 8\n");
    e = assertThrows(TraceException.class, () -> ViommuCalibration.load(noMaps, f[1]));
    assertTrue(e.getMessage().contains("no two consecutive iommu map: or unmap: events"), e.getMessage());
    // a bad timestamp
    Path badTs = tmp.resolve("badts.txt");
    Files.writeString(badTs, "  kworker-37 [000] d..1.  1.00x001: map: IOMMU: iova=0x1000\n");
    e = assertThrows(TraceException.class, () -> ViommuCalibration.load(badTs, f[1]));
    assertTrue(e.getMessage().contains(":1:"), e.getMessage());
  }

  @Test
  void theBundledStrictRunShowsASynchronousRequestOfAboutThirteenMicroseconds() throws Exception {
    Path dir = org.vqsim.replay.CliSamples.samples().resolve("qemu-lab-virtio-iommu");
    ViommuCalibration.Run r = ViommuCalibration.load(dir.resolve("randread4k.virtio-iommu-strict.guest-ftrace.txt.gz"), dir.resolve("randread4k.virtio-iommu-strict.qemu-trace.log.gz"));
    // samples/qemu-lab-virtio-iommu README: a 4 KiB read = 4 MAP + 4 UNMAP requests; 400 reads in the guest trace, 3 intervals each
    assertEquals(1200, r.guestMap().length);
    assertEquals(1200, r.guestUnmap().length);
    double notifyUs = ViommuCalibration.groupedMedianNs(r.notifyToPop()) / 1e3, handleUs = ViommuCalibration.groupedMedianNs(r.popToFlush()) / 1e3;
    double mapUs = ViommuCalibration.groupedMedianNs(r.guestMap()) / 1e3;
    assertTrue(notifyUs > 1.5 && notifyUs < 3, "notify→pop " + notifyUs);
    assertTrue(handleUs > 4 && handleUs < 8, "pop→flush " + handleUs);
    assertTrue(mapUs > 12 && mapUs < 17, "map→map " + mapUs);
  }
}
