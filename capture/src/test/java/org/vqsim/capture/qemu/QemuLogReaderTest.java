package org.vqsim.capture.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vqsim.capture.TraceException;
import org.vqsim.capture.observed.Drain;
import org.vqsim.capture.observed.ObservedEvents.Counter;

class QemuLogReaderTest {
  @TempDir Path dir;

  private QemuLogReader reader(String text, double idleGap, boolean skip) throws IOException {
    Path f = dir.resolve("q.log");
    Files.writeString(f, text);
    return new QemuLogReader(() -> Files.newInputStream(f), "q.log", idleGap, skip);
  }

  /** One boot request, a 2 s idle gap, then two workload requests under intel-iommu. */
  private static final String LOG = """
      6178@100.000000:virtio_queue_notify vdev 0x1 n 0 vq 0x2
      6178@100.000010:virtqueue_pop vq 0x2 elem 0xa in_num 2 out_num 1
      6178@100.000020:virtio_blk_handle_read vdev 0x1 req 0xa sector 0 nsectors 1
      6178@100.000600:virtio_blk_req_complete vdev 0x1 req 0xa status 0
      6178@100.000700:virtio_notify_irqfd vdev 0x1 vq 0x2
      6180@102.000000:vtd_inv_desc_iotlb_pages iotlb invalidate pages domain 0x2 addr 0xffffb000 mask 0x0 hint 0x0
      6180@102.000001:vtd_inv_desc_wait_sw wait invalidate status write addr 0x11c7004 data 0x2
      6178@102.000010:virtio_queue_notify vdev 0x1 n 0 vq 0x2
      6178@102.000020:virtio_blk_handle_read vdev 0x1 req 0xb sector 8 nsectors 8
      6178@102.000030:vtd_iotlb_page_update iotlb page update sid 0x18 iova 0xffffb000 slpte 0x1 level 1 domain 0x2
      6178@102.000031:vtd_dmar_translate pa 0x1 ...
      6178@102.000032:vtd_iotlb_page_hit iotlb page hit sid 0x18 iova 0xffffb000 slpte 0x1 domain 0x2
      6178@102.000100:virtio_blk_rw_complete vdev 0x1 req 0xb ret 0
      6178@102.000110:virtio_blk_req_complete vdev 0x1 req 0xb status 0
      6178@102.000120:virtio_notify_irqfd vdev 0x1 vq 0x2
      6180@102.000200:vtd_inv_desc_iotlb_pages iotlb invalidate pages domain 0x2 addr 0xffffb000 mask 0x0 hint 0x0
      6180@102.000300:vtd_inv_desc_iotlb_pages iotlb invalidate pages domain 0x2 addr 0xffffc000 mask 0x0 hint 0x0
      6178@102.000310:virtio_queue_notify vdev 0x1 n 0 vq 0x2
      6178@102.000320:virtio_blk_handle_write vdev 0x1 req 0xa sector 16 nsectors 16
      6178@102.000400:some_future_event x 1
      6178@102.000500:virtio_blk_req_complete vdev 0x1 req 0xa status 0
      6178@102.000510:virtio_notify_irqfd vdev 0x1 vq 0x2
      6180@102.000600:vtd_inv_desc_iotlb_pages iotlb invalidate pages domain 0x2 addr 0xffffb000 mask 0x0 hint 0x0
      6180@109.000000:vtd_inv_desc_iotlb_global iotlb invalidate global
      """;

  @Test
  void keepsTheWorkloadAfterTheLastIdleGapAndAttributesEventsPerCompletion() throws IOException {
    QemuLogReader r = reader(LOG, 1.0, false);
    List<long[]> c = Drain.counts(r);
    assertThat(c).hasSize(2);
    assertThat(c.get(0)[Counter.INVALIDATIONS.ordinal()]).isEqualTo(1);
    assertThat(c.get(0)[Counter.IOTLB_MISSES.ordinal()]).isEqualTo(1);
    assertThat(c.get(0)[Counter.IOTLB_HITS.ordinal()]).isEqualTo(1);
    assertThat(c.get(0)[Counter.TRANSLATIONS.ordinal()]).isEqualTo(1);
    assertThat(c.get(0)[Counter.KICKS.ordinal()]).isEqualTo(1);
    assertThat(c.get(0)[Counter.INTERRUPTS.ordinal()]).isEqualTo(1);
    assertThat(c.get(1)[Counter.INVALIDATIONS.ordinal()]).as("the previous unmaps, and its own trailing one; not the power-off").isEqualTo(3);
    assertThat(r.counters().unknownEvents).isEqualTo(1);
  }

  @Test
  void readsRequestsWithOffsetLengthAndCompletion() throws IOException {
    List<Drain.Row> rows = Drain.rows(reader(LOG, 1.0, false));
    assertThat(rows).extracting(Drain.Row::op).containsExactly("R", "W");
    assertThat(rows.get(0).offset()).isEqualTo(8 * 512);
    assertThat(rows.get(0).length()).isEqualTo(4096);
    assertThat(rows.get(0).tsNs()).isZero();
    assertThat(rows.get(0).completeNs()).isEqualTo(80_000);
    assertThat(rows.get(1).length()).isEqualTo(16 * 512);
  }

  @Test
  void idleGapZeroKeepsTheWholeLog() throws IOException {
    assertThat(Drain.rows(reader(LOG, 0, false))).hasSize(3);
  }

  @Test
  void readsTheIso8601ThreadNamePrefixOfNewerReleases() throws IOException {
    String iso = """
        2025-08-29T18:05:10.000010Z qemu-system-x86_64(6178:CPU 0/KVM): virtio_queue_notify vdev 0x1 n 0 vq 0x2
        2025-08-29T18:05:10.000020Z qemu-system-x86_64(6178:IO iothread0): virtio_blk_handle_read vdev 0x1 req 0xb sector 8 nsectors 8
        2025-08-29T18:05:10.000140Z qemu-system-x86_64(6178:IO iothread0): virtio_blk_req_complete vdev 0x1 req 0xb status 0
        2025-08-29T18:05:10.000150Z qemu-system-x86_64(6178:IO iothread0): virtio_notify_irqfd vdev 0x1 vq 0x2
        """;
    QemuLogReader r = reader(iso, 1.0, false);
    List<Drain.Row> rows = Drain.rows(r);
    assertThat(rows).hasSize(1);
    assertThat(rows.get(0).completeNs()).isEqualTo(120_000);
    assertThat(rows.get(0).observed()).contains("kicks=1", "interrupts=1");
  }

  @Test
  void convertsIso8601ToEpochNanoseconds() {
    byte[] b = "2025-08-29T18:05:10.5Z".getBytes();
    assertThat(QemuLogReader.iso8601(b, 0, b.length)).isEqualTo(1756490710_500_000_000L);
    byte[] z = "1970-01-01T01:00:00+01:00".getBytes();
    assertThat(QemuLogReader.iso8601(z, 0, z.length)).isZero();
  }

  @Test
  void reportsABadLineAsFileLineWhatOrSkipsIt() throws IOException {
    String bad = LOG.replace("req 0xb sector 8 nsectors 8", "req 0xb sector eight nsectors 8");
    assertThatThrownBy(() -> Drain.rows(reader(bad, 1.0, false))).isInstanceOf(TraceException.class).hasMessageStartingWith("q.log:9: ");
    QemuLogReader r = reader(bad, 1.0, true);
    assertThat(Drain.rows(r)).hasSize(1);
    assertThat(r.counters().skippedLines).isEqualTo(1);
  }
}
