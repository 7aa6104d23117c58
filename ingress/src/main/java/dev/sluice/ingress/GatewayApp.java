package dev.sluice.ingress;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.auth.CredentialRefusal;
import dev.sluice.auth.InvalidTokenException;
import dev.sluice.auth.TokenVerifier;
import dev.sluice.policy.ModelAccess;
import dev.sluice.schemas.Json;
import dev.sluice.schemas.Principal;
import dev.sluice.schemas.RequestIds;
import dev.sluice.schemas.chat.ChatRequests;
import dev.sluice.schemas.chat.InvalidChatRequest;
import dev.sluice.schemas.envelope.ReplyNonce;
import dev.sluice.schemas.envelope.ReplyTo;
import dev.sluice.schemas.envelope.RequestEnvelope;
import dev.sluice.schemas.reply.ErrorCode;
import dev.sluice.schemas.reply.ErrorResponse;
import dev.sluice.schemas.reply.GatewayError;
import dev.sluice.schemas.reply.ReplyEnvelope;
import dev.sluice.schemas.reply.UpstreamRateLimits;
import dev.sluice.topics.Topics;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.io.CharArrayReader;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP front of the gateway: authenticates callers (401 before anything is published), shapes
 * each chat request into an envelope, publishes it, and answers with the correlated reply. It holds
 * no guardrail logic; the pipeline decides.
 */
public final class GatewayApp {
  private static final Logger LOGGER = LoggerFactory.getLogger(GatewayApp.class);
  static final String REQUEST_ID_HEADER = "x-request-id";
  private static final String REQUEST_ID = "sluice.requestId";
  private static final String PRINCIPAL = "sluice.principal";
  private static final String CREDENTIAL = "sluice.credential";
  private static final String CLIENT_IP = "sluice.clientIp";
  private static final char BYTE_ORDER_MARK = '\uFEFF';
  private static final int MAX_IDEMPOTENCY_KEY = 255;

  /** How long {@link #stop} waits for the answers it gave waiting callers to go out. */
  private static final long STOP_ANSWER_GRACE_MS = 5_000;

  private final IngressSettings settings;
  private final TokenVerifier verifier;
  private final RequestPublisher publisher;
  private final ReplyInbox inbox;
  private final Readiness readiness;
  private final ModelAccess models;
  private final AuthFailureLimiter authFailures;
  private final StoredReplies stored;
  private final Javalin javalin;

  /** Replies callers wait for; {@link #stop} answers them before Jetty goes. */
  private final Set<CompletableFuture<ReplyEnvelope>> waits = ConcurrentHashMap.newKeySet();

  /** Chat requests whose answer is not yet handed to Javalin to write. */
  private final AtomicInteger unanswered = new AtomicInteger();

  private volatile boolean stopping;

  GatewayApp(
      IngressSettings settings,
      TokenVerifier verifier,
      RequestPublisher publisher,
      ReplyInbox inbox,
      Readiness readiness,
      ModelAccess models) {
    this(
        settings,
        verifier,
        publisher,
        inbox,
        readiness,
        models,
        new AuthFailureLimiter(settings.authFailureLimitPerSecond()));
  }

