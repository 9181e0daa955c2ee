package org.vqsim.capture.synthetic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WorkloadSpecTest {

  @Test
  void singleBlockSizeHasWeightOne() {
    int[][] bs = WorkloadSpec.parseBlockSizes("4k");
    assertThat(bs[0]).containsExactly(4096);
    assertThat(bs[1]).containsExactly(1);
  }

  @Test
  void weightedBlockSizesKeepTheirOrderAndWeights() {
    int[][] bs = WorkloadSpec.parseBlockSizes("4k:70,64k:30");
    assertThat(bs[0]).containsExactly(4096, 65536);
    assertThat(bs[1]).containsExactly(70, 30);
  }

  @Test
  void blockSizeWithTooManyColonsIsRejected() {
    assertThatThrownBy(() -> WorkloadSpec.parseBlockSizes("4k:1:2"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--bs: '4k:1:2' is not SIZE or SIZE:WEIGHT");
  }

  @Test
  void emptyBlockSizeIsRejected() {
    assertThatThrownBy(() -> WorkloadSpec.parseBlockSizes("4k,,8k"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not SIZE or SIZE:WEIGHT");
  }

  @Test
  void nonNumericWeightIsRejected() {
    assertThatThrownBy(() -> WorkloadSpec.parseBlockSizes("4k:lots"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("weight 'lots' is not a whole number");
  }

  @Test
  void blockSizeAbove2GiBIsRejected() {
    assertThatThrownBy(() -> WorkloadSpec.parseBlockSizes("4g"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("too large");
  }

  @Test
  void badSizeInBlockSizesNamesIt() {
    assertThatThrownBy(() -> WorkloadSpec.parseBlockSizes("4q"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'4q'");
  }

  @Test
  void offsetRangeWithOneSizeStartsAtZero() {
    assertThat(WorkloadSpec.parseOffsetRange("10g")).containsExactly(0L, 10L << 30);
  }

  @Test
  void offsetRangeStartEnd() {
    assertThat(WorkloadSpec.parseOffsetRange("1m:2m")).containsExactly(1L << 20, 2L << 20);
  }

  @Test
  void offsetRangeWithThreePartsIsRejected() {
    assertThatThrownBy(() -> WorkloadSpec.parseOffsetRange("1:2:3"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--offset-range must be END or START:END, not '1:2:3'");
  }

  @Test
  void offsetRangeWithBadSizeIsRejected() {
    assertThatThrownBy(() -> WorkloadSpec.parseOffsetRange("1m:lots"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a size: 'lots'");
  }

  @Test
  void uniformDistributionIsThetaZero() {
    assertThat(WorkloadSpec.parseDistribution("uniform")).isZero();
  }

  @Test
  void zipfDistributionGivesItsExponent() {
    assertThat(WorkloadSpec.parseDistribution("zipf:1.2")).isEqualTo(1.2);
    assertThat(WorkloadSpec.parseDistribution("zipf:0.8")).isEqualTo(0.8);
  }

  @ParameterizedTest
  @ValueSource(strings = {"zipf:0", "zipf:-1", "zipf:", "zipf:abc", "zipf:NaN", "zipf:Infinity", "pareto:0.5", "Uniform", "normal"})
  void otherDistributionsAreRejectedWithTheAccepted(String text) {
    assertThatThrownBy(() -> WorkloadSpec.parseDistribution(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("uniform or zipf:THETA")
        .hasMessageEndingWith("not '" + text + "'");
  }

  static WorkloadSpec valid() {
    return new WorkloadSpec("randread", 50, new int[] {4096}, new int[] {1}, 1, 100, 0, 0, 1 << 20, 0, 0, 1);
  }

  @Test
  void validSpecIsAccepted() {
    assertThat(valid().random()).isTrue();
  }

  @Test
  void unknownRwModeIsRejectedListingTheModes() {
    assertThatThrownBy(() -> new WorkloadSpec("randomread", 50, new int[] {4096}, new int[] {1}, 1, 100, 0, 0, 1 << 20, 0, 0, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("randrw").hasMessageContaining("'randomread'");
  }

  @Test
  void rwmixreadAbove100IsRejected() {
    assertThatThrownBy(() -> new WorkloadSpec("randrw", 101, new int[] {4096}, new int[] {1}, 1, 100, 0, 0, 1 << 20, 0, 0, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--rwmixread");
  }

  @Test
  void blockSizeNotAMultipleOf512IsRejected() {
    assertThatThrownBy(() -> new WorkloadSpec("randread", 50, new int[] {1000}, new int[] {1}, 1, 100, 0, 0, 1 << 20, 0, 0, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("multiples of 512");
  }

  @Test
  void zeroWeightIsRejected() {
    assertThatThrownBy(() -> new WorkloadSpec("randread", 50, new int[] {4096}, new int[] {0}, 1, 100, 0, 0, 1 << 20, 0, 0, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("weights must be positive");
  }

  @Test
  void neitherCountNorSizeIsRejected() {
    assertThatThrownBy(() -> new WorkloadSpec("randread", 50, new int[] {4096}, new int[] {1}, 1, 0, 0, 0, 1 << 20, 0, 0, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--count");
  }

  @Test
  void regionSmallerThanTheLargestBlockIsRejected() {
    assertThatThrownBy(() -> new WorkloadSpec("randread", 50, new int[] {4096, 65536}, new int[] {1, 1}, 1, 100, 0, 0, 32768, 0, 0, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("smaller than the largest block size");
  }

  @Test
  void emptyRegionIsRejected() {
    assertThatThrownBy(() -> new WorkloadSpec("randread", 50, new int[] {4096}, new int[] {1}, 1, 100, 0, 4096, 4096, 0, 0, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--offset-range");
  }

  @Test
  void iodepthZeroIsRejected() {
    assertThatThrownBy(() -> new WorkloadSpec("randread", 50, new int[] {4096}, new int[] {1}, 0, 100, 0, 0, 1 << 20, 0, 0, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--iodepth");
  }

  @Test
  void describeRecordsTheOptionsForTheMetadata() {
    WorkloadSpec w = new WorkloadSpec("randrw", 70, new int[] {4096, 65536}, new int[] {70, 30}, 32, 1000, 0, 0, 1L << 30, 1.2, 0, 7);
    assertThat(w.describe())
        .containsEntry("rw", "randrw")
        .containsEntry("rwmixread", "70")
        .containsEntry("bs", "4k:70,64k:30")
        .containsEntry("iodepth", "32")
        .containsEntry("count", "1000")
        .containsEntry("random_distribution", "zipf:1.2")
        .containsEntry("seed", "7")
        .doesNotContainKey("rate");
  }

  // ---- jobs -----------------------------------------------------------------------------------

  private static WorkloadSpec jobs(String rw, long start, long end, int numjobs) {
    return new WorkloadSpec(rw, 50, new int[] {4096, 65536}, new int[] {1, 1}, 8, 100, 0, start, end, 0, 0, 1, numjobs);
  }

  @ParameterizedTest(name = "--numjobs {0}")
  @ValueSource(ints = {0, -1, 4097})
  void numjobsOutside1To4096IsRejected(int n) {
    assertThatThrownBy(() -> jobs("randread", 0, 1 << 30, n))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("--numjobs must be within 1..4096, not " + n);
  }

  @Test
  void eachJobHasTheCountSoTheWorkloadHasNTimesIt() {
    assertThat(jobs("randread", 0, 1 << 30, 4).expectedRequests()).isEqualTo(400);
    assertThat(new WorkloadSpec("randread", 50, new int[] {4096}, new int[] {1}, 1, 0, 1 << 20, 0, 1 << 30, 0, 0, 1, 3).expectedRequests())
        .as("--size 1m per job of 4 KiB requests").isEqualTo(3 * 256);
  }

  @Test
  void sequentialJobsShareTheRegionAlignedToTheSmallestBlock() {
    // 10 MiB + 1000 bytes over 3 jobs: 3,495,594 bytes each, rounded down to 4 KiB
    assertThat(jobs("read", 0, (10L << 20) + 1000, 3).jobShare()).isEqualTo(853 * 4096L);
    assertThat(jobs("read", 4096, 4096 + 131072 + 1000, 1).jobShare()).as("one job: the whole region").isEqualTo(131072 + 1000);
  }

  @Test
  void sequentialJobsWhoseShareIsSmallerThanABlockAreRejected() {
    assertThatThrownBy(() -> jobs("write", 0, 1 << 20, 32))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("too small for 32 sequential jobs")
        .hasMessageContaining("65536 bytes");
    assertThat(jobs("randwrite", 0, 1 << 20, 32).numjobs()).as("random jobs share the whole region").isEqualTo(32);
  }

  @Test
  void oneJobDescribesItselfAsBeforeAndSeveralNameTheirNumber() {
    assertThat(jobs("randread", 0, 1 << 30, 1).describe()).doesNotContainKey("numjobs");
    assertThat(jobs("randread", 0, 1 << 30, 1).knowsCpus()).isFalse();
    assertThat(jobs("randread", 0, 1 << 30, 4).describe()).containsEntry("numjobs", "4").containsEntry("iodepth", "8").containsEntry("count", "100");
    assertThat(jobs("randread", 0, 1 << 30, 4).knowsCpus()).isTrue();
  }

  @Test
  void jobZeroKeepsTheSeedAndTheOthersGetDistinctOnes() {
    assertThat(WorkloadSpec.jobSeed(42, 0)).isEqualTo(42);
    java.util.Set<Long> seeds = new java.util.HashSet<>();
    for (int k = 0; k < WorkloadSpec.MAX_JOBS; k++) seeds.add(WorkloadSpec.jobSeed(42, k));
    assertThat(seeds).hasSize(WorkloadSpec.MAX_JOBS);
    assertThat(WorkloadSpec.jobSeed(42, 1)).isNotEqualTo(WorkloadSpec.jobSeed(43, 1));
  }
}
