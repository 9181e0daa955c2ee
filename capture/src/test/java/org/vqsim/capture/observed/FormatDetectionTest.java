package org.vqsim.capture.observed;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vqsim.capture.ReadOptions;
import org.vqsim.capture.TraceFormat;
import org.vqsim.capture.Traces;

class FormatDetectionTest {
  @TempDir Path dir;

  @Test
  void detectsEveryTextFormatFromItsContent() throws IOException {
    assertThat(Traces.detect(LabTracePaths.resource("blkparse-dd.txt"))).isEqualTo(TraceFormat.BLKPARSE);
    assertThat(Traces.detect(LabTracePaths.resource("fio-randrw.v2.iolog"))).isEqualTo(TraceFormat.FIO);
    assertThat(Traces.detect(LabTracePaths.resource("fio-randrw.v3.iolog"))).isEqualTo(TraceFormat.FIO);
    assertThat(Traces.detect(LabTracePaths.resource("msr-hm.csv"))).isEqualTo(TraceFormat.MSR);
    assertThat(Traces.detect(LabTracePaths.lab("qemu-lab-ppc", "randread4k.tce.guest-ftrace.txt.gz"))).isEqualTo(TraceFormat.FTRACE);
    assertThat(Traces.detect(LabTracePaths.lab("qemu-lab", "randread4k.direct.qemu-trace.log.gz"))).isEqualTo(TraceFormat.QEMU);
    Path iso = dir.resolve("new.log");
    Files.writeString(iso, "2025-08-29T18:05:10.000010Z qemu-system-x86_64(6178:CPU 0/KVM): virtio_queue_notify vdev 0x1 n 0 vq 0x2\n");
    assertThat(Traces.detect(iso)).isEqualTo(TraceFormat.QEMU);
  }

  @Test
  void readsGzipTransparentlyAndHonoursAForcedFormat() throws IOException {
    Path gz = dir.resolve("msr.csv.gz");
    try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(gz))) {
      o.write(Files.readAllBytes(LabTracePaths.resource("msr-hm.csv")));
    }
    try (Traces.Opened t = Traces.open(gz, ReadOptions.defaults())) {
      assertThat(t.format()).isEqualTo(TraceFormat.MSR);
      assertThat(Drain.rows(t.source())).hasSize(5);
    }
    try (Traces.Opened t = Traces.open(LabTracePaths.resource("fio-randrw.v3.iolog"), ReadOptions.defaults().withFormat(TraceFormat.FIO))) {
      assertThat(t.format()).isEqualTo(TraceFormat.FIO);
    }
  }
}
