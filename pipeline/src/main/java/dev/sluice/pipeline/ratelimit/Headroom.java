package dev.sluice.pipeline.ratelimit;

/**
 * One limit's figures, as OpenAI's {@code x-ratelimit-limit-*}, {@code x-ratelimit-remaining-*} and
 * {@code x-ratelimit-reset-*} headers carry them.
 *
 * @param limit the limit
 * @param remaining what is left of it now (never negative)
 * @param resetMs milliseconds until the limit is whole again if nothing more is counted: the window
 *     empties (requests, tokens per minute), the UTC day ends (daily tokens), every call in flight
 *     has reached the reservation age limit (concurrent: an upper bound, settlements free slots
 *     sooner); 0 when nothing is counted
 */
public record Headroom(long limit, long remaining, long resetMs) {}
