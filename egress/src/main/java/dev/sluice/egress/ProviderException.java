package dev.sluice.egress;

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

  /**
   * What the provider said when it refused a request: its status, and its error's {@code code} and
   * {@code param} when they were safe tokens (never its message, which may quote the prompt).
   *
   * @param provider the provider's name, e.g. {@code openai}
   * @param code the provider's error code, or null
   * @param param the request field the provider named, or null
   */
  public record Upstream(String provider, int status, String code, String param) {}

  public ProviderException(Kind kind, String message) {
    this(kind, message, null);
  }

  public ProviderException(Kind kind, String message, Integer retryAfterSeconds) {
    this(kind, message, retryAfterSeconds, null);
  }

  /** A refusal by the provider ({@link Kind#REFUSED}), with what it said. */
  public ProviderException(String message, Upstream upstream) {
    this(Kind.REFUSED, message, null, upstream);
  }

  private ProviderException(
      Kind kind, String message, Integer retryAfterSeconds, Upstream upstream) {
    super(message, null, false, false);
    this.kind = kind;
    this.retryAfterSeconds = retryAfterSeconds;
    this.upstream = upstream;
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
