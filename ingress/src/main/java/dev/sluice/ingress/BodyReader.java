package dev.sluice.ingress;

import dev.sluice.schemas.reply.ErrorCode;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.HttpException;

/**
 * Reads a request body with the Servlet container's non-blocking I/O: Jetty calls back as bytes
 * arrive, so a caller that trickles its body costs a connection, not one of the server's worker
 * threads. The body must arrive whole within a deadline, and no larger than the limit.
 *
 * <p>The result fails with a {@link GatewayException}: 408 {@code request_timeout} when the
 * deadline passes first, 413 {@code request_too_large} over the limit, 400 {@code invalid_request}
 * when the body's framing is broken. A body over the limit is read on and dropped, up to {@link
 * #DISCARD_LIMIT_BYTES}, before its 413 goes out: a server that answers and closes while the client
 * is still sending resets the connection, and most clients then report the reset instead of the 413
 * (nginx's lingering close exists for the same reason). Past that limit, or past the deadline, the
 * connection just closes after the answer.
 *
 * <p>Only the container's callbacks touch the buffer, one at a time; the deadline only completes
 * the result, after which the callbacks stop reading.
 */
final class BodyReader implements ReadListener {
  static final long DISCARD_LIMIT_BYTES = 16L * 1024 * 1024;
  private static final int CHUNK_BYTES = 8 * 1024;
  // What a declared length may reserve before the bytes arrive: a caller that declares 1 MiB and
  // then trickles must not hold 1 MiB of heap per connection. Larger bodies grow the buffer.
  private static final int FIRST_BUFFER_MAX_BYTES = 16 * 1024;

  private final ServletInputStream input;
  private final long maxBytes;
  private final long timeoutMs;
  private final CompletableFuture<byte[]> body = new CompletableFuture<>();
  private final byte[] chunk = new byte[CHUNK_BYTES];
  private byte[] buffer;
  private long received;
  // Set by the container's callbacks, read by the deadline's thread.
  private volatile boolean refused;

  private BodyReader(ServletInputStream input, long declared, long maxBytes, long timeoutMs) {
    this.input = input;
    this.maxBytes = maxBytes;
    this.timeoutMs = timeoutMs;
    this.refused = declared > maxBytes;
    this.buffer =
        new byte
            [refused
                ? 0
                : (int) Math.min(declared >= 0 ? declared : CHUNK_BYTES, FIRST_BUFFER_MAX_BYTES)];
  }

  /**
   * Starts reading the body of {@code request}, which must be in asynchronous mode (inside {@code
   * ctx.future}'s supplier); the result completes on a container or timer thread.
   */
  static CompletableFuture<byte[]> read(HttpServletRequest request, long maxBytes, long timeoutMs) {
    long declared = request.getContentLengthLong();
    if (declared > DISCARD_LIMIT_BYTES) {
      // Too large to read and drop: answer at once; the connection closes after the 413.
      return CompletableFuture.failedFuture(tooLarge(maxBytes));
    }
    ServletInputStream input;
    try {
      input = request.getInputStream();
    } catch (IOException e) {
      return CompletableFuture.failedFuture(unreadable());
    }
    BodyReader reader = new BodyReader(input, declared, maxBytes, timeoutMs);
    input.setReadListener(reader);
    return reader
        .body
        .orTimeout(timeoutMs, TimeUnit.MILLISECONDS)
        .exceptionallyCompose(
            failure ->
                CompletableFuture.failedFuture(
                    failure instanceof TimeoutException ? reader.outOfTime() : failure));
  }

  @Override
  public void onDataAvailable() throws IOException {
    while (!body.isDone() && input.isReady()) {
      int read = input.read(chunk);
      if (read < 0) {
        return;
      }
      take(read);
    }
  }

  @Override
  public void onAllDataRead() {
    if (refused) {
      body.completeExceptionally(tooLarge(maxBytes));
    } else {
      body.complete(buffer.length == received ? buffer : Arrays.copyOf(buffer, (int) received));
    }
  }

  @Override
  public void onError(Throwable failure) {
    if (failure instanceof TimeoutException || failure.getCause() instanceof TimeoutException) {
      // Jetty's idle timeout: the caller stopped sending altogether.
      body.completeExceptionally(outOfTime());
    } else if (failure instanceof HttpException || failure.getCause() instanceof HttpException) {
      body.completeExceptionally(
          new GatewayException(ErrorCode.INVALID_REQUEST, "the request body's framing is broken"));
    } else {
      // The connection broke; there is most likely no one left to read the answer.
      body.completeExceptionally(unreadable());
    }
  }

  private void take(int read) {
    received += read;
    refused = refused || received > maxBytes;
    if (refused) {
      buffer = null;
      if (received >= DISCARD_LIMIT_BYTES) {
        body.completeExceptionally(tooLarge(maxBytes));
      }
      return;
    }
    if (received > buffer.length) {
      long grown = Math.max(received, 2L * buffer.length);
      buffer = Arrays.copyOf(buffer, (int) Math.min(grown, maxBytes));
    }
    System.arraycopy(chunk, 0, buffer, (int) (received - read), read);
  }

  /** What the deadline answers: 413 for a body already too large (it was only being dropped). */
  private GatewayException outOfTime() {
    return refused ? tooLarge(maxBytes) : tooSlow();
  }

  private GatewayException tooSlow() {
    return new GatewayException(
        ErrorCode.REQUEST_TIMEOUT, "the request body did not arrive within " + timeoutMs + " ms");
  }

  static GatewayException tooLarge(long maxBytes) {
    return new GatewayException(
        ErrorCode.REQUEST_TOO_LARGE, "the request body is larger than " + maxBytes + " bytes");
  }

  private static GatewayException unreadable() {
    return new GatewayException(ErrorCode.INVALID_REQUEST, "the request body could not be read");
  }
}
