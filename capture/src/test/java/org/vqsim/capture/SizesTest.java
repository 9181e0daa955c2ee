package org.vqsim.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class SizesTest {

  @ParameterizedTest(name = "{0} = {1} bytes")
  @CsvSource({
      "512, 512",
      "4k, 4096",
      "4K, 4096",
      "4kb, 4096",
      "64KiB, 65536",
      "64kib, 65536",
      "1m, 1048576",
      "1MiB, 1048576",
      "10g, 10737418240",
      "2t, 2199023255552",
      "512b, 512",
      "' 8k ', 8192"})
  void parsesSizesInPowersOf1024AsFioDoes(String text, long bytes) {
    assertThat(Sizes.parse(text)).isEqualTo(bytes);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "abc", "4x", "1.5m", "k", "4 k", "99999999999t"})
  void rejectsWhatIsNotASizeWithAnExample(String text) {
    assertThatThrownBy(() -> Sizes.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a size: '" + text + "'")
        .hasMessageContaining("4k");
  }

  @Test
  void rejectsNegativeSizes() {
    assertThatThrownBy(() -> Sizes.parse("-4k"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must not be negative");
  }

  @Test
  void formatsCompactLabelsThatParseBack() {
    assertThat(Sizes.format(4096)).isEqualTo("4k");
    assertThat(Sizes.format(65536)).isEqualTo("64k");
    assertThat(Sizes.format(1 << 20)).isEqualTo("1m");
    assertThat(Sizes.format(1L << 30)).isEqualTo("1g");
    assertThat(Sizes.format(1000)).isEqualTo("1000");
    for (long b : new long[] {512, 4096, 6144, 1 << 20, 3L << 30}) assertThat(Sizes.parse(Sizes.format(b))).isEqualTo(b);
  }
}
