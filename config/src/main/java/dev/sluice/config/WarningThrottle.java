package dev.sluice.config;

import java.time.Duration;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Lets one warning per key through per interval and counts the rest. Anyone who can write to a
 * topic can send it a million unreadable records; each must still be handled (noted in dead
 * letters, skipped), but the log should say so once a minute with a count, not a million times.
 *
 * <p>Keys are few (a topic, a topic and a kind of failure), so they are kept for the life of the
 * throttle. Thread-safe: stream threads and reader threads share one.
 */
public final class WarningThrottle {
  /** How often a key's warning is let through. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(1);

  private final long intervalNanos;
  private final LongSupplier nanoClock;
  private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

  /** A key's last warning and what was held back since. Guarded by its own monitor. */
  private static final class Window {
    private boolean warned;
    private long warnedAtNanos;
    private long heldBack;
  }

  /** One warning per key per {@link #DEFAULT_INTERVAL}, by the JVM's monotonic clock. */
  public WarningThrottle() {
    this(DEFAULT_INTERVAL, System::nanoTime);
  }

  /**
   * @param interval how long after a warning the same key's next one is held back
   * @param nanoClock a monotonic clock in nanoseconds ({@code System::nanoTime}; tests pass their
   *     own)
   */
  public WarningThrottle(Duration interval, LongSupplier nanoClock) {
    Objects.requireNonNull(interval, "interval");
    if (interval.isNegative()) {
      throw new IllegalArgumentException("interval must not be negative");
    }
    this.intervalNanos = interval.toNanos();
    this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
  }

  /**
   * Counts one occurrence under {@code key} and says whether to warn about it now.
   *
   * @return empty when the warning is held back (counted for the next one); otherwise how many
   *     occurrences were held back since the key's previous warning (0 for its first)
   */
  public OptionalLong admit(String key) {
    Window window = windows.computeIfAbsent(Objects.requireNonNull(key, "key"), k -> new Window());
    long now = nanoClock.getAsLong();
    synchronized (window) {
      if (window.warned && now - window.warnedAtNanos < intervalNanos) {
        window.heldBack++;
        return OptionalLong.empty();
      }
      long heldBack = window.heldBack;
      window.warned = true;
      window.warnedAtNanos = now;
      window.heldBack = 0;
      return OptionalLong.of(heldBack);
    }
  }

  @Override
  public String toString() {
    return "WarningThrottle[interval=" + Duration.ofNanos(intervalNanos) + "]";
  }
}
