package dev.sluice.pipeline.firewall;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.pipeline.stage.StageDecision;
import dev.sluice.schemas.Principal;
import dev.sluice.schemas.chat.ChatMessage;
import dev.sluice.schemas.chat.ChatRequest;
import dev.sluice.schemas.chat.RagChunk;
import dev.sluice.schemas.chat.RagContext;
import dev.sluice.schemas.envelope.ReplyTo;
import dev.sluice.schemas.envelope.Source;
import dev.sluice.schemas.envelope.VerifiedRequest;
import java.util.List;
import org.junit.jupiter.api.Test;

class ContextFirewallTest {
  private static final ContextFirewall FIREWALL =
      new ContextFirewall(ContextOrigins.parse("kb://approved/"));

  private static VerifiedRequest request(RagContext context) {
    return new VerifiedRequest(
        "r1",
        new Principal("acme", ""),
        Source.HTTP,
        new ReplyTo("llm.replies", 0),
        null,
        null,
        null,
        null,
        0,
        new ChatRequest(
            "stub", List.of(ChatMessage.of("user", "q")), null, null, null, null, null, context));
  }

  @Test
  void passesRequestsWithoutContext() {
    assertThat(FIREWALL.apply(request(null), 0)).isInstanceOf(StageDecision.Pass.class);
  }

  @Test
  void aChunksOwnSourceOverridesTheContexts() {
    RagContext context =
        new RagContext(
            "kb://approved/handbook",
            List.of(
                new RagChunk("c1", "text", null),
                new RagChunk("c2", "text", "kb://approved/faq"),
                new RagChunk("c3", "text", "kb://secret/x")));
    StageDecision decision = FIREWALL.apply(request(context), 0);
    assertThat(decision).isInstanceOf(StageDecision.Deny.class);
    var refusal = ((StageDecision.Deny) decision).refusal();
    assertThat(refusal.code().code()).isEqualTo("context_origin_not_allowed");
    assertThat(refusal.code().status()).isEqualTo(400);
    assertThat(refusal.error().reasons()).containsExactly("chunk c3: origin not allowed");
  }

  @Test
  void aChunkLeftWithNoSourceIsRefused() {
    RagContext context = new RagContext(null, List.of(new RagChunk("c1", "text", null)));
    var refusal = ((StageDecision.Deny) FIREWALL.apply(request(context), 0)).refusal();
    assertThat(refusal.error().reasons()).containsExactly("chunk c1: no source");
  }

  @Test
  void chunkIdsAreShownShortAndPrintable() {
    RagContext context =
        new RagContext(null, List.of(new RagChunk("a\u0000b" + "x".repeat(100), "t", null)));
    var refusal = ((StageDecision.Deny) FIREWALL.apply(request(context), 0)).refusal();
    assertThat(refusal.error().reasons().get(0))
        .startsWith("chunk a?b")
        .contains("…")
        .hasSizeLessThan(90);
  }

  @Test
  void withNoAllowlistEveryContextIsRefusedWithAMessageSayingWhy() {
    ContextFirewall closed = new ContextFirewall(ContextOrigins.parse(""));
    RagContext context = new RagContext("kb://any/x", List.of(new RagChunk("c1", "t", null)));
    var refusal = ((StageDecision.Deny) closed.apply(request(context), 0)).refusal();
    assertThat(refusal.error().message()).contains("ALLOWED_CONTEXT_ORIGINS");
  }
}
