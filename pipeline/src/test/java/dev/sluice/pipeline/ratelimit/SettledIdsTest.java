package dev.sluice.pipeline.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class SettledIdsTest {
  @Test
  void holdsIdsUntilTheyExpireOldestFirst() {
    SettledIds ids = new SettledIds();
    assertThat(ids.add("r1", 1_000)).isTrue();
    assertThat(ids.add("r1", 1_500)).as("held already").isFalse();
    assertThat(ids.add("r2", 2_000)).isTrue();
    assertThat(ids.contains("r1")).isTrue();
    assertThat(ids.contains("r3")).isFalse();

    ids.expire(11_000, 10_000);
    assertThat(ids.contains("r1")).isFalse();
    assertThat(ids.contains("r2")).isTrue();
    ids.expire(12_000, 10_000);
    assertThat(ids.size()).isZero();
    assertThat(ids.add("r1", 12_000)).as("forgotten, so new again").isTrue();
  }

  /** The same as a set and a queue of strings, through growth, wrap-around and removals. */
  @Test
  void matchesASetAndAQueueUnderChurn() {
    SettledIds ids = new SettledIds();
    Set<String> held = new HashSet<>();
    ArrayDeque<String> order = new ArrayDeque<>();
    ArrayDeque<Long> times = new ArrayDeque<>();
    Random random = new Random(7);
    long now = 0;
    for (int step = 0; step < 200_000; step++) {
      now += random.nextInt(3);
      String id =
          random.nextInt(10) == 0 && !order.isEmpty()
              ? order.peekLast()
              : UUID.randomUUID().toString();
      boolean added = ids.add(id, now);
      assertThat(added).isEqualTo(held.add(id));
      if (added) {
        order.addLast(id);
        times.addLast(now);
      }
      // Bursts grow the ring and the index; quiet spells empty them again.
      long keep = (step / 20_000) % 2 == 0 ? 5_000 : 50;
      ids.expire(now, keep);
      while (!times.isEmpty() && now - times.peekFirst() >= keep) {
        held.remove(order.pollFirst());
        times.pollFirst();
      }
      assertThat(ids.size()).isEqualTo(held.size());
      if (step % 997 == 0) {
        for (String kept : held) {
          assertThat(ids.contains(kept)).isTrue();
        }
        assertThat(ids.contains(UUID.randomUUID().toString())).isFalse();
      }
    }
  }
}
