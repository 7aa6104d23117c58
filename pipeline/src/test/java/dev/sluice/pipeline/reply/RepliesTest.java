package dev.sluice.pipeline.reply;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.egress.ProviderException;
import dev.sluice.pipeline.stage.Refusal;
import dev.sluice.schemas.reply.ErrorCode;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class RepliesTest {

  @Test
  void unwrapsTheFailureAFutureReports() {
    ProviderException error = new ProviderException(ProviderException.Kind.ERROR, "it failed");
    assertThat(Replies.providerFailure(new CompletionException(error)).code())
        .isEqualTo(ErrorCode.PROVIDER_ERROR);
    assertThat(
            Replies.providerFailure(new CompletionException(new ExecutionException(error))).code())
        .isEqualTo(ErrorCode.PROVIDER_ERROR);
  }

  @Test
  void treatsTimeoutsAndCancellationsAsProviderTimeouts() {
    assertThat(Replies.providerFailure(new TimeoutException()).code())
        .isEqualTo(ErrorCode.PROVIDER_TIMEOUT);
    assertThat(Replies.providerFailure(new CompletionException(new TimeoutException())).code())
        .isEqualTo(ErrorCode.PROVIDER_TIMEOUT);
    assertThat(Replies.providerFailure(new CancellationException()).code())
        .isEqualTo(ErrorCode.PROVIDER_TIMEOUT);
  }

  @Test
  void carriesRetryAfterWithARateLimit() {
    Refusal refusal =
        Replies.providerFailure(
            new ProviderException(ProviderException.Kind.RATE_LIMITED, "slow down", 7));
    assertThat(refusal.code()).isEqualTo(ErrorCode.RATE_LIMITED);
    assertThat(refusal.retryAfterSeconds()).isEqualTo(7);
    assertThat(Replies.refused("r1", "acme", refusal, java.util.Map.of()).retryAfterSeconds())
        .isEqualTo(7);
  }

  @Test
  void hidesTheMessageOfAnUnexpectedFailure() {
    Refusal refusal =
        Replies.providerFailure(new IllegalStateException("Authorization: Bearer sk-live-xyz"));
    assertThat(refusal.code()).isEqualTo(ErrorCode.PROVIDER_ERROR);
    assertThat(refusal.error().message()).doesNotContain("sk-live").doesNotContain("Bearer");
    assertThat(refusal.error().reasons()).noneMatch(reason -> reason.contains("sk-live"));
  }
}
