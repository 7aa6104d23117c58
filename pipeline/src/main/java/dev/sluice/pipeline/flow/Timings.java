package dev.sluice.pipeline.flow;

/** Stage timings as the reply's {@code timings} and the {@code Server-Timing} header show them. */
public final class Timings {
  private Timings() {}

  /** Milliseconds since {@code startedNs} ({@link System#nanoTime()}), to the microsecond. */
  public static double elapsedMs(long startedNs) {
    return Math.round((System.nanoTime() - startedNs) / 1_000.0) / 1_000.0;
  }
}
