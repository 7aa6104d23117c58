package dev.sluice.ingress;

import dev.sluice.schemas.reply.ReplyEnvelope;
import dev.sluice.topics.Topics;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Reads the pipeline's reply store ({@code REPLY_STORE_URL}, any pipeline instance's health port):
 * the reply of a request this ingress instance may never have waited for. The caller's credential
 * goes along; the pipeline verifies it again and answers only the caller's tenant's replies.
 */
final class StoredReplies {
  /** What the reply store said. */
  sealed interface Fetched {}

  /** The reply, as the pipeline settled it. */
  record Kept(ReplyEnvelope reply) implements Fetched {}

  /** The request is still in the pipeline. */
  record InFlight() implements Fetched {}

  /** No request of the caller's tenant under that id, or one no longer kept. */
  record Unknown() implements Fetched {}

  /** The pipeline did not accept the credential (it expired since the ingress checked it). */
  record CredentialRefused() implements Fetched {}

  /** The reply store cannot answer now: the pipeline is unreachable, starting or rebalancing. */
  record Unavailable() implements Fetched {}

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final String base;
  private final HttpClient http;

  /**
   * @param base the pipeline's health port, such as {@code http://pipeline:8081}
   */
  StoredReplies(URI base) {
    String url = base.toString();
    this.base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  }

  CompletableFuture<Fetched> fetch(String requestId, String authorization) {
    HttpRequest request =
        HttpRequest.newBuilder(
                URI.create(
                    base + "/replies/" + URLEncoder.encode(requestId, StandardCharsets.UTF_8)))
            .timeout(TIMEOUT)
            .header("Authorization", authorization)
            .GET()
            .build();
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
        .thenApply(StoredReplies::read)
        .exceptionally(failure -> new Unavailable());
  }

  private static Fetched read(HttpResponse<byte[]> answer) {
    switch (answer.statusCode()) {
      case 200:
        return new Kept(
            Topics.REPLIES
                .valueSerde()
                .deserializer()
                .deserialize(Topics.REPLIES.name(), answer.body()));
      case 202:
        return new InFlight();
      case 404:
        return new Unknown();
      case 401:
        return new CredentialRefused();
      default:
        return new Unavailable();
    }
  }
}
