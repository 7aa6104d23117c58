package dev.sluice.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import dev.sluice.schemas.reply.RateLimitState;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The headers made of a reply's rate-limit figures, and OpenAI's (Go's) duration format. */
class RateLimitHeadersTest {

  @Test
  void formatsDurationsAsGoDoes() {
    assertThat(RateLimitHeaders.goDuration(0)).isEqualTo("0s");
    assertThat(RateLimitHeaders.goDuration(1)).isEqualTo("1ms");
    assertThat(RateLimitHeaders.goDuration(20)).isEqualTo("20ms");
    assertThat(RateLimitHeaders.goDuration(999)).isEqualTo("999ms");
    assertThat(RateLimitHeaders.goDuration(1_000)).isEqualTo("1s");
    assertThat(RateLimitHeaders.goDuration(1_500)).isEqualTo("1.5s");
    assertThat(RateLimitHeaders.goDuration(1_001)).isEqualTo("1.001s");
    assertThat(RateLimitHeaders.goDuration(1_020)).isEqualTo("1.02s");
    assertThat(RateLimitHeaders.goDuration(1_050)).isEqualTo("1.05s");
    assertThat(RateLimitHeaders.goDuration(1_200)).isEqualTo("1.2s");
    assertThat(RateLimitHeaders.goDuration(59_999)).isEqualTo("59.999s");
    assertThat(RateLimitHeaders.goDuration(60_000)).isEqualTo("1m0s");
    assertThat(RateLimitHeaders.goDuration(61_000)).isEqualTo("1m1s");
    assertThat(RateLimitHeaders.goDuration(360_000)).isEqualTo("6m0s");
    assertThat(RateLimitHeaders.goDuration(3_600_000)).isEqualTo("1h0m0s");
    assertThat(RateLimitHeaders.goDuration(3_723_000)).isEqualTo("1h2m3s");
    assertThat(RateLimitHeaders.goDuration(3_600_500)).isEqualTo("1h0m0.5s");
    // A day is 24h: Go has no day unit.
    assertThat(RateLimitHeaders.goDuration(86_400_000)).isEqualTo("24h0m0s");
  }

  @Test
  void writesANegativeDurationAsZero() {
    assertThat(RateLimitHeaders.goDuration(-1)).isEqualTo("0s");
    assertThat(RateLimitHeaders.goDuration(Long.MIN_VALUE)).isEqualTo("0s");
  }

  @Test
  void everyDurationReadsBackAsItsMilliseconds() {
    Pattern go = Pattern.compile("(?:(\\d+)h)?(?:(\\d+)m(?!s))?(?:(\\d+)(?:\\.(\\d{1,3}))?s)?");
    Pattern millis = Pattern.compile("([1-9]\\d{0,2})ms");
    Random random = new Random(20261202L);
    for (int i = 0; i < 10_000; i++) {
      long ms =
          switch (i % 3) {
            case 0 -> random.nextInt(1_000);
            case 1 -> random.nextInt(3_600_000);
            default -> Math.floorMod(random.nextLong(), 400L * 86_400_000);
          };
      String text = RateLimitHeaders.goDuration(ms);
      long read;
      Matcher small = millis.matcher(text);
      if (small.matches()) {
        read = Long.parseLong(small.group(1));
        assertThat(ms).as(text).isLessThan(1_000);
      } else if (text.equals("0s")) {
        read = 0;
      } else {
        Matcher m = go.matcher(text);
        assertThat(m.matches()).as(text).isTrue();
        long hours = m.group(1) == null ? 0 : Long.parseLong(m.group(1));
        long minutes = m.group(2) == null ? 0 : Long.parseLong(m.group(2));
        long seconds = Long.parseLong(m.group(3));
        String fraction = m.group(4) == null ? "" : m.group(4);
        assertThat(fraction).as(text).doesNotEndWith("0");
        assertThat(minutes).as(text).isLessThan(60);
        assertThat(seconds).as(text).isLessThan(60);
        if (hours > 0) {
          assertThat(m.group(2)).as("minutes are written after hours: " + text).isNotNull();
        }
        read =
            hours * 3_600_000
                + minutes * 60_000
                + seconds * 1_000
                + (fraction.isEmpty() ? 0 : Long.parseLong((fraction + "00").substring(0, 3)));
      }
      assertThat(read).as(text).isEqualTo(ms);
    }
  }

  @Test
  void writesEveryFigureOnASuccessButNoRetryHeaders() {
    RateLimitState figures =
        new RateLimitState(60L, 59L, 1_000L, 150_000L, 149_984L, 360_000L, null);

    assertThat(RateLimitHeaders.of(200, figures, null))
        .containsExactly(
            entry("x-ratelimit-limit-requests", "60"),
            entry("x-ratelimit-remaining-requests", "59"),
            entry("x-ratelimit-reset-requests", "1s"),
            entry("x-ratelimit-limit-tokens", "150000"),
            entry("x-ratelimit-remaining-tokens", "149984"),
            entry("x-ratelimit-reset-tokens", "6m0s"));
  }

  @Test
  void writesOnlyTheFiguresThatArePresent() {
    RateLimitState requestsOnly = new RateLimitState(3L, 2L, 2_000L, null, null, null, null);

    assertThat(RateLimitHeaders.of(200, requestsOnly, null))
        .containsOnlyKeys(
            "x-ratelimit-limit-requests",
            "x-ratelimit-remaining-requests",
            "x-ratelimit-reset-requests");
    assertThat(RateLimitHeaders.of(200, null, null)).isEmpty();
    assertThat(RateLimitHeaders.of(403, null, null)).isEmpty();
  }

  @Test
  void aRefusalCarriesBothRetryHeaders() {
    RateLimitState figures = new RateLimitState(3L, 0L, 1_250L, null, null, null, 1_250L);

    assertThat(RateLimitHeaders.of(429, figures, 2))
        .contains(
            entry("x-ratelimit-remaining-requests", "0"),
            entry("x-ratelimit-reset-requests", "1.25s"),
            entry("Retry-After", "2"),
            entry("retry-after-ms", "1250"));
  }

  @Test
  void retryAfterSecondsIsRoundedUpFromTheMillisecondsAndAtLeastOne() {
    assertThat(retryAfter(1)).isEqualTo("1");
    assertThat(retryAfter(999)).isEqualTo("1");
    assertThat(retryAfter(1_000)).isEqualTo("1");
    assertThat(retryAfter(1_001)).isEqualTo("2");
    assertThat(retryAfter(0)).isEqualTo("1");
    // The reply's own seconds win, still at least 1.
    RateLimitState figures = new RateLimitState(null, null, null, null, null, null, 300L);
    assertThat(RateLimitHeaders.of(429, figures, 0)).containsEntry("Retry-After", "1");
    assertThat(RateLimitHeaders.of(429, null, 7)).containsExactly(entry("Retry-After", "7"));
  }

  @Test
  void retryAfterMsGoesWithA429Only() {
    RateLimitState figures = new RateLimitState(null, null, null, null, null, null, 500L);

    assertThat(RateLimitHeaders.of(503, figures, 1)).doesNotContainKey("retry-after-ms");
    assertThat(RateLimitHeaders.of(429, figures, null)).containsEntry("retry-after-ms", "500");
  }

  private static String retryAfter(long ms) {
    RateLimitState figures = new RateLimitState(null, null, null, null, null, null, ms);
    return RateLimitHeaders.of(429, figures, null).get("Retry-After");
  }
}
