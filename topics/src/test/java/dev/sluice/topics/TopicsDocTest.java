package dev.sluice.topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/contracts.md names every topic the gateway creates. */
class TopicsDocTest {
  // Surefire runs in the module directory; the docs sit beside it.
  private static final Path DOC = Path.of("..", "docs", "contracts.md");

  @Test
  void namesEveryTopic() throws IOException {
    assumeTrue(Files.isRegularFile(DOC), "docs/contracts.md is not beside this module");
    String doc = Files.readString(DOC);
    for (Topic<?, ?> topic : Topics.all()) {
      assertThat(doc).contains("`" + topic.name() + "`");
    }
  }
}
