package org.vqsim.replay.reproduce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class TomlTest {
  @Test
  void readsTheSubsetScenarioFilesUse() {
    Toml.Table t = Toml.parse("""
        # a comment
        title = "a # not a comment \\"quoted\\""   # a comment
        n = 1_000
        x = -2.5e1
        yes = true
        list = ["a, b", "c"]
        nums = [1, 2.5]
        text = \"\"\"
        first line
        second line\"\"\"
        [setup]
        device = "d"
        [[run]]
        name = "one"
        [[run]]
        name = "two"
        """);
    assertThat(t.values().get("title").value()).isEqualTo("a # not a comment \"quoted\"");
    assertThat(t.values().get("title").line()).isEqualTo(2);
    assertThat(t.values().get("n").value()).isEqualTo(1000L);
    assertThat(t.values().get("x").value()).isEqualTo(-25.0);
    assertThat(t.values().get("yes").value()).isEqualTo(true);
    assertThat(t.values().get("list").value()).isEqualTo(List.of("a, b", "c"));
    assertThat(t.values().get("nums").value()).isEqualTo(List.of(1L, 2.5));
    assertThat(t.values().get("text").value()).isEqualTo("first line\nsecond line");
    assertThat(t.values().get("text").line()).isEqualTo(8);
    assertThat(t.table("setup").values().get("device").value()).isEqualTo("d");
    assertThat(t.table("setup").line()).isEqualTo(11);
    assertThat(t.array("run")).extracting(r -> r.values().get("name").value()).containsExactly("one", "two");
    assertThat(t.array("run").get(1).line()).isEqualTo(15);
  }

  @Test
  void errorsNameTheLine() {
    assertThatThrownBy(() -> Toml.parse("a = 1\nb = \"open\n")).isInstanceOf(Toml.TomlException.class).hasMessage("line 2: string is not closed with '\"'");
    assertThatThrownBy(() -> Toml.parse("a = 1\na = 2\n")).hasMessage("line 2: key 'a' is defined twice");
    assertThatThrownBy(() -> Toml.parse("[t]\n[t]\n")).hasMessage("line 2: table [t] is defined twice");
    assertThatThrownBy(() -> Toml.parse("x\n")).hasMessage("line 1: expected 'key = value', got 'x'");
    assertThatThrownBy(() -> Toml.parse("a = yes\n")).hasMessageContaining("line 1: 'yes' is not a string");
    assertThatThrownBy(() -> Toml.parse("a = \"\"\"\nnever closed\n")).hasMessage("line 1: multi-line string is not closed with \"\"\"");
    assertThatThrownBy(() -> Toml.parse("a = \"\\q\"\n")).hasMessage("line 1: unknown escape '\\q' in a string");
    assertThatThrownBy(() -> Toml.parse("a.b = 1\n")).hasMessageContaining("line 1: 'a.b' is not a bare key");
  }
}