  /** For tests: a limiter on failed authentications with a clock they move. */
  GatewayApp(
      IngressSettings settings,
      TokenVerifier verifier,
      RequestPublisher publisher,
      ReplyInbox inbox,
      Readiness readiness,
      ModelAccess models,
      AuthFailureLimiter authFailures) {
    this.models = models;
    this.authFailures = authFailures;
    this.settings = settings;
    this.verifier = verifier;
    this.publisher = publisher;
    this.inbox = inbox;
    this.readiness = readiness;
    this.stored = new StoredReplies(settings.replyStoreUrl());
    this.javalin =
        Javalin.create(
            config -> {
              config.startup.showJavalinBanner = false;
              config.http.maxRequestSize = settings.maxRequestBytes();
              config.router.ignoreTrailingSlashes = true;
              config.http.prefer405over404 = true;
              // Room for large JWTs (the verifier caps them at 16 KiB and answers 401 beyond).
              config.jetty.modifyHttpConfiguration(http -> http.setRequestHeaderSize(32 * 1024));
              // Errors Jetty raises itself (bad framing, 431, 414, 505, failures while stopping)
              // answer in the same shape as the gateway's own, at server and servlet level alike.
              JettyErrorHandler jettyErrors = new JettyErrorHandler(REQUEST_ID);
              config.jetty.modifyServer(server -> server.setErrorHandler(jettyErrors));
              config.jetty.modifyServletContextHandler(
                  context -> context.setErrorHandler(jettyErrors));
              config.routes.before(this::assignRequestId);
              config.routes.beforeMatched(this::authenticate);
              config.routes.get(
                  "/healthz", ctx -> json(ctx, 200, Map.of("status", "ok")), Role.PUBLIC);
              config.routes.get("/readyz", this::ready, Role.PUBLIC);
              config.routes.get("/v1/models", this::models, Role.CALLER);
              // <id>, not {id}: a model name may hold slashes (vllm:meta-llama/Llama-3.1-8B).
              config.routes.get("/v1/models/<id>", this::model, Role.CALLER);
              config.routes.post("/v1/chat/completions", this::chatCompletions, Role.CALLER);
              config.routes.get("/v1/requests/{id}", this::storedRequest, Role.CALLER);
              config.routes.exception(GatewayException.class, this::refuse);
              config.routes.exception(HttpResponseException.class, this::httpError);
              config.routes.exception(Exception.class, this::unexpected);
              config.routes.error(
                  404, ctx -> fallbackError(ctx, ErrorCode.NOT_FOUND, "no such route"));
              config.routes.error(
                  405,
                  ctx -> fallbackError(ctx, ErrorCode.METHOD_NOT_ALLOWED, "method not allowed"));
            });
  }

  public Javalin javalin() {
    return javalin;
  }

  private void assignRequestId(Context ctx) {
    String requestId = RequestIds.next();
    ctx.attribute(REQUEST_ID, requestId);
    ctx.header(REQUEST_ID_HEADER, requestId);
  }

  private void authenticate(Context ctx) {
    Set<?> roles = ctx.routeRoles();
    if (roles.contains(Role.PUBLIC)) {
      return;
    }
    if (!roles.contains(Role.CALLER)) {
      throw new GatewayException(ErrorCode.POLICY_DENIED, "this route is not open");
    }
    String clientIp =
        ClientAddress.of(
            ctx.ip(),
            Collections.list(ctx.req().getHeaders("X-Forwarded-For")),
            settings.trustForwardedFor());
    ctx.attribute(CLIENT_IP, clientIp);
    // Looked up before the credential: a blocked address gets no answer about any credential.
    long blockedMs = authFailures.blockedForMs(clientIp);
    if (blockedMs > 0) {
      throw tooManyFailures(ctx, blockedMs);
    }
    if (Collections.list(ctx.req().getHeaders("Authorization")).size() > 1) {
      // Proxies and servers disagree on which of two credentials counts; accept neither.
      throw refuseCredential(
          ctx,
          clientIp,
          CredentialRefusal.invalid("more than one Authorization header"),
          "Bearer error=\"invalid_request\"");
    }
    String token = TokenVerifier.bearerCredential(ctx.header("Authorization"));
    if (token == null) {
      throw refuseCredential(
          ctx,
          clientIp,
          new CredentialRefusal(
              ErrorCode.INVALID_TOKEN,
              "a bearer token is required",
              List.of(InvalidTokenException.Reason.MISSING.description())),
          "Bearer");
    }
    try {
      Principal principal = verifier.verify(token, Instant.now());
      ctx.attribute(PRINCIPAL, principal);
      ctx.attribute(CREDENTIAL, token);
    } catch (InvalidTokenException e) {
      throw refuseCredential(
          ctx, clientIp, CredentialRefusal.of(e), "Bearer error=\"invalid_token\"");
    }
  }

  /**
   * The refusal of a credential. One the caller is at fault for counts against its address (the
   * signing keys being unavailable does not), and answers 429 instead of 401 when it is over the
   * limit.
   */
  private GatewayException refuseCredential(
      Context ctx, String clientIp, CredentialRefusal refusal, String challenge) {
    if (refusal.callerAtFault()) {
      long blockedMs = authFailures.failed(clientIp);
      if (blockedMs > 0) {
        return tooManyFailures(ctx, blockedMs);
      }
      ctx.header("WWW-Authenticate", challenge);
    }
    return new GatewayException(refusal.code(), refusal.message(), null, refusal.reasons());
  }

