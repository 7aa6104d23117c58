package dev.sluice.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * HTTP/1.1 over a plain socket, for what no HTTP client will send: broken framing, oversized
 * headers, unknown versions, bodies that trickle. Each response is read by its {@code
 * Content-Length}, which is all Jetty and the gateway send.
 */
final class RawHttp {
  /** How long a test waits for an answer before it fails; generous, never a measurement. */
  static final int READ_TIMEOUT_MS = 60_000;

  private RawHttp() {}

  /** A response as it came off the wire. */
  record Response(int status, Map<String, List<String>> headers, String body) {
    Optional<String> header(String name) {
      List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
      return values == null ? Optional.empty() : Optional.of(values.get(0));
    }
  }

  /** Opens a connection to {@code port} on the loopback address. */
  static Socket connect(int port) {
    try {
      Socket socket = new Socket("127.0.0.1", port);
      socket.setSoTimeout(READ_TIMEOUT_MS);
      return socket;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Sends {@code request} on a new connection and reads one response. */
  static Response exchange(int port, String request) {
    return exchange(port, request.getBytes(StandardCharsets.ISO_8859_1));
  }

  static Response exchange(int port, byte[] request) {
    try (Socket socket = connect(port)) {
      socket.getOutputStream().write(request);
      socket.getOutputStream().flush();
      return read(socket.getInputStream());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads one response: status line, headers, then {@code Content-Length} bytes of body. */
  static Response read(InputStream in) throws IOException {
    String statusLine = line(in);
    String[] parts = statusLine.split(" ", 3);
    assertThat(parts.length).as(statusLine).isGreaterThanOrEqualTo(2);
    int status = Integer.parseInt(parts[1]);
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (String header = line(in); !header.isEmpty(); header = line(in)) {
      int colon = header.indexOf(':');
      headers
          .computeIfAbsent(
              header.substring(0, colon).trim().toLowerCase(Locale.ROOT), name -> new ArrayList<>())
          .add(header.substring(colon + 1).trim());
    }
    List<String> length = headers.getOrDefault("content-length", List.of("0"));
    byte[] body = in.readNBytes(Integer.parseInt(length.get(0)));
    return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != '\n') {
      if (b < 0) {
        throw new IOException("the connection closed inside a response: " + line);
      }
      if (b != '\r') {
        line.write(b);
      }
    }
    return line.toString(StandardCharsets.ISO_8859_1);
  }

  /**
   * OpenAI's error shape with the gateway's request id, matching the x-request-id header, and the
   * expected status and code.
   */
  static JsonNode assertError(Response response, int status, String code) {
    assertThat(response.status()).as(response.body()).isEqualTo(status);
    assertThat(response.header("Content-Type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
    JsonNode body = IngressUnderTest.json(response.body());
    assertThat(body.size()).as(response.body()).isEqualTo(1);
    JsonNode error = body.path("error");
    assertThat(error.path("message").asText()).isNotBlank();
    assertThat(error.path("type").asText()).isNotBlank();
    assertThat(error.path("code").asText()).isEqualTo(code);
    assertThat(error.path("request_id").asText()).isNotBlank();
    assertThat(response.header("x-request-id")).hasValue(error.path("request_id").asText());
    return error;
  }
}
