package dev.sluice.schemas.reply;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * A provider's own {@code x-ratelimit-*} headers on a 429, kept so the caller can see whose limit
 * it hit: the ingress answers them as {@code x-upstream-ratelimit-*}, beside the gateway's own.
 * Only OpenAI's six names are read (Azure and most compatible servers send the same), and only
 * short figures and durations, so a provider cannot put arbitrary text in the caller's headers.
 */
public final class UpstreamRateLimits {
  private UpstreamRateLimits() {}

  /**
   * The reason of a 429 the provider answered after the gateway's own retries; the ingress then
   * tells the SDKs not to retry ({@code x-should-retry: false}), which they would do three times
   * more.
   */
  public static final String REASON = "upstream_rate_limited";

  /** The prefix of the headers the ingress answers them under. */
  public static final String ANSWERED_PREFIX = "x-upstream-ratelimit-";

  /** What follows {@code x-ratelimit-} in the headers read, and in the ones answered. */
  public static final List<String> NAMES =
      List.of(
          "limit-requests",
          "remaining-requests",
          "reset-requests",
          "limit-tokens",
          "remaining-tokens",
          "reset-tokens");

  private static final Pattern VALUE = Pattern.compile("[0-9A-Za-z.:]{1,32}");

  /**
   * The figures in a response's headers, by name without the prefix; empty when none.
   *
   * @param header a header's first value by its name
   */
  public static Map<String, String> of(Function<String, Optional<String>> header) {
    Map<String, String> figures = new LinkedHashMap<>();
    for (String name : NAMES) {
      header
          .apply("x-ratelimit-" + name)
          .filter(VALUE.asMatchPredicate())
          .ifPresent(value -> figures.put(name, value));
    }
    return figures;
  }

  /**
   * The headers to answer for {@code figures} as a reply carried them: only the six names and
   * values of the allowed shape, since a reply is read from a topic.
   */
  public static Map<String, String> headers(Map<String, String> figures) {
    Map<String, String> headers = new LinkedHashMap<>();
    for (String name : NAMES) {
      String value = figures.get(name);
      if (value != null && VALUE.matcher(value).matches()) {
        headers.put(ANSWERED_PREFIX + name, value);
      }
    }
    return headers;
  }
}
