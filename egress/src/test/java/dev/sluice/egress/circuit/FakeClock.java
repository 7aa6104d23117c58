package dev.sluice.egress.circuit;

import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicLong;

/** A clock that moves only when a test says so. */
final class FakeClock implements InstantSource {
  private final AtomicLong nowMs;

  FakeClock(long startMs) {
    this.nowMs = new AtomicLong(startMs);
  }

  void advance(long ms) {
    nowMs.addAndGet(ms);
  }

  void set(long ms) {
    nowMs.set(ms);
  }

  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(nowMs.get());
  }

  @Override
  public long millis() {
    return nowMs.get();
  }
}
