package dev.sluice.pipeline.audit;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.sluice.config.Env;
import dev.sluice.config.LogCapture;
import dev.sluice.config.WarningThrottle;
import dev.sluice.pipeline.DeadLetters;
import dev.sluice.pipeline.PipelineSettings;
import dev.sluice.pipeline.StreamsProperties;
import dev.sluice.schemas.audit.AuditRecord;
import dev.sluice.schemas.reply.Outcome;
import dev.sluice.topics.Topics;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditTopologyTest {

  private static TopologyTestDriver driver(Path stateDir) {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "sluice-pipeline-audit");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    return new TopologyTestDriver(
        AuditTopology.build(new StreamsBuilder(), "sluice-pipeline-audit"), props);
  }

  @Test
  void chainsDecisionsAndKeepsTheHeadInItsStore(@TempDir Path dir) {
    try (TopologyTestDriver driver = driver(dir)) {
      TestInputTopic<String, AuditRecord> decisions = input(driver);
      decisions.pipeInput("acme", AuditChainTest.decision("r1", Outcome.COMPLETED));
      decisions.pipeInput("globex", AuditChainTest.decision("r2", Outcome.DENIED));
      decisions.pipeInput("acme", AuditChainTest.decision("r3", Outcome.COMPLETED));
      List<AuditRecord> log = output(driver).readValuesToList();

      assertThat(log).hasSize(3);
      assertThat(log.get(0).chainId()).isEqualTo("sluice-pipeline-audit/0_0");
      assertThat(log.get(0).prevHash()).isEqualTo(AuditChain.GENESIS);
      assertThat(AuditChain.verify(log)).isEmpty();
      // The head is kept (changelogged) so a restarted task continues the same chain.
      KeyValueStore<String, String> heads = driver.getKeyValueStore(AuditChainer.STORE);
      assertThat(heads.get("sluice-pipeline-audit/0_0")).isEqualTo(log.get(2).hash());
    }
  }

  @Test
  void keysTheLogByTenant(@TempDir Path dir) {
    try (TopologyTestDriver driver = driver(dir)) {
      input(driver).pipeInput("acme", AuditChainTest.decision("r1", Outcome.COMPLETED));
      assertThat(output(driver).readKeyValue().key).isEqualTo("acme");
    }
  }

  @Test
  void garbageOnTheDecisionsTopicIsLoggedOnceWithoutAStackTrace(@TempDir Path dir) {
    // The production settings of the audit application, its handlers and their throttle.
    Properties props =
        StreamsProperties.audit(
            PipelineSettings.from(
                Env.of(Map.of("DATA_DIR", dir.toString(), "PIPELINE_INSTANCE_ID", "audit-test"))));
    props.put(
        DeadLetters.THROTTLE_CONFIG,
        new WarningThrottle(WarningThrottle.DEFAULT_INTERVAL, () -> 0L));
    try (TopologyTestDriver driver =
            new TopologyTestDriver(
                AuditTopology.build(
                    new StreamsBuilder(), props.getProperty(StreamsConfig.APPLICATION_ID_CONFIG)),
                props);
        LogCapture logs = new LogCapture()) {
      TestInputTopic<String, String> raw =
          driver.createInputTopic(
              Topics.AUDIT_DECISIONS.name(), new StringSerializer(), new StringSerializer());
      for (int i = 0; i < 20; i++) {
        raw.pipeInput("acme", "{\"requestId\": [" + i + "]");
      }
      input(driver).pipeInput("acme", AuditChainTest.decision("r1", Outcome.COMPLETED));

      assertThat(output(driver).readValuesToList()).hasSize(1);
      List<ILoggingEvent> lines = logs.warnings();
      assertThat(lines).hasSize(1);
      assertThat(lines.get(0).getLoggerName()).isEqualTo(DeadLetters.class.getName());
      assertThat(lines.get(0).getThrowableProxy()).isNull();
      assertThat(LogCapture.value(lines.get(0), "topic")).isEqualTo(Topics.AUDIT_DECISIONS.name());
    }
  }

  private static TestInputTopic<String, AuditRecord> input(TopologyTestDriver driver) {
    return driver.createInputTopic(
        Topics.AUDIT_DECISIONS.name(),
        Topics.AUDIT_DECISIONS.keySerde().serializer(),
        Topics.AUDIT_DECISIONS.valueSerde().serializer());
  }

  private static TestOutputTopic<String, AuditRecord> output(TopologyTestDriver driver) {
    return driver.createOutputTopic(
        Topics.AUDIT.name(),
        Topics.AUDIT.keySerde().deserializer(),
        Topics.AUDIT.valueSerde().deserializer());
  }
}
