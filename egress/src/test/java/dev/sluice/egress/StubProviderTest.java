package dev.sluice.egress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.schemas.chat.ChatMessage;
import dev.sluice.schemas.chat.ChatRequest;
import dev.sluice.schemas.chat.FunctionDefinition;
import dev.sluice.schemas.chat.Tool;
import dev.sluice.schemas.chat.ToolChoice;
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
  void aForcedToolIsCalledWithTheUserText() {
    Tool weather = Tool.function(new FunctionDefinition("get_weather", null, null, null));
    Tool mail = Tool.function(new FunctionDefinition("send_mail", null, null, null));
    for (ToolChoice choice : List.of(ToolChoice.function("send_mail"), ToolChoice.of("required"))) {
      ChatRequest request =
          new ChatRequest(
              "stub",
              List.of(ChatMessage.of("user", "Oslo")),
              null,
              null,
              null,
              null,
              null,
              null,
              List.of(weather, mail),
              choice,
              null);
      ProviderAnswer answer = StubProvider.answer(new ProviderCall("r1", "stub", request, 0));
      assertThat(answer.finishReason()).isEqualTo("tool_calls");
      assertThat(answer.message().hasContent()).isFalse();
      assertThat(answer.message().toolCalls()).hasSize(1);
      assertThat(answer.message().toolCalls().get(0).function().name())
          .isEqualTo(choice.functionName() == null ? "get_weather" : "send_mail");
      assertThat(answer.message().toolCalls().get(0).function().arguments())
          .isEqualTo("{\"echo\":\"Oslo\"}");
    }
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
