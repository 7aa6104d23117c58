package dev.sluice.pipeline.firewall;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ContextOriginsTest {
  private static final ContextOrigins APPROVED =
      ContextOrigins.parse("kb://approved/, https://Docs.Example.com/public");

  @ParameterizedTest
  @ValueSource(
      strings = {
        "kb://approved/x",
        "kb://approved/a/b/c.md",
        "KB://approved/x",
        "kb://APPROVED/x",
        "kb://approved//x",
        "kb://approved/./x",
        "kb://approved/a/../x",
        "kb:\\\\approved\\x",
        "kb://approved%2Fx",
        "kb://approved/%78",
        "https://docs.example.com/public",
        "https://docs.example.com/public/page",
        "HTTPS://DOCS.example.com/public/page",
      })
  void allowsSourcesUnderAPrefixHoweverTheyAreSpelled(String source) {
    assertThat(APPROVED.allows(source)).as(source).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "kb://approved/../secret/x",
        "kb://approved%2F..%2Fsecret",
        "kb://approved%252F..%252Fsecret",
        "kb://approved/..%2F..%2Fsecret",
        "kb:\\\\approved\\..\\secret",
        "kb://approved/a/../../secret",
        "kb://approvedx/y",
        "kb://secret/approved/x",
        "https://docs.example.com/publicity",
        "https://docs.example.com.evil.net/public",
        "kb://approved/x%00y",
        "kb://approved/x\ny",
        "kb://appr\u200Boved/x",
        "kb://approved/x\u202Ey",
        "kb://approved%E2%80%8B/x",
        "kb://approved/\uDB40\uDC61x",
        "kb://approved/%zz",
        "kb://approved/%C0%AF",
        "kb://approved%25252525252F..",
        "",
        "   ",
        "approved/x",
      })
  void refusesSourcesOutsideOrEscapingTheirPrefix(String source) {
    assertThat(APPROVED.allows(source)).as(source).isFalse();
  }

  @Test
  void anEmptyAllowlistAllowsNothing() {
    ContextOrigins none = ContextOrigins.parse("");
    assertThat(none.isEmpty()).isTrue();
    assertThat(none.allows("kb://approved/x")).isFalse();
  }

  @Test
  void aHugeSourceIsRefused() {
    assertThat(APPROVED.allows("kb://approved/" + "a".repeat(10_000))).isFalse();
  }

  @Test
  void normalisationIsStable() {
    for (String source : List.of("kb://approved/a/./b/../c", "KB://Approved//a")) {
      String once = dev.sluice.policy.ContextSources.canonical(source).orElseThrow();
      assertThat(dev.sluice.policy.ContextSources.canonical(once)).contains(once);
    }
  }
}
