package dev.sluice.pipeline.reply;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.pipeline.stage.Refusal;
import dev.sluice.schemas.StageName;
import dev.sluice.schemas.envelope.ReplyNonce;
import dev.sluice.schemas.reply.ErrorCode;
import dev.sluice.schemas.reply.ReplyEnvelope;
import dev.sluice.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The reply sent is the reply kept plus its nonce, without a second serialisation. */
class ReplyKeeperTest {
  private static byte[] json(ReplyEnvelope reply) {
    return Topics.REPLIES.valueSerde().serializer().serialize(Topics.REPLIES.name(), reply);
  }

  private static ReplyEnvelope read(byte[] bytes) {
    return Topics.REPLIES.valueSerde().deserializer().deserialize(Topics.REPLIES.name(), bytes);
  }

  @Test
  void theNonceAddedToTheKeptJsonReadsAsTheReplyWithItsNonce() {
    ReplyNonce nonce = ReplyNonce.random();
    ReplyEnvelope refused =
        Replies.refused(
                "r-1",
                "acme",
                Refusal.of(
                    StageName.POLICY,
                    ErrorCode.POLICY_DENIED,
                    "no \"quotes\" } here",
                    null,
                    List.of("a}")),
                Map.of("validate", 0.5))
            .withNonce(nonce);

    byte[] sent = ReplyKeeper.withNonce(json(refused.withNonce(null)), refused);

    assertThat(read(sent)).isEqualTo(refused);
    assertThat(new String(sent, StandardCharsets.UTF_8))
        .endsWith("\"nonce\":\"" + nonce.value() + "\"}");
  }

  @Test
  void aReplyWithoutANonceIsSentAsKept() {
    ReplyEnvelope refused = refusedWithoutNonce();
    byte[] kept = json(refused);

    assertThat(ReplyKeeper.withNonce(kept, refused)).isSameAs(kept);
  }

  private static ReplyEnvelope refusedWithoutNonce() {
    return Replies.refused(
        "r-2",
        "acme",
        Refusal.of(StageName.POLICY, ErrorCode.POLICY_DENIED, "no", null, List.of()),
        Map.of("validate", 0.5));
  }
}
