package dev.sluice.pipeline.admission;

import dev.sluice.pipeline.auth.EnvelopeAuthenticator;
import dev.sluice.pipeline.flow.Admitted;
import dev.sluice.pipeline.flow.Settled;
import dev.sluice.pipeline.flow.Step;
import dev.sluice.pipeline.flow.Timings;
import dev.sluice.pipeline.flow.Undeliverable;
import dev.sluice.pipeline.reply.Replies;
import dev.sluice.pipeline.stage.Refusal;
import dev.sluice.pipeline.stage.ValidateShape;
import dev.sluice.schemas.Principal;
import dev.sluice.schemas.RequestIds;
import dev.sluice.schemas.StageName;
import dev.sluice.schemas.deadletter.DeadLetter;
import dev.sluice.schemas.envelope.ReplyTo;
import dev.sluice.schemas.envelope.RequestEnvelope;
import dev.sluice.schemas.envelope.Source;
import dev.sluice.schemas.envelope.VerifiedRequest;
import dev.sluice.schemas.reply.ErrorCode;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The head of the chain, on the stream thread: reads the envelope's address, id and version,
 * authenticates it and validates the request's shape. What it cannot answer goes to dead letters; a
 * refusal settles the request; otherwise the verified request (without the credential) is admitted
 * to the stage chain. Keys become request ids here.
 */
public final class Admission implements Processor<String, RequestEnvelope, String, Step> {
  private static final Logger LOGGER = LoggerFactory.getLogger(Admission.class);
  private static final String ADMISSION = StageName.ADMISSION.wireName();
  private final String nodeName;
  private final EnvelopeAuthenticator authenticator;
  private final Source source;
  private final Predicate<String> replyTopicAllowed;
  private ProcessorContext<String, Step> context;

  /**
   * @param nodeName this processor's name in the topology, which dead letters name
   */
  public Admission(
      String nodeName,
      EnvelopeAuthenticator authenticator,
      Source source,
      Predicate<String> replyTopicAllowed) {
    this.nodeName = nodeName;
    this.authenticator = authenticator;
    this.source = source;
    this.replyTopicAllowed = replyTopicAllowed;
  }

  @Override
  public void init(ProcessorContext<String, Step> context) {
    this.context = context;
  }

  @Override
  public void process(Record<String, RequestEnvelope> record) {
    long startedNs = System.nanoTime();
    try {
      admit(record, startedNs);
    } catch (RuntimeException e) {
      // A stage's bug: answer 500 rather than leave the caller waiting, and keep the thread going.
      RequestEnvelope envelope = record.value();
      LOGGER
          .atError()
          .addKeyValue("requestId", envelope == null ? null : envelope.requestId())
          .addKeyValue("error", e.getClass().getName())
          .log("admission failed; answering 500");
      if (envelope == null
          || envelope.replyTo() == null
          || !RequestIds.isValid(envelope.requestId())) {
        throw e;
      }
      settle(
          record,
          envelope.replyTo(),
          null,
          Refusal.of(StageName.ADMISSION, ErrorCode.INTERNAL_ERROR, "internal error"),
          startedNs);
    }
  }

  private void admit(Record<String, RequestEnvelope> record, long startedNs) {
    RequestEnvelope envelope = record.value();
    if (envelope == null) {
      deadLetter(record, null, "empty record");
      return;
    }
    String requestId = envelope.requestId();
    if (!RequestIds.isValid(requestId)) {
      deadLetter(record, null, "missing or malformed requestId");
      return;
    }
    ReplyTo replyTo = envelope.replyTo();
    if (replyTo == null || !replyTopicAllowed.test(replyTo.topic())) {
      deadLetter(record, requestId, "missing or disallowed replyTo");
      return;
    }
    if (envelope.schemaVersion() != RequestEnvelope.VERSION) {
      settle(
          record,
          replyTo,
          null,
          Refusal.of(
              ValidateShape.STAGE,
              ErrorCode.INVALID_REQUEST,
              "unsupported envelope schemaVersion; this gateway reads version "
                  + RequestEnvelope.VERSION),
          startedNs);
      return;
    }

    EnvelopeAuthenticator.Result auth =
        authenticator.authenticate(envelope, record.key(), record.timestamp());
    if (auth instanceof EnvelopeAuthenticator.Rejected rejected) {
      settle(record, replyTo, null, rejected.refusal(), startedNs);
      return;
    }
    Principal principal = ((EnvelopeAuthenticator.Authenticated) auth).principal();

    ValidateShape.Result shape = ValidateShape.apply(envelope.request());
    if (shape instanceof ValidateShape.Invalid invalid) {
      // Authenticated, so the decision is the tenant's: its audit record says whose it was.
      settle(record, replyTo, principal, invalid.refusal(), startedNs);
      return;
    }
    // From here on the credential is gone: only the verified principal travels.
    VerifiedRequest request =
        new VerifiedRequest(
            requestId,
            principal,
            source,
            replyTo,
            envelope.idempotencyKey(),
            envelope.clientIp(),
            envelope.batchId(),
            envelope.customId(),
            record.timestamp(),
            ((ValidateShape.Valid) shape).request());

    context.forward(
        record
            .withKey(requestId)
            .withValue(new Admitted(request, Map.of(ADMISSION, Timings.elapsedMs(startedNs)))));
  }

  /**
   * Answers a request refused here.
   *
   * @param principal who sent it, when the credential was verified before the refusal; else null
   */
  private void settle(
      Record<String, RequestEnvelope> record,
      ReplyTo replyTo,
      Principal principal,
      Refusal refusal,
      long startedNs) {
    String requestId = record.value().requestId();
    Map<String, Double> timings = new HashMap<>();
    timings.put(ADMISSION, Timings.elapsedMs(startedNs));
    context.forward(
        record
            .withKey(requestId)
            .withValue(
                new Settled(
                    replyTo,
                    source,
                    principal,
                    null,
                    refusal.stage(),
                    Replies.refused(
                        requestId,
                        principal == null ? null : principal.tenant(),
                        refusal,
                        timings))));
  }

  private void deadLetter(Record<String, RequestEnvelope> record, String requestId, String reason) {
    String topic = "";
    int partition = -1;
    long offset = -1;
    if (context.recordMetadata().isPresent()) {
      RecordMetadata metadata = context.recordMetadata().get();
      topic = metadata.topic();
      partition = metadata.partition();
      offset = metadata.offset();
    }
    // A fresh record: the producer's headers may hold anything, a credential included.
    context.forward(
        new Record<>(
            requestId,
            new Undeliverable(DeadLetter.of(requestId, reason, topic, partition, offset, nodeName)),
            record.timestamp()));
  }
}
