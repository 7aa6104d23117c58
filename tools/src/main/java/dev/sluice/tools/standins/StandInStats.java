package dev.sluice.tools.standins;

/**
 * What a {@link FakeProviderServer} has seen, as served on {@code GET /stand-in/stats}.
 *
 * @param received provider calls received, answered or not, with a good key or not
 * @param answered calls answered 200
 * @param inProgress calls accepted and not yet answered (held for the delay)
 * @param maxConcurrent the most calls ever in progress at once
 * @param unauthorized calls refused with 401 for a missing or wrong key
 * @param delayMs how long each call is held before its answer
 */
public record StandInStats(
    long received,
    long answered,
    int inProgress,
    int maxConcurrent,
    long unauthorized,
    long delayMs) {}
