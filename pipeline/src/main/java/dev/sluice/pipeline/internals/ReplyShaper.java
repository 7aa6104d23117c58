package dev.sluice.pipeline.internals;

import dev.sluice.pipeline.stage.AnswerStage;
import dev.sluice.schemas.reply.ChatCompletion;
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

/**
 * The last stage before a reply topic: runs every {@link AnswerStage} over a completed answer and
 * addresses the reply to the topic and partition its envelope asked for. The address travels in
 * headers that the sink's topic chooser and partitioner read; no request header is passed on, as a
 * producer may have put anything there.
 */
public final class ReplyShaper implements Processor<String, Step, String, ReplyEnvelope> {
  public static final String REPLY_TOPIC_HEADER = "sluice.reply.topic";
  public static final String REPLY_PARTITION_HEADER = "sluice.reply.partition";

  private final List<AnswerStage> stages;
  private ProcessorContext<String, ReplyEnvelope> context;

  public ReplyShaper(List<AnswerStage> stages) {
    this.stages = List.copyOf(stages);
  }

  @Override
  public void init(ProcessorContext<String, ReplyEnvelope> context) {
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
      long startedNs = System.nanoTime();
      ChatCompletion completion = reply.completion();
      for (AnswerStage stage : stages) {
        completion = stage.apply(settled.request(), completion);
      }
      timings.put("answer", Admission.elapsedMs(startedNs));
      reply = Replies.completed(settled.request(), completion, timings);
    } else {
      reply = withTimings(reply, timings);
    }
    Headers headers = new RecordHeaders();
    headers.add(REPLY_TOPIC_HEADER, settled.replyTo().topic().getBytes(StandardCharsets.UTF_8));
    headers.add(
        REPLY_PARTITION_HEADER,
        ByteBuffer.allocate(Integer.BYTES).putInt(settled.replyTo().partition()).array());
    context.forward(new Record<>(reply.requestId(), reply, record.timestamp(), headers));
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
