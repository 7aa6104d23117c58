package dev.sluice.ingress;

import dev.sluice.schemas.envelope.RequestEnvelope;
import dev.sluice.topics.Topics;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Publishes request envelopes to {@code llm.requests}, keyed by tenant. */
final class RequestPublisher implements AutoCloseable {
  private final Producer<String, RequestEnvelope> producer;

  RequestPublisher(Producer<String, RequestEnvelope> producer) {
    this.producer = producer;
  }

  /** Completes when the broker has the record; fails (never half-published) otherwise. */
  CompletableFuture<Void> publish(RequestEnvelope envelope) {
    CompletableFuture<Void> sent = new CompletableFuture<>();
    try {
      producer.send(
          new ProducerRecord<>(Topics.REQUESTS.name(), envelope.tenant(), envelope),
          (metadata, error) -> {
            if (error == null) {
              sent.complete(null);
            } else {
              sent.completeExceptionally(error);
            }
          });
    } catch (RuntimeException e) {
      sent.completeExceptionally(e);
    }
    return sent;
  }

  @Override
  public void close() {
    producer.close();
  }
}