  /** 429 with both retry headers the OpenAI SDKs read: seconds, and milliseconds. */
  private GatewayException tooManyFailures(Context ctx, long blockedMs) {
    ctx.header("Retry-After", Long.toString(Math.max(1, (blockedMs + 999) / 1000)));
    ctx.header("retry-after-ms", Long.toString(blockedMs));
    return new GatewayException(
        ErrorCode.RATE_LIMITED,
        "too many failed authentications from this address; retry later",
        null,
        List.of("auth failure limit"));
  }

  private void chatCompletions(Context ctx) {
    String requestId = ctx.attribute(REQUEST_ID);
    if (stopping) {
      throw new GatewayException(
          ErrorCode.GATEWAY_UNAVAILABLE, "the gateway is shutting down; retry");
    }
    requireJson(ctx);
    // Counted until answered, so stop() can let the last answers out before Jetty stops.
    unanswered.incrementAndGet();
    // The body is read without holding this thread: a caller trickling it costs a connection only.
    ctx.future(
        () ->
            BodyReader.read(ctx.req(), settings.maxRequestBytes(), settings.requestBodyTimeoutMs())
                .thenCompose(bytes -> publishAndWait(ctx, requestId, bytes))
                .handle(
                    (answer, failure) -> {
                      try {
                        if (failure == null) {
                          answer(ctx, answer);
                        } else {
                          answerFailure(ctx, requestId, failure);
                        }
                      } finally {
                        unanswered.decrementAndGet();
                      }
                      return null;
                    }));
  }

  /**
   * Shapes the body into an envelope, publishes it and waits for its reply. A refusal fails the
   * result with a {@link GatewayException} before anything is published.
   */
  private CompletableFuture<ReplyEnvelope> publishAndWait(
      Context ctx, String requestId, byte[] bytes) {
    JsonNode body = parseJson(bytes);
    try {
      ChatRequests.parse(body);
    } catch (InvalidChatRequest e) {
      throw new GatewayException(
          ErrorCode.fromCode(e.code()), e.getMessage(), e.param(), List.of());
    }
    Principal principal = ctx.attribute(PRINCIPAL);
    String idempotencyKey = ctx.header("Idempotency-Key");
    if (idempotencyKey != null && idempotencyKey.length() > MAX_IDEMPOTENCY_KEY) {
      throw new GatewayException(
          ErrorCode.INVALID_REQUEST, "Idempotency-Key is too long", "Idempotency-Key", List.of());
    }
    ReplyNonce nonce = ReplyNonce.random();
    RequestEnvelope envelope =
        new RequestEnvelope(
            RequestEnvelope.VERSION,
            requestId,
            principal.tenant(),
            ctx.attribute(CREDENTIAL),
            new ReplyTo(Topics.REPLIES.name(), inbox.nextPartition(), nonce),
            idempotencyKey,
            ctx.attribute(CLIENT_IP),
            null,
            null,
            ChatRequests.unwrap(body));

    CompletableFuture<ReplyEnvelope> reply =
        inbox.expect(requestId, principal.tenant(), nonce, settings.requestTimeoutMs());
    waits.add(reply);
    reply.whenComplete((answer, failure) -> waits.remove(reply));
    if (stopping) {
      // stop() may have answered the waits before this one joined them.
      reply.completeExceptionally(new ShuttingDown());
    }
    CompletableFuture<Void> published = publisher.publish(envelope);
    return published
        .exceptionallyCompose(
            failure -> {
              inbox.forget(requestId);
              LOGGER
                  .atError()
                  .addKeyValue("requestId", requestId)
                  .addKeyValue("error", unwrap(failure).getClass().getSimpleName())
                  .log("could not publish the request");
              return CompletableFuture.failedFuture(
                  new GatewayException(
                      ErrorCode.GATEWAY_UNAVAILABLE,
                      "the gateway could not accept the request; retry"));
            })
        .thenCompose(sent -> reply);
  }

