package org.vqsim.capture.net;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.vqsim.capture.TraceException;
import org.vqsim.engine.device.net.NetPacket;

/**
 * Jazzer fuzz tests of the network readers (guest ftrace of a network run, its QEMU log, pcap and
 * pcapng): whatever the bytes, a reader hands out well-formed packets (tx or rx, a frame of 14 bytes
 * to 64 KiB, times that never go backwards) or throws {@link TraceException} — never another
 * exception, never a hang. {@code mvn verify} runs the inputs in
 * {@code src/test/resources/org/vqsim/capture/net/NetReadersFuzzTestInputs/<method>/}; fuzz one with
 * {@code JAZZER_FUZZ=1 mvn -pl capture -am test -Dtest=NetReadersFuzzTest#pcap -Djazzer.max_duration=2m}.
 */
class NetReadersFuzzTest {
  private static void check(NetPacket p, long last) {
    assertThat(p.direction).isIn(NetPacket.TX, NetPacket.RX);
    assertThat(p.frameLen).isBetween(14, NetPacket.MAX_FRAME);
    assertThat(p.tsNs).isGreaterThanOrEqualTo(last);
  }

  @FuzzTest(maxDuration = "10m")
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void netFtrace(byte[] data) {
    try {
      NetGuestTrace g = NetGuestTrace.read(new BufferedReader(new InputStreamReader(new ByteArrayInputStream(data), StandardCharsets.UTF_8)), "fuzz.txt");
      var src = g.packets(-1);
      NetPacket p = new NetPacket();
      long last = 0;
      while (src.next(p)) {
        assertThat(p.direction).isIn(NetPacket.TX, NetPacket.RX);
        assertThat(p.frameLen).isBetween(1, NetPacket.MAX_FRAME + 14);
        assertThat(p.tsNs).isNotNegative();
        last = p.tsNs;
      }
      assertThat(g.maps).isNotNegative();
      assertThat(last).isNotNegative();
    } catch (TraceException expected) {
      assertThat(expected.getMessage()).isNotBlank();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @FuzzTest(maxDuration = "10m")
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void netQemu(byte[] data) {
    try {
      NetQemuLog q = NetQemuLog.read(new BufferedReader(new InputStreamReader(new ByteArrayInputStream(data), StandardCharsets.UTF_8)), "fuzz.log", 0.5);
      assertThat(q.packets()).isNotNegative();
      assertThat(q.kicks()).isNotNegative();
    } catch (TraceException expected) {
      assertThat(expected.getMessage()).isNotBlank();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @FuzzTest(maxDuration = "10m")
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void pcap(byte[] data) {
    try (PcapReader r = new PcapReader(new ByteArrayInputStream(data), "fuzz.pcap", "52:54:00:12:70:02", "192.168.70.2")) {
      NetPacket p = new NetPacket();
      long last = 0;
      while (r.next(p)) {
        check(p, last);
        last = p.tsNs;
      }
    } catch (TraceException expected) {
      assertThat(expected.getMessage()).isNotBlank();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
