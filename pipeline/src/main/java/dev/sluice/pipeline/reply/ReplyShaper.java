package dev.sluice.pipeline.reply;

import dev.sluice.pipeline.flow.Settled;
import dev.sluice.pipeline.flow.Step;
import dev.sluice.pipeline.flow.Timings;
import dev.sluice.pipeline.stage.AnswerStage;
import dev.sluice.pipeline.stage.Refusal;
import dev.sluice.schemas.reply.ChatCompletion;
import dev.sluice.schemas.reply.ErrorCode;
import dev.sluice.schemas.reply.Outcome;
import dev.sluice.schemas.reply.ReplyEnvelope;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last stage before a reply topic: runs every {@link AnswerStage} over a completed answer and
 * addresses the reply to the topic and partition its envelope asked for. The address travels in
 * headers that the sink's topic chooser and partitioner read; no request header is passed on, as a
 * producer may have put anything there.
 */
public final class ReplyShaper implements Processor<String, Step, String, Settled> {
  private static final Logger LOGGER = LoggerFactory.getLogger(ReplyShaper.class);
  public static final String REPLY_TOPIC_HEADER = "sluice.reply.topic";
  public static final String REPLY_PARTITION_HEADER = "sluice.reply.partition";

  private final List<AnswerStage> stages;
  private ProcessorContext<String, Settled> context;

  public ReplyShaper(List<AnswerStage> stages) {
    this.stages = List.copyOf(stages);
  }

  @Override
  public void init(ProcessorContext<String, Settled> context) {
    this.context = context;
  }

  @Override
  public void process(Record<String, Step> record) {
    Settled settled = (Settled) record.value();
    ReplyEnvelope reply = settled.reply();
    Map<String, Double> timings = new HashMap<>(reply.timings());
    if (settled.request() != null) {
      timings.put(
          "pipeline",
          (double) Math.max(0, context.currentSystemTimeMs() - settled.request().acceptedAtMs()));
    }
    if (reply.outcome() == Outcome.COMPLETED && !stages.isEmpty()) {
      reply = applyStages(settled, reply, timings);
    } else {
      reply = withTimings(reply, timings);
    }
    Headers headers = new RecordHeaders();
    headers.add(REPLY_TOPIC_HEADER, settled.replyTo().topic().getBytes(StandardCharsets.UTF_8));
    headers.add(
        REPLY_PARTITION_HEADER,
        ByteBuffer.allocate(Integer.BYTES).putInt(settled.replyTo().partition()).array());
    context.forward(
        new Record<>(reply.requestId(), settled.withReply(reply), record.timestamp(), headers));
  }

  /**
   * Runs the answer stages. If one fails the answer is withheld (500): an answer that skipped a
   * stage such as redaction must never reach a caller.
   */
  private ReplyEnvelope applyStages(
      Settled settled, ReplyEnvelope reply, Map<String, Double> timings) {
    long startedNs = System.nanoTime();
    ChatCompletion completion = reply.completion();
    try {
      for (AnswerStage stage : stages) {
        completion = stage.apply(settled.request(), completion);
      }
    } catch (RuntimeException e) {
      LOGGER
          .atError()
          .addKeyValue("requestId", reply.requestId())
          .addKeyValue("error", e.getClass().getName())
          .log("an answer stage failed; withholding the answer");
      return Replies.refused(
          reply.requestId(),
          reply.tenant(),
          Refusal.of("answer", ErrorCode.INTERNAL_ERROR, "internal error"),
          timings);
    }
    timings.put("answer", Timings.elapsedMs(startedNs));
    return Replies.completed(settled.request(), completion, timings);
  }

  private static ReplyEnvelope withTimings(ReplyEnvelope reply, Map<String, Double> timings) {
    return new ReplyEnvelope(
        reply.schemaVersion(),
        reply.requestId(),
        reply.tenant(),
        reply.outcome(),
        reply.status(),
        reply.completion(),
        reply.error(),
        reply.redactions(),
        timings,
        reply.retryAfterSeconds(),
        reply.batchId(),
        reply.customId());
  }
}
