package dev.sluice.ingress;

import static dev.sluice.ingress.IngressUnderTest.chatBody;
import static dev.sluice.ingress.IngressUnderTest.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.auth.TestTokens;
import dev.sluice.auth.TokenMinter;
import dev.sluice.auth.TokenVerifier;
import dev.sluice.schemas.envelope.RequestEnvelope;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Credentials the ingress refuses (401, or 503 when it cannot check them) before anything is
 * published, and the routes that need none.
 */
class GatewayAppAuthenticationTest {
  private static final String DEV_TOKEN = TokenVerifier.DEV_TOKEN;

  private static IngressUnderTest ingress;
  private static String acmeToken;

  @BeforeAll
  static void start() {
    ingress = IngressUnderTest.start();
    acmeToken = TestTokens.mint("acme", Instant.now());
  }

  @AfterAll
  static void stop() {
    ingress.close();
  }

  @BeforeEach
  void reset() {
    ingress.reset();
  }

  @Test
  void healthzAnswersWithoutCredentials() {
    HttpResponse<String> response = ingress.send(ingress.request("/healthz").build());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(json(response.body()).path("status").asText()).isEqualTo("ok");
  }

  @Test
  void refusesACallWithoutAuthorization() {
    String marker = marker();
    HttpResponse<String> response =
        ingress.send(
            ingress
                .request("/v1/chat/completions")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(chatBody(marker)))
                .build());

    JsonNode error = assertRefused(ingress, response, 401, "invalid_token", marker);

    assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
    assertThat(error.path("message").asText()).isEqualTo("a bearer token is required");
    assertThat(error.path("reasons").toString()).contains("missing token");
  }

  @Test
  void refusesATokenSignedWithAnotherSecret() {
    String forged =
        TokenMinter.hs256(
                "an-attacker-secret-that-is-32-bytes-or-more".getBytes(StandardCharsets.UTF_8))
            .mint("acme", "mallory", Duration.ofMinutes(5));

    JsonNode error = assertInvalidToken(forged);

    assertThat(error.path("reasons").toString()).contains("bad signature");
  }

  @Test
  void refusesAnExpiredToken() {
    String expired =
        TokenMinter.hs256(TestTokens.SECRET)
            .mint("acme", "alice", Duration.ofMinutes(5), Instant.now().minus(Duration.ofHours(1)));

    JsonNode error = assertInvalidToken(expired);

    assertThat(error.path("reasons").toString()).contains("token expired");
  }

  @Test
  void refusesAnUnsignedToken() {
    JsonNode error =
        assertInvalidToken(
            TestTokens.unsigned(TestTokens.claims("acme", null, Instant.now()).build()));

    assertThat(error.path("reasons").toString()).contains("unsigned token");
  }

  @Test
  void refusesATokenWithoutATenant() {
    String withoutTenant =
        TestTokens.hs256(
            TestTokens.claims("acme", "someone", Instant.now()).claim("tenant", null).build());

    JsonNode error = assertInvalidToken(withoutTenant);

    assertThat(error.path("reasons").toString()).contains("missing tenant claim");
  }

  @Test
  void refusesTwoAuthorizationHeadersEvenWhenBothAreValid() {
    String marker = marker();
    String other = TestTokens.mint("globex", Instant.now());
    HttpResponse<String> response =
        ingress.send(
            ingress
                .chatRequest(acmeToken, "application/json")
                .header("Authorization", "Bearer " + other)
                .POST(HttpRequest.BodyPublishers.ofString(chatBody(marker)))
                .build());

    JsonNode error = assertRefused(ingress, response, 401, "invalid_token", marker, other);

    assertThat(error.path("reasons").toString()).contains("more than one Authorization header");
    assertThat(response.headers().firstValue("WWW-Authenticate"))
        .hasValueSatisfying(value -> assertThat(value).contains("invalid_request"));
  }

  @Test
  void refusesTheDevTokenWhenDevModeIsOff() {
    try (IngressUnderTest strict = IngressUnderTest.start(TestTokens.verifier(false))) {
      String marker = marker();

      HttpResponse<String> response = strict.chat(chatBody(marker), DEV_TOKEN);

      assertRefused(strict, response, 401, "invalid_token", marker, DEV_TOKEN);
      assertThat(response.headers().firstValue("WWW-Authenticate"))
          .hasValueSatisfying(value -> assertThat(value).contains("invalid_token"));
      // The same ingress still serves real tokens.
      strict.inbox().answerWith(wait -> FakeReplyInbox.completion(wait, "echo: strict but fine"));
      HttpResponse<String> real = strict.chat(chatBody("strict but fine"), acmeToken);
      IngressUnderTest.assertCompletion(real, "echo: strict but fine");
      assertThat(strict.producer().history()).hasSize(1);
      RequestEnvelope published = strict.producer().history().get(0).value();
      assertThat(published.tenant()).isEqualTo("acme");
      assertThat(published.request().path("messages").get(0).path("content").asText())
          .isEqualTo("strict but fine");
    }
  }

  @Test
  void acceptsTheDevTokenInDevModeAsTenantDev() {
    HttpResponse<String> response = ingress.chat(chatBody("hello"), DEV_TOKEN);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    ProducerRecord<String, RequestEnvelope> record = ingress.producer().history().get(0);
    assertThat(record.key()).isEqualTo("dev");
    assertThat(record.value().tenant()).isEqualTo("dev");
  }

  @Test
  void answers503WithoutAChallengeWhenTheSigningKeysCannotBeFetched() {
    String token = TestTokens.providerToken("acme", Instant.now());
    try (IngressUnderTest cut = IngressUnderTest.start(TestTokens.unreachableProviderVerifier())) {
      String marker = marker();

      HttpResponse<String> response = cut.chat(chatBody(marker), token);

      assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
      JsonNode error = IngressUnderTest.assertErrorShape(response);
      assertThat(error.path("code").asText()).isEqualTo("gateway_unavailable");
      assertThat(error.path("type").asText()).isEqualTo("server_error");
      assertThat(error.path("message").asText())
          .isEqualTo("token signing keys are unavailable; try again later");
      assertThat(error.path("reasons").toString()).contains("signing keys unavailable");
      // Not the caller's fault: no challenge to send another credential.
      assertThat(response.headers().firstValue("WWW-Authenticate")).isEmpty();
      assertThat(response.body()).doesNotContain(token).doesNotContain(marker);
      cut.assertNothingPublished();
    }
  }

  // --- helpers ---------------------------------------------------------------------------------

  private static JsonNode assertInvalidToken(String token) {
    String marker = marker();
    HttpResponse<String> response = ingress.chat(chatBody(marker), token);
    JsonNode error = assertRefused(ingress, response, 401, "invalid_token", marker, token);
    assertThat(response.headers().firstValue("WWW-Authenticate"))
        .hasValueSatisfying(value -> assertThat(value).contains("invalid_token"));
    assertThat(error.path("message").asText())
        .isEqualTo("the credential is missing, invalid or expired");
    return error;
  }

  /** The refusal checks of {@link IngressUnderTest#assertRefused}, never echoing the token. */
  private static JsonNode assertRefused(
      IngressUnderTest on,
      HttpResponse<String> response,
      int status,
      String code,
      String... neverEchoed) {
    JsonNode error = on.assertRefused(response, status, code, neverEchoed);
    assertThat(response.body()).doesNotContain(acmeToken);
    return error;
  }

  /** Text that must never come back in an error. */
  private static String marker() {
    return "marker-" + UUID.randomUUID();
  }
}
