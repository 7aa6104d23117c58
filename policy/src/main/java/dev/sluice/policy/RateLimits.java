package dev.sluice.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Rate limits of one scope (the gateway's defaults, a bundle file's {@code rate_limits}, one
 * model's entry, the batch share), every one optional: an absent limit is inherited from the scope
 * below it ({@link #over}) and, absent everywhere, means no limit of that kind.
 *
 * @param requests requests admitted in any window of {@code windowMs}
 * @param windowMs the request window; absent in the resolved limits means {@value
 *     #DEFAULT_WINDOW_MS} ms ({@link #window()}). Set alone it changes the window of a {@code
 *     requests} inherited from below.
 * @param tokensPerMinute tokens (prompt and completion, reserved before the call) in any 60 s
 * @param dailyTokens tokens per UTC day
 * @param concurrent provider calls the scope may have in flight at once
 */
public record RateLimits(
    OptionalLong requests,
    OptionalLong windowMs,
    OptionalLong tokensPerMinute,
    OptionalLong dailyTokens,
    OptionalInt concurrent) {

  /** Sixty seconds: "requests per minute" when only a count is given. */
  public static final long DEFAULT_WINDOW_MS = 60_000;

  /** A second: shorter windows would be split into sub-buckets of a millisecond or less. */
  public static final long MIN_WINDOW_MS = 1_000;

  /** A day; budgets over a longer time are {@code dailyTokens}' business. */
  public static final long MAX_WINDOW_MS = 86_400_000;

  /** No limit of any kind. */
  public static final RateLimits NONE =
      new RateLimits(
          OptionalLong.empty(),
          OptionalLong.empty(),
          OptionalLong.empty(),
          OptionalLong.empty(),
          OptionalInt.empty());

  /**
   * @throws IllegalArgumentException on a limit below 1 or a window outside {@value #MIN_WINDOW_MS}
   *     to {@value #MAX_WINDOW_MS} ms; callers that read configuration check first, so their
   *     message can name the variable or the file
   */
  public RateLimits {
    Objects.requireNonNull(requests, "requests");
    Objects.requireNonNull(windowMs, "windowMs");
    Objects.requireNonNull(tokensPerMinute, "tokensPerMinute");
    Objects.requireNonNull(dailyTokens, "dailyTokens");
    Objects.requireNonNull(concurrent, "concurrent");
    List<String> problems = problems(requests, windowMs, tokensPerMinute, dailyTokens, concurrent);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
  }

  /**
   * What is wrong with these values, each as {@code <field> must be ...} with the bundle's field
   * names ({@code requests}, {@code window_ms}, {@code tokens_per_minute}, {@code daily_tokens},
   * {@code concurrent}); empty when they make valid limits.
   */
  public static List<String> problems(
      OptionalLong requests,
      OptionalLong windowMs,
      OptionalLong tokensPerMinute,
      OptionalLong dailyTokens,
      OptionalInt concurrent) {
    List<String> problems = new ArrayList<>();
    atLeastOne(problems, "requests", requests);
    if (windowMs.isPresent()
        && (windowMs.getAsLong() < MIN_WINDOW_MS || windowMs.getAsLong() > MAX_WINDOW_MS)) {
      problems.add("window_ms must be from " + MIN_WINDOW_MS + " to " + MAX_WINDOW_MS);
    }
    atLeastOne(problems, "tokens_per_minute", tokensPerMinute);
    atLeastOne(problems, "daily_tokens", dailyTokens);
    if (concurrent.isPresent() && concurrent.getAsInt() < 1) {
      problems.add("concurrent must be >= 1");
    }
    return problems;
  }

  /**
   * These limits over {@code lower}, field by field: each limit set here wins, each one unset here
   * is {@code lower}'s. A tenant's limits over the defaults, a model's over the tenant's.
   */
  public RateLimits over(RateLimits lower) {
    return new RateLimits(
        requests.isPresent() ? requests : lower.requests,
        windowMs.isPresent() ? windowMs : lower.windowMs,
        tokensPerMinute.isPresent() ? tokensPerMinute : lower.tokensPerMinute,
        dailyTokens.isPresent() ? dailyTokens : lower.dailyTokens,
        concurrent.isPresent() ? concurrent : lower.concurrent);
  }

  /** The request window in milliseconds: {@code windowMs}, or {@value #DEFAULT_WINDOW_MS}. */
  public long window() {
    return windowMs.orElse(DEFAULT_WINDOW_MS);
  }

  /** Whether no limit of any kind is set (a window alone limits nothing). */
  public boolean unlimited() {
    return requests.isEmpty()
        && tokensPerMinute.isEmpty()
        && dailyTokens.isEmpty()
        && concurrent.isEmpty();
  }

  public RateLimits withRequests(long count, long windowMs) {
    return new RateLimits(
        OptionalLong.of(count),
        OptionalLong.of(windowMs),
        tokensPerMinute,
        dailyTokens,
        concurrent);
  }

  public RateLimits withRequests(long count) {
    return new RateLimits(
        OptionalLong.of(count), windowMs, tokensPerMinute, dailyTokens, concurrent);
  }

  public RateLimits withWindowMs(long ms) {
    return new RateLimits(requests, OptionalLong.of(ms), tokensPerMinute, dailyTokens, concurrent);
  }

  public RateLimits withTokensPerMinute(long tokens) {
    return new RateLimits(requests, windowMs, OptionalLong.of(tokens), dailyTokens, concurrent);
  }

  public RateLimits withDailyTokens(long tokens) {
    return new RateLimits(requests, windowMs, tokensPerMinute, OptionalLong.of(tokens), concurrent);
  }

  public RateLimits withConcurrent(int calls) {
    return new RateLimits(requests, windowMs, tokensPerMinute, dailyTokens, OptionalInt.of(calls));
  }

  private static void atLeastOne(List<String> problems, String field, OptionalLong value) {
    if (value.isPresent() && value.getAsLong() < 1) {
      problems.add(field + " must be >= 1");
    }
  }

  @Override
  public String toString() {
    List<String> set = new ArrayList<>();
    requests.ifPresent(n -> set.add("requests=" + n + "/" + window() + "ms"));
    if (requests.isEmpty()) {
      windowMs.ifPresent(ms -> set.add("windowMs=" + ms));
    }
    tokensPerMinute.ifPresent(n -> set.add("tokensPerMinute=" + n));
    dailyTokens.ifPresent(n -> set.add("dailyTokens=" + n));
    concurrent.ifPresent(n -> set.add("concurrent=" + n));
    return "RateLimits" + set;
  }
}
