package org.vqsim.capture.observed;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.vqsim.capture.ftrace.FtraceEventReader;
import org.vqsim.capture.qemu.QemuLogReader;
import org.vqsim.engine.sim.IoRequest;
import org.vqsim.engine.sim.RequestSource;

/**
 * Parsing throughput of the ftrace and QEMU-log readers on uncompressed text (a stand-in for the
 * JMH benchmark until capture has the JMH plugin): writes ~200 MB of lab-shaped text per format,
 * reads it three times and prints MB/s and the heap in use.
 *
 * <p>HOW TO RUN: {@code mvn -q -B -pl capture test-compile && java -cp
 * capture/target/test-classes:capture/target/classes:engine/target/classes
 * org.vqsim.capture.observed.ReaderThroughput [MB]}
 */
public final class ReaderThroughput {
  private ReaderThroughput() {}

  public static void main(String[] args) throws IOException {
    long mb = args.length > 0 ? Long.parseLong(args[0]) : 200;
    Path dir = Files.createTempDirectory("vqsim-throughput");
    Path ftrace = dir.resolve("f.txt"), qemu = dir.resolve("q.log");
    try {
      writeFtrace(ftrace, mb << 20);
      writeQemu(qemu, mb << 20);
      for (int round = 0; round < 3; round++) {
        measure("ftrace", ftrace, () -> new FtraceEventReader(Files.newInputStream(ftrace), "f", null, false));
        measure("qemu-log", qemu, () -> new QemuLogReader(() -> Files.newInputStream(qemu), "q", 0, false));
      }
    } finally {
      Files.deleteIfExists(ftrace);
      Files.deleteIfExists(qemu);
      Files.deleteIfExists(dir);
    }
  }

  interface Open {
    RequestSource open() throws IOException;
  }

  private static void measure(String what, Path file, Open open) throws IOException {
    long bytes = Files.size(file);
    long t0 = System.nanoTime();
    long n = 0;
    IoRequest r = new IoRequest();
    try (RequestSource s = open.open()) {
      while (s.next(r)) n++;
    }
    double sec = (System.nanoTime() - t0) / 1e9;
    Runtime rt = Runtime.getRuntime();
    System.out.printf(Locale.ROOT, "%-8s %7.1f MB in %6.3f s = %6.1f MB/s, %d requests, heap in use %d MB%n", what, bytes / 1e6, sec, bytes / 1e6 / sec, n,
        (rt.totalMemory() - rt.freeMemory()) >> 20);
  }

  static void writeFtrace(Path f, long target) throws IOException {
    try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(f), 1 << 20)) {
      o.write("# tracer: nop\n#\n".getBytes(StandardCharsets.US_ASCII));
      long written = 0, sector = 0;
      double t = 3.0;
      StringBuilder b = new StringBuilder(2048);
      while (written < target) {
        b.setLength(0);
        String ts = String.format(Locale.ROOT, "%.6f", t);
        b.append("    kworker/0:1H-37      [000] .....     ").append(ts).append(": block_rq_issue: 254,0 RS 4096 () ").append(sector).append(" + 8 [kworker/0:1H]\n");
        for (int i = 0; i < 4; i++) {
          b.append("    kworker/0:1H-37      [000] d..1.     ").append(ts).append(": map: IOMMU: iova=0x00000000ffffb000 - 0x00000000ffffc000 paddr=0x0000000002aa6000 size=4096\n");
        }
        for (int i = 0; i < 4; i++) {
          b.append("          <idle>-0       [000] d.h2.     ").append(ts).append(": unmap: IOMMU: iova=0x00000000ffffa000 - 0x00000000ffffb000 size=4096 unmapped_size=4096\n");
        }
        b.append("          <idle>-0       [000] d.h2.     ").append(ts).append(": block_rq_complete: 254,0 RS () ").append(sector).append(" + 8 [0]\n");
        byte[] x = b.toString().getBytes(StandardCharsets.US_ASCII);
        o.write(x);
        written += x.length;
        sector += 8;
        t += 0.000010;
      }
    }
  }

  static void writeQemu(Path f, long target) throws IOException {
    try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(f), 1 << 20)) {
      long written = 0, sector = 0;
      long us = 1795482261_000000L;
      StringBuilder b = new StringBuilder(4096);
      while (written < target) {
        b.setLength(0);
        String ts = "6178@" + us / 1_000_000 + "." + String.format(Locale.ROOT, "%06d", us % 1_000_000) + ":";
        for (int i = 0; i < 4; i++) b.append(ts).append("vtd_inv_desc_iotlb_pages iotlb invalidate pages domain 0x2 addr 0xffffb000 mask 0x0 hint 0x0\n");
        b.append(ts).append("virtio_queue_notify vdev 0x557a6c511000 n 0 vq 0x557a6c51c520\n");
        b.append(ts).append("virtqueue_pop vq 0x557a6c51c520 elem 0x557a6c3d6ec0 in_num 2 out_num 1\n");
        b.append(ts).append("virtio_blk_handle_read vdev 0x557a6c511000 req 0x557a6c3d6ec0 sector ").append(sector).append(" nsectors 8\n");
        for (int i = 0; i < 16; i++) b.append(ts).append("vtd_dmar_translate dev 00:03.00 iova 0xffffb000 -> gpa 0x2aa6000 mask 0xfffffffffffff000\n");
        b.append(ts).append("virtio_blk_rw_complete vdev 0x557a6c511000 req 0x557a6c3d6ec0 ret 0\n");
        b.append(ts).append("virtio_blk_req_complete vdev 0x557a6c511000 req 0x557a6c3d6ec0 status 0\n");
        b.append(ts).append("virtqueue_fill vq 0x557a6c51c520 elem 0x557a6c3d6ec0 len 4097 idx 0\n");
        b.append(ts).append("virtqueue_flush vq 0x557a6c51c520 count 1\n");
        b.append(ts).append("virtio_notify_irqfd vdev 0x557a6c511000 vq 0x557a6c51c520\n");
        for (int i = 0; i < 4; i++) b.append(ts).append("vtd_inv_desc_iotlb_pages iotlb invalidate pages domain 0x2 addr 0xffffb000 mask 0x0 hint 0x0\n");
        byte[] x = b.toString().getBytes(StandardCharsets.US_ASCII);
        o.write(x);
        written += x.length;
        sector += 8;
        us += 10;
      }
    }
  }
}
