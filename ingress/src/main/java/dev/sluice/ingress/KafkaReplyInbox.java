package dev.sluice.ingress;

import dev.sluice.config.WarningThrottle;
import dev.sluice.schemas.envelope.ReplyNonce;
import dev.sluice.schemas.reply.ReplyEnvelope;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads this instance's {@code llm.replies} partitions (assigned, not a consumer group, so other
 * instances' replies never arrive here) and hands each reply to the HTTP call waiting for it. A
 * reply nobody waits for (a duplicate after a pipeline crash, or one whose caller timed out) is
 * dropped. So is one under a waited-for request id that is not bound to that request (another
 * tenant, another nonce or none: see {@link ReplyBinding}); it is counted and logged, and the wait
 * goes on for the real reply.
 */
final class KafkaReplyInbox implements ReplyInbox, AutoCloseable {
  private static final Logger LOGGER = LoggerFactory.getLogger(KafkaReplyInbox.class);

  private final Consumer<String, ReplyEnvelope> consumer;
  private final List<Integer> owned;
  private final Map<String, Waiter> waiting = new ConcurrentHashMap<>();
  private final AtomicInteger next = new AtomicInteger();
  private final AtomicLong unbound = new AtomicLong();
  private final Thread thread;
  // Garbage on the reply topic is skipped record by record but logged once a minute.
  private final WarningThrottle unreadable;
  private volatile boolean running = true;
  private volatile boolean alive = true;

  /** A caller waiting for its reply; only a reply bound to its request is handed over. */
  private record Waiter(String tenant, ReplyNonce nonce, CompletableFuture<ReplyEnvelope> reply) {
    ReplyBinding binding(ReplyEnvelope candidate) {
      return ReplyBinding.of(tenant, nonce, candidate.tenant(), candidate.nonce());
    }
  }

  KafkaReplyInbox(Consumer<String, ReplyEnvelope> consumer, String topic, List<Integer> owned) {
    this(consumer, topic, owned, new WarningThrottle());
  }

  KafkaReplyInbox(
      Consumer<String, ReplyEnvelope> consumer,
      String topic,
      List<Integer> owned,
      WarningThrottle unreadable) {
    this.consumer = consumer;
    this.unreadable = unreadable;
    this.owned = List.copyOf(owned);
    List<TopicPartition> partitions = new ArrayList<>();
    for (int partition : owned) {
      partitions.add(new TopicPartition(topic, partition));
    }
    consumer.assign(partitions);
    consumer.seekToEnd(partitions);
    // Resolve the end offsets now: a reply must never land before the position is fixed.
    for (TopicPartition partition : partitions) {
      consumer.position(partition, Duration.ofSeconds(30));
    }
    this.thread = new Thread(this::run, "reply-inbox");
    this.thread.setDaemon(true);
    this.thread.start();
  }

  /** Spreads the load over the owned partitions. */
  @Override
  public int nextPartition() {
    return owned.get(Math.floorMod(next.getAndIncrement(), owned.size()));
  }

  @Override
  public CompletableFuture<ReplyEnvelope> expect(
      String requestId, String tenant, ReplyNonce nonce, long timeoutMs) {
    Objects.requireNonNull(nonce, "nonce");
    CompletableFuture<ReplyEnvelope> reply = new CompletableFuture<>();
    Waiter waiter = new Waiter(tenant, nonce, reply);
    waiting.put(requestId, waiter);
    // The caller gets the future that completes after the wait is forgotten, so a caller that saw
    // its answer (or its timeout) never sees the wait still counted.
    return reply
        .orTimeout(timeoutMs, TimeUnit.MILLISECONDS)
        .whenComplete((r, e) -> waiting.remove(requestId, waiter));
  }

  /** Whether the reader thread is still reading. */
  @Override
  public boolean alive() {
    return alive && thread.isAlive();
  }

  @Override
  public void forget(String requestId) {
    waiting.remove(requestId);
  }

  int waitingCount() {
    return waiting.size();
  }

  /** Replies dropped since start because they were not bound to the request they named. */
  long unboundReplies() {
    return unbound.get();
  }

  private void run() {
    try {
      while (running) {
        try {
          deliver(consumer.poll(Duration.ofMillis(500)));
        } catch (RecordDeserializationException e) {
          // Anyone who can write to the reply topic could stop this reader; skip what it cannot
          // read.
          OptionalLong heldBack = unreadable.admit(e.topicPartition().topic());
          if (heldBack.isPresent()) {
            LOGGER
                .atWarn()
                .addKeyValue("partition", e.topicPartition())
                .addKeyValue("offset", e.offset())
                .addKeyValue("unloggedSinceLast", heldBack.getAsLong())
                .log("skipping an unreadable reply; more are skipped but logged once a minute");
          }
          consumer.seek(e.topicPartition(), e.offset() + 1);
        } catch (WakeupException e) {
          throw e;
        } catch (KafkaException e) {
          LOGGER
              .atWarn()
              .addKeyValue("error", e.getClass().getSimpleName())
              .log("reply poll failed");
          pause();
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      LOGGER.atError().setCause(e).log("reply inbox stopped");
    } finally {
      alive = false;
      consumer.close(Duration.ofSeconds(5));
    }
  }

  private void deliver(ConsumerRecords<String, ReplyEnvelope> records) {
    for (ConsumerRecord<String, ReplyEnvelope> record : records) {
      ReplyEnvelope reply = record.value();
      if (reply == null) {
        continue;
      }
      Waiter waiter = waiting.get(reply.requestId());
      if (waiter == null) {
        continue;
      }
      ReplyBinding binding = waiter.binding(reply);
      if (binding != ReplyBinding.MATCHES) {
        // Forged under a known request id (or from a pipeline that drops nonces): the real one
        // may follow, so the caller keeps waiting.
        unbound.incrementAndGet();
        LOGGER
            .atWarn()
            .addKeyValue("requestId", reply.requestId())
            .addKeyValue("partition", record.partition())
            .addKeyValue("offset", record.offset())
            .addKeyValue("status", reply.status())
            .addKeyValue("reason", binding.reason())
            .log("dropping a reply not bound to its request");
        continue;
      }
      if (waiting.remove(reply.requestId(), waiter)) {
        waiter.reply().complete(reply);
      }
    }
  }

  private static void pause() {
    try {
      Thread.sleep(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
