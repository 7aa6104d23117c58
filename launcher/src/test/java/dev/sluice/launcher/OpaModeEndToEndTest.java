package dev.sluice.launcher;

import static dev.sluice.launcher.GatewayFixture.chatBody;
import static dev.sluice.launcher.GatewayFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.sluice.schemas.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OPA mode over real HTTP and a real broker. OPA itself is a stand-in (no OPA binary exists on the
 * build machines): an in-test server that follows OPA's documented Data API and health API.
 */
class OpaModeEndToEndTest {
  @TempDir static Path dir;

  private static final AtomicBoolean opaFails = new AtomicBoolean();
  private static HttpServer opa;
  private static GatewayFixture gateway;

  @BeforeAll
  static void start() throws Exception {
    opa = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    opa.createContext(
        "/v1/data/gateway/deny",
        exchange -> {
          JsonNode input = Json.mapper().readTree(exchange.getRequestBody()).path("input");
          String body =
              "blocked".equals(input.path("subject").asText())
                  ? "{\"result\":[\"blocked by OPA\"]}"
                  : "{\"result\":[]}";
          respond(exchange, opaFails.get() ? 500 : 200, body);
        });
    opa.createContext("/health", exchange -> respond(exchange, opaFails.get() ? 500 : 200, "{}"));
    opa.start();
    gateway =
        GatewayFixture.start(
            dir,
            Map.of(
                "OPA_URL", "http://127.0.0.1:" + opa.getAddress().getPort(), "DEV_MODE", "false"),
            true);
  }

  private static void respond(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @AfterAll
  static void stop() {
    if (gateway != null) {
      gateway.close();
    }
    if (opa != null) {
      opa.stop(0);
    }
  }

  @Test
  void opaDecidesAndTheGatewayFailsClosedWhenItCannot() throws Exception {
    HttpResponse<String> ready = gateway.send(gateway.request("/readyz").GET().build());
    assertThat(json(ready.body()).path("mode").asText()).isEqualTo("OPA");
    assertThat(json(ready.body()).path("checks").path("opa").asBoolean()).isTrue();

    String alice = gateway.minter().mint("acme", "alice", Duration.ofMinutes(5));
    assertThat(gateway.chat(chatBody("hi"), alice).statusCode()).isEqualTo(200);

    String blocked = gateway.minter().mint("acme", "blocked", Duration.ofMinutes(5));
    HttpResponse<String> denied = gateway.chat(chatBody("hi"), blocked);
    assertThat(denied.statusCode()).as(denied.body()).isEqualTo(403);
    assertThat(json(denied.body()).at("/error/reasons/0").asText()).isEqualTo("blocked by OPA");

    opaFails.set(true);
    try {
      HttpResponse<String> unavailable = gateway.chat(chatBody("hi"), alice);
      assertThat(unavailable.statusCode()).as(unavailable.body()).isEqualTo(503);
      assertThat(json(unavailable.body()).at("/error/code").asText())
          .isEqualTo("policy_unavailable");
    } finally {
      opaFails.set(false);
    }
  }
}
