package dev.sluice.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sluice.schemas.reply.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** docs/contracts.md stays true: its examples validate and it names every topic and schema. */
class ContractDocsTest {
  // Surefire runs in the module directory; the docs sit beside it.
  private static final Path DOC = Path.of("..", "docs", "contracts.md");
  private static final Pattern EXAMPLE =
      Pattern.compile(
          "<!-- example: ([a-z-]+\\.schema\\.json) -->\\s*```json\\n(.*?)```", Pattern.DOTALL);

  private String doc;

  @BeforeEach
  void read() throws IOException {
    assumeTrue(Files.isRegularFile(DOC), "docs/contracts.md is not beside this module");
    doc = Files.readString(DOC);
  }

  @Test
  void everyExampleValidatesAgainstItsSchema() {
    List<String> checked = new ArrayList<>();
    Matcher m = EXAMPLE.matcher(doc);
    while (m.find()) {
      String schema = m.group(1);
      assertThat(ContractSchemas.validate(schema, Fixtures.json(m.group(2))))
          .as("example #%d for %s", checked.size() + 1, schema)
          .isEmpty();
      checked.add(schema);
    }
    assertThat(checked)
        .contains(
            ContractSchemas.REQUEST_ENVELOPE,
            ContractSchemas.REPLY_ENVELOPE,
            ContractSchemas.AUDIT_RECORD);
  }

  @Test
  void errorTableListsEveryCodeWithItsStatus() {
    for (ErrorCode code : ErrorCode.values()) {
      Pattern row =
          Pattern.compile(
              "(?m)^\\| " + code.status() + " \\|[^\\n]*`" + Pattern.quote(code.code()) + "`");
      assertThat(row.matcher(doc).find()).as("row for %s", code).isTrue();
    }
  }

  @Test
  void linksEverySchema() {
    for (String file : ContractSchemas.FILES) {
      assertThat(doc).contains("(../schemas/src/main/resources/schemas/" + file + ")");
      assertThat(doc).contains(ContractSchemas.BASE + file);
    }
  }
}
