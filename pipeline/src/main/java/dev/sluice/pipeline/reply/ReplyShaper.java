package dev.sluice.pipeline.reply;

import dev.sluice.pipeline.flow.Settled;
import dev.sluice.pipeline.flow.Step;
import dev.sluice.schemas.StageName;
import dev.sluice.schemas.reply.ReplyEnvelope;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * The last step before a reply topic: stamps the time the request spent in the pipeline, binds the
 * reply to its request with the envelope's {@code replyTo.nonce}, and addresses it to the topic and
 * partition the envelope asked for. The address travels in headers that the sink's topic chooser
 * and partitioner read; no request header is passed on, as a producer may have put anything there.
 * Every reply passes here, refusals of forged envelopes included, so each carries exactly the nonce
 * its own envelope sent.
 */
public final class ReplyShaper implements Processor<String, Step, String, Settled> {
  public static final String REPLY_TOPIC_HEADER = "sluice.reply.topic";
  public static final String REPLY_PARTITION_HEADER = "sluice.reply.partition";

  private ProcessorContext<String, Settled> context;

  @Override
  public void init(ProcessorContext<String, Settled> context) {
    this.context = context;
  }

  @Override
  public void process(Record<String, Step> record) {
    Settled settled = (Settled) record.value();
    ReplyEnvelope reply = settled.reply().withNonce(settled.replyTo().nonce());
    if (settled.request() != null) {
      Map<String, Double> timings = new HashMap<>(reply.timings());
      timings.put(
          StageName.PIPELINE.wireName(),
          (double) Math.max(0, context.currentSystemTimeMs() - settled.request().acceptedAtMs()));
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
        reply.customId(),
        reply.nonce(),
        reply.rateLimits(),
        reply.upstreamRateLimits());
  }
}
