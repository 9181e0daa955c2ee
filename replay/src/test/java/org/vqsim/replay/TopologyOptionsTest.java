package org.vqsim.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vqsim.replay.Cli.read;
import static org.vqsim.replay.Cli.vqsim;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --vcpus, --queues, --iothreads, --swiotlb-areas and --tce-pools from the command line to the files: who ran what, and which locks. */
class TopologyOptionsTest {
  private static final int COUNT = 3000;
  @TempDir static Path dir;
  static Path trace;

  @BeforeAll
  static void generate() {
    trace = dir.resolve("t.arrow");
    assertThat(vqsim("generate", "--rw", "randread", "--bs", "4k", "--count", COUNT, "--seed", 3, "-o", trace).code()).isZero();
  }

  private static Map<String, Map<String, Object>> locksOf(Path out, String strategy) throws IOException {
    Map<String, Map<String, Object>> m = new HashMap<>();
    for (Map<String, Object> r : read(out.resolve("locks.arrow")).rows()) if (r.get("strategy").equals(strategy)) m.put((String) r.get("lock"), r);
    return m;
  }

  @Test
  void fourVcpusOnTwoQueuesSubmitFromEveryCpuAndCountTheirLocks() throws IOException {
    Path out = dir.resolve("cpu4-q2");
    Cli.Result r = vqsim("replay", trace, "--strategy", "direct,bounce,viommu-strict", "--vcpus", 4, "--queues", 2, "--iothreads", 2, "--iodepth", 16, "-o", out);
    assertThat(r.code()).as("%s", r).isZero();
    for (Map<String, Object> s : read(out.resolve("summary.arrow")).rows()) {
      assertThat(s.get("vcpus")).isEqualTo(4);
      assertThat(s.get("queues")).isEqualTo(2);
      assertThat(s.get("requests")).isEqualTo((long) COUNT);
    }
    Set<Object> cpus = new TreeSet<>(), queues = new TreeSet<>();
    for (Map<String, Object> q : read(out.resolve("requests.arrow")).rows()) {
      cpus.add(q.get("cpu"));
      queues.add(q.get("queue"));
      // Linux's blk_mq_map_queues spreads 4 CPUs over 2 queues as 0,1 → 0 and 2,3 → 1
      assertThat(q.get("queue")).isEqualTo((Integer) q.get("cpu") / 2);
    }
    assertThat(cpus).containsExactly(0, 1, 2, 3);
    assertThat(queues).containsExactly(0, 1);
    Map<String, Map<String, Object>> bounce = locksOf(out, "bounce");
    assertThat(bounce.get("virtqueue").get("instances")).isEqualTo(2);
    assertThat(bounce.get("swiotlb.area").get("instances")).as("one area per vCPU").isEqualTo(4);
    double bounces = read(out.resolve("summary.arrow")).rows().stream().filter(s -> s.get("strategy").equals("bounce"))
        .mapToDouble(s -> (Double) s.get("bounces_per_request")).findFirst().orElseThrow();
    assertThat((Long) bounce.get("swiotlb.area").get("acquisitions")).as("an allocation and a release per bounce")
        .isEqualTo(Math.round(2 * bounces * COUNT));
    assertThat(bounce).doesNotContainKey("mq_deadline").as("no scheduler with more than one queue");
    Map<String, Map<String, Object>> viommu = locksOf(out, "viommu-strict");
    assertThat(viommu).containsKeys("iova.rbtree", "vtd.qi_lock", "qemu.bql", "vtd.iommu_lock");
    assertThat(viommu.get("vtd.qi_lock").get("kind")).isEqualTo("spin");
    assertThat(viommu.get("qemu.bql").get("kind")).isEqualTo("mutex");
    for (Map<String, Object> l : read(out.resolve("locks.arrow")).rows()) {
      assertThat((Long) l.get("contended")).isBetween(0L, (Long) l.get("acquisitions"));
    }
  }

  @Test
  void oneSwiotlbAreaIsOneLockForEveryCpu() throws IOException {
    Path out = dir.resolve("areas1");
    assertThat(vqsim("replay", trace, "--strategy", "bounce", "--vcpus", 8, "--swiotlb-areas", 1, "--summary-only", "-o", out).code()).isZero();
    assertThat(locksOf(out, "bounce").get("swiotlb.area").get("instances")).isEqualTo(1);
  }

  @Test
  void tcePoolsFollowTheOption() throws IOException {
    Path four = dir.resolve("tce4"), one = dir.resolve("tce1");
    assertThat(vqsim("replay", trace, "--profile", "power9-kvm", "--strategy", "tce", "--vcpus", 4, "--summary-only", "-o", four).code()).isZero();
    assertThat(vqsim("replay", trace, "--profile", "power9-kvm", "--strategy", "tce", "--vcpus", 4, "--tce-pools", 1, "--summary-only", "-o", one).code()).isZero();
    assertThat(locksOf(four, "tce").get("tce.pool").get("instances")).as("4 small pools and the large one").isEqualTo(5);
    assertThat(locksOf(one, "tce").get("tce.pool").get("instances")).isEqualTo(2);
  }

  @Test
  void withoutCpusInTheTraceOneVcpuOneQueueAndTheScheduler() throws IOException {
    Path out = dir.resolve("default");
    assertThat(vqsim("replay", trace, "--strategy", "direct", "--summary-only", "-o", out).code()).isZero();
    Map<String, Object> s = read(out.resolve("summary.arrow")).rows().get(0);
    assertThat(List.of(s.get("vcpus"), s.get("queues"))).containsExactly(1, 1);
    assertThat(locksOf(out, "direct")).containsKeys("virtqueue", "mq_deadline");
  }

  @Test
  void moreQueuesThanVcpusIsAUsageErrorNamingBoth() throws IOException {
    Cli.Result r = vqsim("replay", trace, "--vcpus", 2, "--queues", 4, "-o", dir.resolve("bad"));
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("4 queues for 2 vCPUs").contains("--vcpus 4");
    assertThat(dir.resolve("bad")).doesNotExist();
    Cli.Result p = vqsim("replay", trace, "--tce-pools", 3, "-o", dir.resolve("bad2"));
    assertThat(p.code()).isEqualTo(2);
    assertThat(p.err()).contains("--tce-pools must be 1 or 4, not 3");
  }
}