  /**
   * Stops serving. Every caller still waiting is answered 503 {@code gateway_unavailable} first, in
   * the same JSON as every other answer: stopped with calls open, Jetty would drop their
   * connections unanswered or answer its own HTML error page. The request itself was accepted; its
   * reply stays on {@code llm.replies} under its request id. New chat requests get the same 503
   * while it stops. Then Jetty stops.
   */
  public void stop() {
    stopping = true;
    for (CompletableFuture<ReplyEnvelope> reply : waits) {
      reply.completeExceptionally(new ShuttingDown());
    }
    // A request still being published is answered once the broker acknowledges it (or fails).
    long giveUp = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STOP_ANSWER_GRACE_MS);
    while (unanswered.get() > 0 && System.nanoTime() < giveUp) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    javalin.stop();
  }

  /** Why a wait ended without a reply: the ingress is stopping. */
  private static final class ShuttingDown extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ShuttingDown() {
      super("the ingress is stopping", null, false, false);
    }
  }

  private void answerFailure(Context ctx, String requestId, Throwable failure) {
    Throwable cause = unwrap(failure);
    if (cause instanceof GatewayException refused) {
      refuse(refused, ctx);
    } else if (cause instanceof ShuttingDown) {
      writeError(
          ctx,
          ErrorCode.GATEWAY_UNAVAILABLE,
          ErrorCode.GATEWAY_UNAVAILABLE.error(
              "the gateway is shutting down; the request was accepted: fetch its answer later"
                  + " with GET /v1/requests/"
                  + requestId),
          requestId);
    } else if (cause instanceof TimeoutException) {
      writeError(
          ctx,
          ErrorCode.GATEWAY_TIMEOUT,
          ErrorCode.GATEWAY_TIMEOUT.error(
              "no answer within "
                  + settings.requestTimeoutMs()
                  + " ms; the request was accepted: fetch its answer later with GET"
                  + " /v1/requests/"
                  + requestId),
          requestId);
    } else {
      LOGGER.atError().addKeyValue("requestId", requestId).setCause(cause).log("reply failed");
      writeError(
          ctx,
          ErrorCode.INTERNAL_ERROR,
          ErrorCode.INTERNAL_ERROR.error("internal error"),
          requestId);
    }
  }

  private static Throwable unwrap(Throwable failure) {
    return failure instanceof CompletionException && failure.getCause() != null
        ? failure.getCause()
        : failure;
  }

  private static void answer(Context ctx, ReplyEnvelope reply) {
    if (!reply.timings().isEmpty()) {
      ctx.header("Server-Timing", serverTiming(reply.timings()));
    }
    // OpenAI's rate-limit headers, on answers and refusals alike, and the waits a 429 asks for.
    RateLimitHeaders.of(reply.status(), reply.rateLimits(), reply.retryAfterSeconds())
        .forEach(ctx::header);
    // A provider's own, when it was the provider that rate-limited the call.
    UpstreamRateLimits.headers(reply.upstreamRateLimits()).forEach(ctx::header);
    noRetryOnce(ctx, reply.status(), reply.error());
    if (reply.completion() != null) {
      json(ctx, reply.status(), reply.completion());
    } else {
      json(ctx, reply.status(), new ErrorResponse(reply.error()));
    }
  }

  /** The pipeline's stage timings in the W3C Server-Timing form browsers and tools read. */
  static String serverTiming(Map<String, Double> timings) {
    StringBuilder header = new StringBuilder();
    timings.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(
            entry -> {
              if (header.length() > 0) {
                header.append(", ");
              }
              header.append(entry.getKey()).append(";dur=").append(entry.getValue());
            });
    return header.toString();
  }

  /**
   * {@code GET /v1/requests/{id}}: a request's answer, fetched later (after a 504, or by a caller
   * that lost its connection) from the pipeline's reply store, whichever ingress instance it went
   * through. 200 with the answer once settled, 202 while in flight, 404 for an id the caller's
   * tenant never sent (another tenant's included) or one older than the reply store keeps.
   */
  private void storedRequest(Context ctx) {
    String requestId = ctx.pathParam("id");
    if (!RequestIds.isValid(requestId)) {
      throw unknownRequest();
    }
    ctx.future(
        () ->
            stored
                .fetch(requestId, ctx.header("Authorization"))
                .thenAccept(fetched -> answerStored(ctx, requestId, fetched)));
  }

  private void answerStored(Context ctx, String requestId, StoredReplies.Fetched fetched) {
    if (fetched instanceof StoredReplies.Kept kept) {
      json(ctx, 200, StoredRequest.settled(kept.reply()));
    } else if (fetched instanceof StoredReplies.InFlight) {
      ctx.header("Retry-After", "1");
      json(ctx, 202, StoredRequest.inProgress(requestId));
    } else if (fetched instanceof StoredReplies.Unknown) {
      refuse(unknownRequest(), ctx);
    } else if (fetched instanceof StoredReplies.CredentialRefused) {
      refuse(
          new GatewayException(ErrorCode.INVALID_TOKEN, "the bearer token is no longer valid"),
          ctx);
    } else {
      ctx.header("Retry-After", "1");
      refuse(
          new GatewayException(
              ErrorCode.GATEWAY_UNAVAILABLE,
              "the reply store cannot answer now (the pipeline is starting, rebalancing or"
                  + " unreachable); retry"),
          ctx);
    }
  }

  private static GatewayException unknownRequest() {
    return new GatewayException(
        ErrorCode.NOT_FOUND,
        "no request of yours is kept under this id: it is unknown, another tenant's, not yet read"
            + " by the pipeline, or older than the reply store keeps (24 h)",
        "id",
        List.of());
  }

  /** The models the caller's tenant may use, as {@link ModelAccess} lists them. */
  private void models(Context ctx) {
    Principal principal = ctx.attribute(PRINCIPAL);
    json(ctx, 200, ModelList.of(models, principal.tenant()));
  }

  /**
   * One model object, as OpenAI answers {@code GET /v1/models/{id}}: for a name the caller's tenant
   * may send, else 404 {@code model_not_found} (the same for a model that exists but is not the
   * tenant's, so the answer does not tell other tenants' models apart from none).
   */
  private void model(Context ctx) {
    Principal principal = ctx.attribute(PRINCIPAL);
    String id = ctx.pathParam("id");
    ModelList.of(models, principal.tenant()).data().stream()
        .filter(entry -> entry.id().equals(id))
        .findFirst()
        .ifPresentOrElse(
            entry -> json(ctx, 200, entry),
            () ->
                writeError(
                    ctx,
                    ErrorCode.NOT_FOUND,
                    new GatewayError(
                        "this tenant may not use a model of that name; GET /v1/models lists the"
                            + " models you may use",
                        ErrorCode.NOT_FOUND.type(),
                        "model_not_found",
                        "model",
                        List.of(),
                        null),
                    ctx.attribute(REQUEST_ID)));
  }

  private void ready(Context ctx) {
    ctx.future(
        () ->
            readiness
                .check(inbox.alive())
                .thenAccept(report -> json(ctx, report.ready() ? 200 : 503, report)));
  }

  private static void requireJson(Context ctx) {
    String type = ctx.header("Content-Type");
    if (type == null) {
      throw new GatewayException(
          ErrorCode.UNSUPPORTED_MEDIA_TYPE, "Content-Type must be application/json");
    }
    String[] parts = type.split(";");
    boolean json = parts[0].trim().equalsIgnoreCase("application/json");
    for (int i = 1; i < parts.length && json; i++) {
      String parameter = parts[i].trim().toLowerCase(Locale.ROOT);
      if (parameter.startsWith("charset=")) {
        String charset = parameter.substring("charset=".length()).replace("\"", "");
        json = charset.equals("utf-8") || charset.equals("utf8");
      }
    }
    if (!json) {
      throw new GatewayException(
          ErrorCode.UNSUPPORTED_MEDIA_TYPE, "Content-Type must be application/json (UTF-8)");
    }
  }

  /**
   * Parses a body that must be UTF-8 JSON (RFC 8259 section 8.1). Jackson alone guesses UTF-16 or
   * UTF-32 from the first bytes and parses such a body; here the bytes are decoded strictly first,
   * so a body in another encoding, or with a byte sequence no UTF-8 text has, is refused rather
   * than read as something other than what the guardrails will be shown. A UTF-8 byte order mark is
   * ignored, as RFC 8259 allows.
   */
  private static JsonNode parseJson(byte[] bytes) {
    if (bytes.length == 0) {
      throw new GatewayException(ErrorCode.INVALID_JSON, "the request body is empty");
    }
    CharBuffer text = decodeUtf8(bytes);
    int start = text.length() > 0 && text.charAt(0) == BYTE_ORDER_MARK ? 1 : 0;
    try (Reader reader = new CharArrayReader(text.array(), start, text.length() - start)) {
      JsonNode node = Json.mapper().readTree(reader);
      if (node == null || node.isMissingNode()) {
        throw new GatewayException(ErrorCode.INVALID_JSON, "the request body is empty");
      }
      return node;
    } catch (JsonProcessingException e) {
      // Jackson's message quotes the input; say only where it broke.
      String where =
          e.getLocation() == null || e.getLocation().getLineNr() < 1
              ? ""
              : " (line "
                  + e.getLocation().getLineNr()
                  + ", column "
                  + e.getLocation().getColumnNr()
                  + ")";
      throw new GatewayException(
          ErrorCode.INVALID_JSON, "the request body is not valid JSON" + where);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The body as text, or a 422 naming the first byte that is not UTF-8 (or is NUL). */
  private static CharBuffer decodeUtf8(byte[] bytes) {
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == 0) {
        // Never in UTF-8 JSON, where U+0000 must be escaped; every UTF-16 or UTF-32 body has one.
        throw new GatewayException(
            ErrorCode.INVALID_JSON,
            "the request body must be UTF-8 JSON; byte " + i + " is NUL (UTF-16 or UTF-32?)");
      }
    }
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length);
    CoderResult result = decoder.decode(in, out, true);
    if (!result.isError()) {
      result = decoder.flush(out);
    }
    if (result.isError()) {
      throw new GatewayException(
          ErrorCode.INVALID_JSON,
          "the request body must be UTF-8 JSON; byte " + in.position() + " is not UTF-8");
    }
    return out.flip();
  }

  private void refuse(GatewayException e, Context ctx) {
    writeError(
        ctx,
        e.code(),
        e.code().error(e.getMessage(), e.param(), e.reasons()),
        ctx.attribute(REQUEST_ID));
  }

  private void httpError(HttpResponseException e, Context ctx) {
    ErrorCode code;
    String message;
    switch (e.getStatus()) {
      case 413:
        refuse(BodyReader.tooLarge(settings.maxRequestBytes()), ctx);
        return;
      case 404:
        code = ErrorCode.NOT_FOUND;
        message = "no such route";
        break;
      case 405:
        code = ErrorCode.METHOD_NOT_ALLOWED;
        message = "method not allowed";
        break;
      default:
        code = e.getStatus() >= 500 ? ErrorCode.INTERNAL_ERROR : ErrorCode.INVALID_REQUEST;
        message = code == ErrorCode.INTERNAL_ERROR ? "internal error" : "bad request";
    }
    writeError(ctx, code, code.error(message), ctx.attribute(REQUEST_ID));
  }

  private void unexpected(Exception e, Context ctx) {
    LOGGER
        .atError()
        .addKeyValue("requestId", (Object) ctx.attribute(REQUEST_ID))
        .addKeyValue("error", e.getClass().getName())
        .log("unexpected error");
    writeError(
        ctx,
        ErrorCode.INTERNAL_ERROR,
        ErrorCode.INTERNAL_ERROR.error("internal error"),
        ctx.attribute(REQUEST_ID));
  }

  private static void fallbackError(Context ctx, ErrorCode code, String message) {
    String type = ctx.res().getContentType();
    if (type == null || !type.startsWith("application/json")) {
      writeError(ctx, code, code.error(message), ctx.attribute(REQUEST_ID));
    }
  }

  private static void writeError(
      Context ctx, ErrorCode code, GatewayError error, String requestId) {
    noRetryOnce(ctx, code.status(), error);
    json(ctx, code.status(), new ErrorResponse(error.withRequestId(requestId)));
  }

  /**
   * The official SDKs retry a 502 or 504 twice by default. A 502 or 504 from the gateway comes
   * after its own retries of the provider (or, for 504, while the request may still be running), so
   * a retry by the SDK multiplies the upstream calls instead of helping: {@code x-should-retry:
   * false}, which the SDKs honour over their defaults. The same goes for a provider's 429 after the
   * gateway's retries ({@link UpstreamRateLimits#REASON}); the gateway's own 429 (the tenant's
   * limits) stays retryable, since waiting {@code Retry-After} is what makes it pass.
   *
   * @param error the answer's error, or null for a completion
   */
  static void noRetryOnce(Context ctx, int status, GatewayError error) {
    boolean upstreamRateLimited =
        status == 429 && error != null && error.reasons().contains(UpstreamRateLimits.REASON);
    if (status == 502 || status == 504 || upstreamRateLimited) {
      ctx.header(SHOULD_RETRY, "false");
    }
  }

  static final String SHOULD_RETRY = "x-should-retry";

  private static void json(Context ctx, int status, Object body) {
    try {
      ctx.status(status)
          .contentType("application/json")
          .result(Json.mapper().writeValueAsBytes(body));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
