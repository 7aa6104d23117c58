package dev.sluice.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.schemas.envelope.ReplyNonce;
import org.junit.jupiter.api.Test;

class ReplyBindingTest {
  private static final ReplyNonce SENT = ReplyNonce.random();

  @Test
  void theCallersOwnAnswerMatches() {
    assertThat(ReplyBinding.of("acme", SENT, "acme", new ReplyNonce(SENT.value())))
        .isEqualTo(ReplyBinding.MATCHES);
    // A refusal before verification has no tenant; the nonce alone binds it.
    assertThat(ReplyBinding.of("acme", SENT, null, SENT)).isEqualTo(ReplyBinding.MATCHES);
  }

  @Test
  void anythingElseDoesNot() {
    assertThat(ReplyBinding.of("acme", SENT, null, null)).isEqualTo(ReplyBinding.NO_NONCE);
    assertThat(ReplyBinding.of("acme", SENT, "acme", null)).isEqualTo(ReplyBinding.NO_NONCE);
    assertThat(ReplyBinding.of("acme", SENT, null, ReplyNonce.random()))
        .isEqualTo(ReplyBinding.OTHER_NONCE);
    assertThat(ReplyBinding.of("acme", SENT, "globex", SENT)).isEqualTo(ReplyBinding.OTHER_TENANT);
  }

  @Test
  void itsReasonsNameNoNonce() {
    for (ReplyBinding binding : ReplyBinding.values()) {
      assertThat(binding.reason()).doesNotContain(SENT.value()).isNotBlank();
    }
  }
}
