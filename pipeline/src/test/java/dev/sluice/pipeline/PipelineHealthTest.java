package dev.sluice.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.BindAddress;
import dev.sluice.config.Env;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

/** The health port listens where BIND_ADDRESS says: loopback only in dev mode by default. */
class PipelineHealthTest {

  @Test
  void inDevModeItListensOnLoopbackOnly() throws Exception {
    BindAddress bind = BindAddress.from(Env.of(Map.of("DEV_MODE", "true")));
    try (PipelineHealth health = new PipelineHealth(bind, 0, () -> KafkaStreams.State.RUNNING)) {
      assertThat(health.address().getAddress().isLoopbackAddress()).isTrue();
      assertThat(health.address().getAddress().isAnyLocalAddress()).isFalse();
      HttpResponse<String> ready =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + health.port() + "/readyz"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(ready.statusCode()).isEqualTo(200);
      assertThat(ready.body()).isEqualTo("{\"ready\":true,\"state\":\"RUNNING\"}");
    }
  }

  @Test
  void bindAddressOpensItToEveryInterface() throws Exception {
    BindAddress bind =
        BindAddress.from(Env.of(Map.of("DEV_MODE", "true", "BIND_ADDRESS", "0.0.0.0")));
    try (PipelineHealth health =
        new PipelineHealth(bind, 0, () -> KafkaStreams.State.REBALANCING)) {
      assertThat(health.address().getAddress().isAnyLocalAddress()).isTrue();
    }
  }

  @Test
  void outsideDevModeEveryInterfaceByDefault() throws Exception {
    try (PipelineHealth health =
        new PipelineHealth(
            PipelineSettings.from(Env.of(Map.of())).bindAddress(),
            0,
            () -> KafkaStreams.State.RUNNING)) {
      assertThat(health.address().getAddress().isAnyLocalAddress()).isTrue();
    }
  }
}
