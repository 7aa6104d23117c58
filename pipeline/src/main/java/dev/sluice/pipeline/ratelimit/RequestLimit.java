package dev.sluice.pipeline.ratelimit;

/**
 * At most {@code requests} admissions in any window of {@code windowMs} milliseconds.
 *
 * @param requests the N of "N per window", at least 1
 * @param windowMs the window W in milliseconds, at least 1
 */
public record RequestLimit(long requests, long windowMs) {
  public RequestLimit {
    if (requests < 1) {
      throw new IllegalArgumentException(
          "requests per window must be at least 1 (leave the limit unset for none): " + requests);
    }
    if (windowMs < 1) {
      throw new IllegalArgumentException(
          "the request window must be at least 1 ms (leave the limit unset for none): " + windowMs);
    }
  }

  /** The sliding window this limit is counted in. */
  SlidingWindow window() {
    return SlidingWindow.of(windowMs);
  }
}
