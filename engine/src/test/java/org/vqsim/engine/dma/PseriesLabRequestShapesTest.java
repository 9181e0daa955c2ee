package org.vqsim.engine.dma;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.vqsim.engine.cost.Actor;
import org.vqsim.engine.cost.Category;
import org.vqsim.engine.cost.CostFigure;
import org.vqsim.engine.cost.EventKind;

/**
 * The per-request hypercalls of the three lab workloads, driven through {@code tce} with the buffer
 * shapes Linux 6.1 ppc64le (64 KiB pages) maps for them, against samples/qemu-lab-ppc/README.md:
 * "a 4 KiB read costs 4 H_PUT_TCE (request header, data, status, indirect table) and 4 H_STUFF_TCE
 * at completion; a 64 KiB read costs 3 H_PUT_TCE + 1 H_PUT_TCE_INDIRECT (the 64 KiB data page = 16
 * TCEs) + 4 H_STUFF_TCE; a 128 KiB write 3 + 2 + 5". ddw-bounce: "4, 4 and 5 buffers bounced".
 */
class PseriesLabRequestShapesTest {
  private static final long REQ_PAGE = 0x0100_0000L; // one 64 KiB guest page: header, status, table
  private static final long DATA = 0x0200_0000L; // 64 KiB guest pages

  record Hcalls(int puts, int indirect, int stuffs) {
    int total() { return puts + indirect + stuffs; }
  }

  private record Buf(long paddr, int len, DmaDirection dir) {}

  /** virtio-blk request: header out, data segments, status in, then the indirect table (16 B per entry). */
  private static List<Buf> request(boolean write, int... segments) {
    List<Buf> l = new ArrayList<>();
    l.add(new Buf(REQ_PAGE, 16, DmaDirection.TO_DEVICE));
    long at = DATA;
    for (int len : segments) {
      l.add(new Buf(at, len, write ? DmaDirection.TO_DEVICE : DmaDirection.FROM_DEVICE));
      at += 0x10_0000; // physically apart: one sg element each
    }
    l.add(new Buf(REQ_PAGE + 0x10, 1, DmaDirection.FROM_DEVICE));
    l.add(new Buf(REQ_PAGE + 0x40, 16 * l.size(), DmaDirection.TO_DEVICE));
    return l;
  }

  /** Maps and unmaps one request; a map that writes one TCE is an H_PUT_TCE, more is H_PUT_TCE_INDIRECT. */
  private static Hcalls replay(DmaFixture f, List<Buf> bufs) {
    long perTce = f.ctx.profile().cycles(CostFigure.TCE_PUT_CYCLES);
    int puts = 0, indirect = 0, stuffs = 0;
    long[] dma = new long[bufs.size()];
    for (int i = 0; i < bufs.size(); i++) {
      Buf b = bufs.get(i);
      long h0 = f.ledger.events(EventKind.HYPERCALLS), tce0 = f.ledger.total(Actor.IOMMU, Category.HYPERCALL);
      dma[i] = f.map(b.paddr(), b.len(), b.dir());
      long hcalls = f.ledger.events(EventKind.HYPERCALLS) - h0;
      long tces = (f.ledger.total(Actor.IOMMU, Category.HYPERCALL) - tce0) / perTce;
      if (tces == 1) puts += hcalls;
      else indirect += hcalls;
    }
    for (int i = bufs.size() - 1; i >= 0; i--) {
      long h0 = f.ledger.events(EventKind.HYPERCALLS);
      f.unmap(dma[i], bufs.get(i).len(), bufs.get(i).dir());
      stuffs += f.ledger.events(EventKind.HYPERCALLS) - h0;
    }
    assertThat(f.dma.liveMappings()).isZero();
    return new Hcalls(puts, indirect, stuffs);
  }

  private static DmaFixture tce() {
    DmaFixture f = new DmaFixture(StrategyId.TCE, DmaFixture.POWER9);
    assertThat(f.ctx.profile().get(CostFigure.PAGE_SIZE)).as("ppc64le guest pages").isEqualTo(65536);
    return f;
  }

  @Test
  void randread4kIsFourPutsAndFourStuffs() {
    Hcalls h = replay(tce(), request(false, 4096));
    assertThat(h).isEqualTo(new Hcalls(4, 0, 4));
    assertThat(h.total()).isEqualTo(8);
  }

  @Test
  void seqread64kIsThreePutsOneIndirectAndFourStuffs() {
    Hcalls h = replay(tce(), request(false, 65536));
    assertThat(h).isEqualTo(new Hcalls(3, 1, 4));
  }

  @Test
  void seqwrite128kWithTwoDataSegmentsIsThreePutsTwoIndirectAndFiveStuffs() {
    Hcalls h = replay(tce(), request(true, 65536, 65536));
    assertThat(h).isEqualTo(new Hcalls(3, 2, 5));
  }

  @Test
  void steadyStateRequestsCostTheSameEveryTime() {
    DmaFixture f = tce();
    for (int r = 0; r < 50; r++) assertThat(replay(f, request(false, 65536))).isEqualTo(new Hcalls(3, 1, 4));
    assertThat(f.ledger.events(EventKind.EXITS)).isEqualTo(50 * 8);
  }

  @Test
  void ddwMakesNoHcallsPerRequest() {
    DmaFixture f = new DmaFixture(StrategyId.TCE_DDW, DmaFixture.POWER9);
    assertThat(replay(f, request(false, 4096)).total()).isZero();
    assertThat(replay(f, request(true, 65536, 65536)).total()).isZero();
  }

  @Test
  void ddwBounceBouncesFourFourAndFiveBuffers() {
    DmaFixture f = new DmaFixture(StrategyId.TCE_DDW_BOUNCE, DmaFixture.POWER9);
    replay(f, request(false, 4096));
    assertThat(f.ledger.events(EventKind.BOUNCES)).isEqualTo(4);
    replay(f, request(false, 65536));
    assertThat(f.ledger.events(EventKind.BOUNCES)).isEqualTo(8);
    replay(f, request(true, 65536, 65536));
    assertThat(f.ledger.events(EventKind.BOUNCES)).isEqualTo(13);
    assertThat(f.ledger.events(EventKind.HYPERCALLS)).isZero();
  }
}
