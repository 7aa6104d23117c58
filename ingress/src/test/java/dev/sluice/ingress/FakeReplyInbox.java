package dev.sluice.ingress;

import dev.sluice.schemas.chat.ChatMessage;
import dev.sluice.schemas.envelope.ReplyNonce;
import dev.sluice.schemas.reply.ChatCompletion;
import dev.sluice.schemas.reply.Choice;
import dev.sluice.schemas.reply.Meta;
import dev.sluice.schemas.reply.Outcome;
import dev.sluice.schemas.reply.ReplyEnvelope;
import dev.sluice.schemas.reply.Usage;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * A reply inbox the test scripts instead of the pipeline: it records every wait and answers it at
 * once with a given reply, times it out at once, or never answers.
 */
final class FakeReplyInbox implements ReplyInbox {
  /** One request the ingress waits for. */
  record Wait(String requestId, String tenant, ReplyNonce nonce, long timeoutMs) {}

  private final int partition;
  private final List<Wait> waits = new CopyOnWriteArrayList<>();
  private final List<String> forgotten = new CopyOnWriteArrayList<>();
  private volatile Function<Wait, CompletableFuture<ReplyEnvelope>> answer;
  private volatile boolean alive;

  /**
   * @param partition the reply partition every request is told to name
   */
  FakeReplyInbox(int partition) {
    this.partition = partition;
    reset();
  }

  /** Back to the start: nothing recorded, alive, every wait answered with an echo completion. */
  void reset() {
    waits.clear();
    forgotten.clear();
    alive = true;
    answerWith(wait -> completion(wait, "echo"));
  }

  /** From now on, answers each wait at once with what {@code reply} makes of it. */
  void answerWith(Function<Wait, ReplyEnvelope> reply) {
    answer = wait -> CompletableFuture.completedFuture(reply.apply(wait));
  }

  /** From now on, each wait runs out at once, as when the pipeline does not answer in time. */
  void timeOut() {
    answer = wait -> CompletableFuture.failedFuture(new TimeoutException());
  }

  /** From now on, no wait is ever answered. */
  void neverAnswer() {
    answer = wait -> new CompletableFuture<>();
  }

  void alive(boolean alive) {
    this.alive = alive;
  }

  List<Wait> waits() {
    return List.copyOf(waits);
  }

  List<String> forgotten() {
    return List.copyOf(forgotten);
  }

  @Override
  public int nextPartition() {
    return partition;
  }

  @Override
  public CompletableFuture<ReplyEnvelope> expect(
      String requestId, String tenant, ReplyNonce nonce, long timeoutMs) {
    Wait wait = new Wait(requestId, tenant, nonce, timeoutMs);
    waits.add(wait);
    return answer.apply(wait);
  }

  @Override
  public void forget(String requestId) {
    forgotten.add(requestId);
  }

  @Override
  public boolean alive() {
    return alive;
  }

  /**
   * A completed reply in the shape the pipeline writes (nonce included), answering {@code text}.
   */
  static ReplyEnvelope completion(Wait wait, String text) {
    return completion(wait, text, Map.of());
  }

  static ReplyEnvelope completion(Wait wait, String text, Map<String, Double> timings) {
    ChatCompletion completion =
        new ChatCompletion(
            "chatcmpl-" + wait.requestId(),
            ChatCompletion.OBJECT,
            Instant.now().getEpochSecond(),
            "stub",
            List.of(new Choice(0, ChatMessage.of("assistant", text), "stop")),
            Usage.of(3, 2),
            text,
            List.of(),
            new Meta("stub", wait.requestId(), Map.of()));
    return new ReplyEnvelope(
        ReplyEnvelope.VERSION,
        wait.requestId(),
        wait.tenant(),
        Outcome.COMPLETED,
        200,
        completion,
        null,
        Map.of(),
        timings,
        null,
        null,
        null,
        wait.nonce());
  }
}
