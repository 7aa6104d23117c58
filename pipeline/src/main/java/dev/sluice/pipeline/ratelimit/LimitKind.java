package dev.sluice.pipeline.ratelimit;

/** The limits a tenant can have; each one is optional in a {@link LimitSpec}. */
public enum LimitKind {
  /** N requests per window of W ms, in every window. */
  REQUESTS,
  /** Reserved tokens per 60 s, in every 60 s window. */
  TOKENS_PER_MINUTE,
  /** Reserved tokens per UTC day. */
  DAILY_TOKENS,
  /** Provider calls in flight (reserved, not yet settled). */
  CONCURRENT
}
