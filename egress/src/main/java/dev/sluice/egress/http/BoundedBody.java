package dev.sluice.egress.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodySubscriber;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * A response body read as UTF-8 text up to a limit, so a broken or hostile upstream cannot fill the
 * gateway's memory: past the limit the read stops and the attempt fails.
 */
final class BoundedBody implements BodySubscriber<String> {

  /** The body passed the limit; the connection is dropped. */
  static final class TooLarge extends IOException {
    private static final long serialVersionUID = 1L;

    TooLarge() {
      super("the response body passed the limit");
    }
  }

  private final int maxBytes;
  private final boolean declaredTooLarge;
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final CompletableFuture<String> body = new CompletableFuture<>();
  private Flow.Subscription subscription;

  private BoundedBody(int maxBytes, boolean declaredTooLarge) {
    this.maxBytes = maxBytes;
    this.declaredTooLarge = declaredTooLarge;
  }

  static HttpResponse.BodyHandler<String> upTo(int maxBytes) {
    return info ->
        new BoundedBody(
            maxBytes, info.headers().firstValueAsLong("content-length").orElse(-1) > maxBytes);
  }

  @Override
  public CompletionStage<String> getBody() {
    return body;
  }

  @Override
  public void onSubscribe(Flow.Subscription subscription) {
    this.subscription = subscription;
    if (declaredTooLarge) {
      // Known too large before reading: fail without taking a byte.
      subscription.cancel();
      body.completeExceptionally(new TooLarge());
      return;
    }
    subscription.request(Long.MAX_VALUE);
  }

  @Override
  public void onNext(List<ByteBuffer> buffers) {
    if (body.isDone()) {
      return;
    }
    for (ByteBuffer buffer : buffers) {
      if (bytes.size() + buffer.remaining() > maxBytes) {
        subscription.cancel();
        body.completeExceptionally(new TooLarge());
        return;
      }
      byte[] chunk = new byte[buffer.remaining()];
      buffer.get(chunk);
      bytes.write(chunk, 0, chunk.length);
    }
  }

  @Override
  public void onError(Throwable error) {
    body.completeExceptionally(error);
  }

  @Override
  public void onComplete() {
    body.complete(bytes.toString(StandardCharsets.UTF_8));
  }
}
