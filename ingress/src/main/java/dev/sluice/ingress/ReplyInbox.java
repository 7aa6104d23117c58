package dev.sluice.ingress;

import dev.sluice.schemas.envelope.ReplyNonce;
import dev.sluice.schemas.reply.ReplyEnvelope;
import java.util.concurrent.CompletableFuture;

/**
 * Where the ingress waits for the pipeline's answers: {@link KafkaReplyInbox} reads them from this
 * instance's {@code llm.replies} partitions; tests answer in-process.
 */
interface ReplyInbox {

  /** The reply partition the next request should name in its {@code replyTo}. */
  int nextPartition();

  /**
   * Registers a wait before the request is published, so even an instant reply finds it. Only a
   * reply for {@code tenant} carrying {@code nonce} (the one in the request's {@code replyTo}) is
   * handed over (see {@link ReplyBinding}); the future fails with a {@link
   * java.util.concurrent.TimeoutException} after {@code timeoutMs}.
   */
  CompletableFuture<ReplyEnvelope> expect(
      String requestId, String tenant, ReplyNonce nonce, long timeoutMs);

  /** Stops waiting (the request was never published). */
  void forget(String requestId);

  /** Whether replies are being read; readiness fails when they are not. */
  boolean alive();
}
