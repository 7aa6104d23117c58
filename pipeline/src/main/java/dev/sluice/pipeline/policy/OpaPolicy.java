package dev.sluice.pipeline.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.pipeline.chain.AsyncStage;
import dev.sluice.pipeline.chain.Exchange;
import dev.sluice.pipeline.chain.Verdict;
import dev.sluice.pipeline.stage.Refusal;
import dev.sluice.policy.ContextSources;
import dev.sluice.policy.DenyRule;
import dev.sluice.policy.RateLimitPolicy;
import dev.sluice.policy.RateLimits;
import dev.sluice.schemas.Json;
import dev.sluice.schemas.StageName;
import dev.sluice.schemas.chat.ChatRequest;
import dev.sluice.schemas.chat.CompletionOptions;
import dev.sluice.schemas.envelope.VerifiedRequest;
import dev.sluice.schemas.reply.ErrorCode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The policy decision in OPA mode ({@code OPA_URL}): {@code POST {OPA_URL}/v1/data/gateway/deny}
 * with {@code {"input": {tenant, model, subject, source, max_tokens, context_sources,
 * context_source, risk, rate_limits, request_fields, tools, response_format?, service_tier?,
 * reasoning_effort?, store}}} ({@link #requestFields}): {@code context_sources} lists every chunk's
 * source, in order and in canonical form ({@link ContextSources}: scheme and host lower-cased,
 * percent-encoding decoded, dot segments resolved), so a rule about one origin cannot be dodged by
 * putting another chunk first; {@code context_source} is the first of them (or {@code ""}), kept
 * for policies written before the list. {@code source} is {@code http} or {@code batch}; {@code
 * rate_limits} are the limits the request is held to ({@link RateLimitPolicy}: the gateway's
 * defaults under the local bundle, for the request's model, the batch share for batch traffic),
 * with only the limits that are set: {@code requests} with its {@code window_ms}, {@code
 * tokens_per_minute}, {@code daily_tokens}, {@code concurrent}. Rules may read them; OPA does not
 * set them, the local bundle does. A result of {@code true} or a non-empty list denies (the list's
 * items are the reasons). Anything else that is not a clear answer (an error status, a timeout, a
 * missing result, an unreadable body) fails closed: 503 {@code policy_unavailable}, as does an
 * answer later than the request's deadline. It is an asynchronous stage of the chain, right after
 * the local policy: the HTTP call runs on threads of its own, never on a stream thread, and the
 * stages after it wait for its answer.
 *
 * <p>{@code OPA_TIMEOUT_MS} bounds the whole decision, from connecting to the last byte of the
 * answer. The HTTP client's own request timeout ends when the status and headers arrive, so a 200
 * whose body came slowly or never would otherwise hold the request until the chain's deadline (just
 * under {@code REQUEST_TIMEOUT_MS}), and the caller would get 504 instead of this stage's 503.
 */
public final class OpaPolicy implements AsyncStage<Optional<Refusal>> {
  private static final String IN_TIME = "OPA did not answer in time";
  private final URI decisionUrl;
  private final Duration timeout;
  private final Executor executor;
  private final HttpClient http;
  private final RateLimitPolicy rateLimits;

  /**
   * @param timeout how long one whole decision may take ({@code OPA_TIMEOUT_MS})
   * @param rateLimits the limits put into the input
   * @param executor the client's threads; answers, refusals and timeouts complete on them
   */
  public OpaPolicy(URI opaUrl, Duration timeout, RateLimitPolicy rateLimits, Executor executor) {
    this.decisionUrl = opaUrl.resolve("/v1/data/gateway/deny");
    this.timeout = timeout;
    this.rateLimits = Objects.requireNonNull(rateLimits, "rateLimits");
    this.executor = executor;
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(timeout)
            .followRedirects(HttpClient.Redirect.NEVER)
            .executor(executor)
            .build();
  }

  @Override
  public StageName name() {
    return StageName.POLICY;
  }

  @Override
  public CompletableFuture<Optional<Refusal>> start(Exchange exchange, long deadlineMs) {
    return decide(exchange.request());
  }

  @Override
  public Verdict resume(Exchange exchange, Optional<Refusal> refusal, long nowMs) {
    return refusal.isPresent() ? Verdict.stop(refusal.get()) : Verdict.next(exchange);
  }

  @Override
  public Refusal failed(Throwable failure) {
    return unavailable(IN_TIME);
  }

  /** Empty when allowed; the refusal otherwise (a denial, or OPA unavailable). */
  CompletableFuture<Optional<Refusal>> decide(VerifiedRequest request) {
    HttpRequest call =
        HttpRequest.newBuilder(decisionUrl)
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(input(request, limits(request))))
            .build();
    CompletableFuture<HttpResponse<byte[]>> exchange =
        http.sendAsync(call, HttpResponse.BodyHandlers.ofByteArray());
    CompletableFuture<Optional<Refusal>> bounded =
        exchange
            .thenApply(OpaPolicy::decision)
            .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    // Abandoned, not left reading: cancelling the exchange closes its connection. Hung on the
    // bounded stage, not on what the chain holds, so it happens even when the chain stopped
    // waiting.
    bounded.whenCompleteAsync(
        (decided, failure) -> {
          if (failure != null) {
            exchange.cancel(true);
          }
        },
        executor);
    return bounded.exceptionallyAsync(
        failure -> Optional.of(unavailable(timedOut(failure) ? IN_TIME : "OPA did not answer")),
        executor);
  }

  private static boolean timedOut(Throwable failure) {
    Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
    return cause instanceof TimeoutException || cause instanceof HttpTimeoutException;
  }

  static Optional<Refusal> decision(HttpResponse<byte[]> response) {
    if (response.statusCode() != 200) {
      return Optional.of(unavailable("OPA answered " + response.statusCode()));
    }
    JsonNode result;
    try {
      result = Json.mapper().readTree(response.body()).get("result");
    } catch (IOException e) {
      return Optional.of(unavailable("OPA's answer is not JSON"));
    }
    if (result == null || result.isNull()) {
      return Optional.of(unavailable("OPA has no gateway/deny rule"));
    }
    List<String> reasons = new ArrayList<>();
    if (result.isBoolean()) {
      if (result.booleanValue()) {
        reasons.add("denied by policy");
      }
    } else if (result.isArray()) {
      result.forEach(item -> reasons.add(item.isTextual() ? item.textValue() : item.toString()));
    } else {
      return Optional.of(unavailable("OPA's result is neither a boolean nor a list"));
    }
    if (reasons.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        Refusal.of(
            LocalPolicy.STAGE,
            ErrorCode.POLICY_DENIED,
            "the request is denied by policy",
            null,
            reasons));
  }

  private RateLimits limits(VerifiedRequest request) {
    return rateLimits.forRequest(
        request.principal().tenant(), request.request().model(), request.source());
  }

  static byte[] input(VerifiedRequest request, RateLimits limits) {
    DenyRule.Facts facts = LocalPolicy.facts(request);
    ObjectNode input = Json.mapper().createObjectNode();
    input.put("tenant", request.principal().tenant());
    input.put("model", facts.model());
    input.put("subject", facts.subject());
    input.put("source", request.source().wireName());
    if (facts.maxTokens() != null) {
      input.put("max_tokens", facts.maxTokens());
    }
    // Canonical, as the local rules compare them, so a Rego startswith cannot be dodged by
    // spelling.
    List<String> canonical =
        facts.contextSources().stream()
            .map(source -> ContextSources.canonical(source).orElse(source))
            .toList();
    ArrayNode sources = input.putArray("context_sources");
    canonical.forEach(sources::add);
    input.put("context_source", canonical.isEmpty() ? "" : canonical.get(0));
    input.put("risk", request.risk() == null ? 0.0 : request.risk().risk());
    input.set("rate_limits", rateLimits(limits));
    requestFields(input, request.request());
    ObjectNode body = Json.mapper().createObjectNode();
    body.set("input", input);
    try {
      return Json.mapper().writeValueAsBytes(body);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write the OPA input", e);
    }
  }

  /**
   * What a rule may want to know of the request's fields, never their text: the names of the
   * options it sets ({@code request_fields}, unknown ones included), the tools' names, and the few
   * options whose values are short words a rule can compare ({@code response_format}'s type, {@code
   * service_tier}, {@code reasoning_effort}, {@code store}).
   */
  static void requestFields(ObjectNode input, ChatRequest request) {
    CompletionOptions options = request.options();
    ArrayNode fields = input.putArray("request_fields");
    options.fields().keySet().forEach(fields::add);
    ArrayNode tools = input.putArray("tools");
    if (request.tools() != null) {
      request.tools().forEach(tool -> tools.add(tool.function().name()));
    }
    if (options.responseFormat() != null) {
      input.put("response_format", options.responseFormat().path("type").asText());
    }
    if (options.serviceTier() != null) {
      input.put("service_tier", options.serviceTier());
    }
    if (options.reasoningEffort() != null) {
      input.put("reasoning_effort", options.reasoningEffort());
    }
    input.put("store", Boolean.TRUE.equals(options.store()));
  }

  /** The limits that are set, in the bundle's words; {@code {}} when none is. */
  static ObjectNode rateLimits(RateLimits limits) {
    ObjectNode node = Json.mapper().createObjectNode();
    limits
        .requests()
        .ifPresent(
            count -> {
              node.put("requests", count);
              node.put("window_ms", limits.window());
            });
    limits.tokensPerMinute().ifPresent(tokens -> node.put("tokens_per_minute", tokens));
    limits.dailyTokens().ifPresent(tokens -> node.put("daily_tokens", tokens));
    limits.concurrent().ifPresent(calls -> node.put("concurrent", calls));
    return node;
  }

  private static Refusal unavailable(String reason) {
    return Refusal.of(
        LocalPolicy.STAGE,
        ErrorCode.POLICY_UNAVAILABLE,
        "the policy service is unavailable; the request is refused",
        null,
        List.of(reason));
  }
}
