package dev.sluice.egress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.schemas.chat.ChatMessage;
import dev.sluice.schemas.chat.ChatRequest;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class StubProviderTest {

  private static ChatRequest request(String... userTexts) {
    List<ChatMessage> messages =
        java.util.Arrays.stream(userTexts).map(t -> ChatMessage.of("user", t)).toList();
    return new ChatRequest("stub", messages, null, null, null, null, null, null);
  }

  @Test
  void echoesTheLastUserMessageWithUsage() {
    ProviderAnswer answer =
        new StubProvider(0)
            .complete(new ProviderCall("r1", "stub", request("first", "hello there"), 0))
            .toCompletableFuture()
            .join();
    assertThat(answer.message().text()).isEqualTo("echo: hello there");
    assertThat(answer.message().role()).isEqualTo("assistant");
    assertThat(answer.finishReason()).isEqualTo("stop");
    assertThat(answer.usage().promptTokens()).isEqualTo(4);
    assertThat(answer.usage().totalTokens())
        .isEqualTo(answer.usage().promptTokens() + answer.usage().completionTokens());
  }

  @Test
  void withoutDelayTheAnswerIsReadyAtOnce() {
    assertThat(
            new StubProvider(0)
                .complete(new ProviderCall("r1", "stub", request("x"), 0))
                .toCompletableFuture()
                .isDone())
        .isTrue();
  }

  @Test
  void aDelayedAnswerArrivesOnTheTimerThreadNotTheCaller() throws Exception {
    var future =
        new StubProvider(50)
            .complete(new ProviderCall("r1", "stub", request("x"), 0))
            .toCompletableFuture();
    assertThat(future.isDone()).isFalse();
    String thread =
        future.thenApply(a -> Thread.currentThread().getName()).get(5, TimeUnit.SECONDS);
    assertThat(thread).isEqualTo("stub-provider-timer");
  }

  @Test
  void routerRefusesModelsNoProviderServes() {
    ProviderRouter router = new ProviderRouter(List.of(new StubProvider(0)));
    assertThat(router.complete("r", "stub", request("x"), 0).toCompletableFuture().join())
        .isNotNull();
    assertThat(router.complete("r", "stub:anything", request("x"), 0).toCompletableFuture().join())
        .isNotNull();
    var unknown = router.complete("r", "openai:gpt-4o", request("x"), 0).toCompletableFuture();
    assertThat(unknown)
        .failsWithin(java.time.Duration.ofSeconds(1))
        .withThrowableThat()
        .havingCause()
        .isInstanceOfSatisfying(
            ProviderException.class,
            e -> assertThat(e.kind()).isEqualTo(ProviderException.Kind.UNKNOWN_MODEL));
  }
}
