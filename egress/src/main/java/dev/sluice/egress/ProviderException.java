package dev.sluice.egress;

import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * A provider call that failed. The message is the gateway's own, safe to show a caller: it never
 * carries a key, a prompt or the provider's raw body.
 */
public final class ProviderException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** How the call failed, which decides the caller's status. */
  public enum Kind {
    /** The provider failed (5xx, unreachable, unreadable answer) after retries: 502. */
    ERROR,
    /**
     * The provider refused this request (a 4xx other than 429), and no fallback is tried, since
     * another provider would be sent the same request: the caller gets the provider's status as
     * OpenAI would answer it (400, 404, 422), or 502 when the provider refused the gateway's own
     * key (401, 403).
     */
    REFUSED,
    /** The provider's circuit is open, so it was not called: 503 with Retry-After. */
    UNAVAILABLE,
    /** The deadline passed: 504. */
    TIMEOUT,
    /** The provider rate-limited us to the end: 429 with Retry-After. */
    RATE_LIMITED,
    /** No provider serves that model: 400. */
    UNKNOWN_MODEL
  }

  private final Kind kind;
  private final Integer retryAfterSeconds;
  private final Upstream upstream;
  private final Map<String, String> upstreamRateLimits;

  /**
   * What the provider said when it refused a request: its status, and its error's {@code code} and
   * {@code param} when they were safe tokens (never its message, which may quote the prompt).
   *
   * @param provider the provider's name, e.g. {@code openai}
   * @param code the provider's error code, or null
   * @param param the request field the provider named, or null
   * @param message the provider's own message, on one line and at most {@link
   *     #MAX_RAW_MESSAGE_CHARS} but otherwise as it wrote it: it may quote the request, so it is
   *     shown to the caller only after the redactor (and cut to {@link #MAX_MESSAGE_CHARS} only
   *     then, so that the cut never leaves a piece of a secret no rule recognises), and never
   *     logged or audited; null when it sent none
   */
  public record Upstream(String provider, int status, String code, String param, String message) {
    /** Longest provider message shown to the caller, after redaction. */
    public static final int MAX_MESSAGE_CHARS = 512;

    /** Longest provider message kept before redaction: room for what redaction shortens. */
    public static final int MAX_RAW_MESSAGE_CHARS = 8_192;

    public Upstream {
      message = message == null ? null : bounded(message);
    }

    /** A refusal without the provider's message. */
    public Upstream(String provider, int status, String code, String param) {
      this(provider, status, code, param, null);
    }

    private static String bounded(String message) {
      StringBuilder kept = new StringBuilder(Math.min(message.length(), MAX_RAW_MESSAGE_CHARS));
      for (int i = 0; i < message.length() && kept.length() < MAX_RAW_MESSAGE_CHARS; i++) {
        char c = message.charAt(i);
        kept.append(Character.isISOControl(c) ? ' ' : c);
      }
      String text = kept.toString().strip();
      return text.isEmpty() ? null : text;
    }

    @Override
    public String toString() {
      // The message may quote the prompt.
      return "Upstream[provider="
          + provider
          + ", status="
          + status
          + ", code="
          + code
          + ", param="
          + param
          + "]";
    }
  }

  public ProviderException(Kind kind, String message) {
    this(kind, message, null);
  }

  public ProviderException(Kind kind, String message, Integer retryAfterSeconds) {
    this(kind, message, retryAfterSeconds, null, Map.of());
  }

  /**
   * The provider rate-limited the call ({@link Kind#RATE_LIMITED}).
   *
   * @param upstreamRateLimits its {@code x-ratelimit-*} figures, by name without the prefix
   */
  public ProviderException(
      String message, Integer retryAfterSeconds, Map<String, String> upstreamRateLimits) {
    this(Kind.RATE_LIMITED, message, retryAfterSeconds, null, upstreamRateLimits);
  }

  /** A refusal by the provider ({@link Kind#REFUSED}), with what it said. */
  public ProviderException(String message, Upstream upstream) {
    this(Kind.REFUSED, message, null, upstream, Map.of());
  }

  private ProviderException(
      Kind kind,
      String message,
      Integer retryAfterSeconds,
      Upstream upstream,
      Map<String, String> upstreamRateLimits) {
    super(message, null, false, false);
    this.kind = kind;
    this.retryAfterSeconds = retryAfterSeconds;
    this.upstream = upstream;
    this.upstreamRateLimits = Map.copyOf(upstreamRateLimits);
  }

  /**
   * A rate-limited call's provider figures ({@code x-ratelimit-*} without the prefix); else empty.
   */
  public Map<String, String> upstreamRateLimits() {
    return upstreamRateLimits;
  }

  /** What the provider said when it refused the request, or null. */
  public Upstream upstream() {
    return upstream;
  }

  /**
   * The failure a completed stage carries, under the {@link CompletionException} and {@link
   * ExecutionException} wrappers that stages and futures add around it.
   */
  public static Throwable unwrap(Throwable failure) {
    Throwable t = failure;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  public Kind kind() {
    return kind;
  }

  public Integer retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
