package dev.sluice.pipeline.reply;

import dev.sluice.pipeline.flow.Settled;
import dev.sluice.schemas.envelope.ReplyNonce;
import dev.sluice.schemas.reply.ReplyEnvelope;
import dev.sluice.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.WindowStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * After {@link ReplyShaper}: keeps each reply in the reply store ({@link ReplyStore}) and forwards
 * it, serialised, to the reply topic, addressed by the shaper's headers. The kept copy has no
 * {@code replyTo.nonce}: the nonce binds the reply to the one waiting call and goes nowhere else,
 * not even to the store's changelog.
 */
public final class ReplyKeeper implements Processor<String, Settled, String, byte[]> {
  private static final Logger LOGGER = LoggerFactory.getLogger(ReplyKeeper.class);

  private final String storeName;
  private final Serializer<ReplyEnvelope> serializer = Topics.REPLIES.valueSerde().serializer();
  private ProcessorContext<String, byte[]> context;
  private WindowStore<String, byte[]> store;

  public ReplyKeeper(String storeName) {
    this.storeName = storeName;
  }

  @Override
  public void init(ProcessorContext<String, byte[]> context) {
    this.context = context;
    this.store = context.getStateStore(storeName);
  }

  /**
   * The reply's JSON with its nonce, from the JSON of the same reply without it: the nonce member
   * is added before the object's closing brace (JSON members have no order), which saves the second
   * serialisation of every reply. A nonce is base64url ({@link ReplyNonce} checks it), so it needs
   * no escaping.
   */
  static byte[] withNonce(byte[] withoutNonce, ReplyEnvelope reply) {
    ReplyNonce nonce = reply.nonce();
    int close = withoutNonce.length - 1;
    if (nonce == null) {
      return withoutNonce;
    }
    if (close < 1 || withoutNonce[close] != '}') {
      return Topics.REPLIES.valueSerde().serializer().serialize(Topics.REPLIES.name(), reply);
    }
    byte[] member = (",\"nonce\":\"" + nonce.value() + "\"}").getBytes(StandardCharsets.US_ASCII);
    byte[] out = Arrays.copyOf(withoutNonce, close + member.length);
    System.arraycopy(member, 0, out, close, member.length);
    return out;
  }

  @Override
  public void process(Record<String, Settled> record) {
    Settled settled = record.value();
    ReplyEnvelope reply = settled.reply();
    if (settled.principal() == null) {
      // An envelope that failed authentication: its answer goes out, but is kept for no one.
      context.forward(record.withValue(serializer.serialize(Topics.REPLIES.name(), reply)));
      return;
    }
    byte[] kept = serializer.serialize(Topics.REPLIES.name(), reply.withNonce(null));
    if (kept.length <= ReplyStore.MAX_KEPT_BYTES) {
      store.put(
          ReplyStore.key(settled.principal().tenant(), record.key()),
          kept,
          context.currentSystemTimeMs());
    } else {
      LOGGER
          .atWarn()
          .addKeyValue("requestId", record.key())
          .addKeyValue("bytes", kept.length)
          .log("reply too large to keep in the reply store; it cannot be fetched later");
    }
    context.forward(record.withValue(withNonce(kept, reply)));
  }
}
