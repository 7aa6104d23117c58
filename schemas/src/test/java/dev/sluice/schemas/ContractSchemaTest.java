package dev.sluice.schemas;

import static dev.sluice.schemas.ContractSchemas.AUDIT_RECORD;
import static dev.sluice.schemas.ContractSchemas.CHAT_REQUEST;
import static dev.sluice.schemas.ContractSchemas.DEAD_LETTER;
import static dev.sluice.schemas.ContractSchemas.REPLY_ENVELOPE;
import static dev.sluice.schemas.ContractSchemas.REQUEST_ENVELOPE;
import static dev.sluice.schemas.Fixtures.json;
import static dev.sluice.schemas.Fixtures.toTree;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion.VersionFlag;
import dev.sluice.schemas.audit.AuditRecord;
import dev.sluice.schemas.chat.ChatMessage;
import dev.sluice.schemas.chat.ChatRequests;
import dev.sluice.schemas.chat.InvalidChatRequest;
import dev.sluice.schemas.deadletter.DeadLetter;
import dev.sluice.schemas.reply.ErrorCode;
import dev.sluice.schemas.reply.Outcome;
import dev.sluice.schemas.reply.ReplyEnvelope;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.FieldSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Real messages, written by the records and the serdes, against the published JSON Schemas. */
class ContractSchemaTest {

  static final List<String> FILES = ContractSchemas.FILES;

  /** Serialised exactly as the topics write them (their serdes wrap these codecs). */
  @SuppressWarnings("unchecked")
  private static <V> JsonNode onTheWire(V value) {
    byte[] bytes = JsonCodec.of((Class<V>) value.getClass()).toBytes(value);
    return json(new String(bytes, StandardCharsets.UTF_8));
  }

  @Nested
  class TheSchemaFiles {
    @ParameterizedTest
    @FieldSource("dev.sluice.schemas.ContractSchemaTest#FILES")
    void areValidDraft202012Schemas(String file) {
      var metaSchema =
          JsonSchemaFactory.getInstance(VersionFlag.V202012)
              .getSchema(SchemaLocation.of("https://json-schema.org/draft/2020-12/schema"));
      assertThat(metaSchema.validate(ContractSchemas.tree(file))).isEmpty();
    }

    @ParameterizedTest
    @FieldSource("dev.sluice.schemas.ContractSchemaTest#FILES")
    void nameTheirDraftAndPublicId(String file) {
      JsonNode tree = ContractSchemas.tree(file);
      assertThat(tree.path("$schema").asText())
          .isEqualTo("https://json-schema.org/draft/2020-12/schema");
      assertThat(tree.path("$id").asText()).isEqualTo("https://sluice.dev/schemas/" + file);
      assertThat(tree.path("description").asText()).isNotBlank();
    }

    @ParameterizedTest
    @FieldSource("dev.sluice.schemas.ContractSchemaTest#FILES")
    void describeEveryField(String file) {
      List<String> undescribed = new ArrayList<>();
      collectUndescribed(ContractSchemas.tree(file), "#", undescribed);
      assertThat(undescribed).as("properties without a description").isEmpty();
    }

    @ParameterizedTest
    @FieldSource("dev.sluice.schemas.ContractSchemaTest#FILES")
    void compile(String file) {
      // Every $ref, including the cross-file ones, resolves.
      ContractSchemas.schema(file).initializeValidators();
      ContractSchemas.strictSchema(file).initializeValidators();
    }

    @Test
    void strictVariantRefusesFieldsTheSchemaDoesNotDeclare() {
      // Guards the check above: "declares every field" means something only if this fails.
      ObjectNode reply = (ObjectNode) onTheWire(Fixtures.completedReply());
      ((ObjectNode) reply.get("completion")).put("undeclared", 1);
      assertThat(ContractSchemas.validate(REPLY_ENVELOPE, reply)).isEmpty();
      assertThat(ContractSchemas.validateStrict(REPLY_ENVELOPE, reply)).isNotEmpty();
    }

    private void collectUndescribed(JsonNode node, String at, List<String> undescribed) {
      if (node.isObject()) {
        JsonNode properties = node.get("properties");
        boolean isObjectSchema = "object".equals(node.path("type").asText());
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
          String name = it.next();
          JsonNode child = node.get(name);
          if (name.equals("properties") && isObjectSchema && properties.isObject()) {
            properties
                .fields()
                .forEachRemaining(
                    p -> {
                      if (p.getValue().path("description").asText().isBlank()) {
                        undescribed.add(at + "/properties/" + p.getKey());
                      }
                    });
          }
          collectUndescribed(child, at + "/" + name, undescribed);
        }
      } else if (node.isArray()) {
        for (int i = 0; i < node.size(); i++) {
          collectUndescribed(node.get(i), at + "/" + i, undescribed);
        }
      }
    }
  }

  @Nested
  class ReplyEnvelopes {
    static Stream<ReplyEnvelope> replies() {
      return Stream.of(
          Fixtures.completedReply(),
          Fixtures.deniedReply(),
          Fixtures.rateLimitedReply(),
          Fixtures.providerRateLimitedReply(),
          Fixtures.failedReply(),
          Fixtures.invalidRequestReply());
    }

    @ParameterizedTest
    @MethodSource("replies")
    void asWrittenToTheTopicMatchTheSchemaAndDeclareEveryField(ReplyEnvelope reply) {
      JsonNode wire = onTheWire(reply);
      assertThat(ContractSchemas.validate(REPLY_ENVELOPE, wire)).isEmpty();
      assertThat(ContractSchemas.validateStrict(REPLY_ENVELOPE, wire)).isEmpty();
    }

    @Test
    void happyReplyCarriesTheCompletionInOpenAiShape() {
      JsonNode wire = onTheWire(Fixtures.completedReply());
      assertThat(ContractSchemas.validate(REPLY_ENVELOPE, wire)).isEmpty();
      assertThat(wire.path("completion").path("choices").get(0).path("finish_reason").asText())
          .isEqualTo("stop");
      assertThat(wire.path("completion").path("usage").path("prompt_tokens").asInt()).isEqualTo(42);
      assertThat(wire.path("completion").path("meta").path("request_id").asText())
          .isEqualTo(Fixtures.REQUEST_ID);
      assertThat(wire.has("error")).isFalse();
    }

    @Test
    void deniedReplyCarriesItsReasons() {
      JsonNode wire = onTheWire(Fixtures.deniedReply());
      assertThat(ContractSchemas.validate(REPLY_ENVELOPE, wire)).isEmpty();
      assertThat(wire.path("outcome").asText()).isEqualTo("denied");
      assertThat(wire.path("error").path("reasons")).hasSize(2);
      assertThat(wire.path("error").path("request_id").asText()).isEqualTo(Fixtures.REQUEST_ID);
    }

    @Test
    void rateLimitedReplyCarriesRetryAfter() {
      JsonNode wire = onTheWire(Fixtures.rateLimitedReply());
      assertThat(ContractSchemas.validate(REPLY_ENVELOPE, wire)).isEmpty();
      assertThat(wire.path("retryAfterSeconds").asInt()).isEqualTo(7);
    }

    @ParameterizedTest
    @EnumSource(ErrorCode.class)
    void everyErrorCodeMakesAValidReply(ErrorCode code) {
      ReplyEnvelope reply =
          new ReplyEnvelope(
              ReplyEnvelope.VERSION,
              Fixtures.REQUEST_ID,
              Fixtures.TENANT,
              code.status() >= 500 ? Outcome.FAILED : Outcome.DENIED,
              code.status(),
              null,
              code.error("m", null, List.of("r")).withRequestId(Fixtures.REQUEST_ID),
              null,
              null,
              code == ErrorCode.RATE_LIMITED ? 1 : null,
              null,
              null);
      assertThat(ContractSchemas.validateStrict(REPLY_ENVELOPE, onTheWire(reply))).isEmpty();
    }

    @Test
    void theSchemaNamesEveryErrorCodeAndType() {
      JsonNode error = ContractSchemas.tree(REPLY_ENVELOPE).at("/$defs/error/properties");
      for (ErrorCode code : ErrorCode.values()) {
        assertThat(error.at("/code/description").asText()).contains(" " + code.code());
        assertThat(error.at("/type/description").asText()).contains(code.type());
      }
    }

    @Test
    void withNeitherCompletionNorErrorIsRejected() {
      ObjectNode wire = (ObjectNode) onTheWire(Fixtures.deniedReply());
      wire.remove("error");
      assertThat(ContractSchemas.validate(REPLY_ENVELOPE, wire)).isNotEmpty();
    }

    @Test
    void withBothCompletionAndErrorIsRejected() {
      ObjectNode wire = (ObjectNode) onTheWire(Fixtures.completedReply());
      wire.set("error", onTheWire(Fixtures.deniedReply()).get("error"));
      assertThat(ContractSchemas.validate(REPLY_ENVELOPE, wire)).isNotEmpty();
    }

    @Test
    void whoseOutcomeContradictsItsBodyIsRejected() {
      ObjectNode completedWithError = (ObjectNode) onTheWire(Fixtures.deniedReply());
      completedWithError.put("outcome", "completed");
      ObjectNode deniedWithCompletion = (ObjectNode) onTheWire(Fixtures.completedReply());
      deniedWithCompletion.put("outcome", "denied");
      ObjectNode errorWith200 = (ObjectNode) onTheWire(Fixtures.failedReply());
      errorWith200.put("status", 200);

      assertThat(ContractSchemas.validate(REPLY_ENVELOPE, completedWithError)).isNotEmpty();
      assertThat(ContractSchemas.validate(REPLY_ENVELOPE, deniedWithCompletion)).isNotEmpty();
      assertThat(ContractSchemas.validate(REPLY_ENVELOPE, errorWith200)).isNotEmpty();
    }

    @Test
    void withoutRequestIdIsRejected() {
      ObjectNode wire = (ObjectNode) onTheWire(Fixtures.completedReply());
      wire.remove("requestId");
      assertThat(ContractSchemas.validate(REPLY_ENVELOPE, wire)).isNotEmpty();
    }

    @Test
    void withAnUnknownOutcomeIsRejected() {
      ObjectNode wire = (ObjectNode) onTheWire(Fixtures.failedReply());
      wire.put("outcome", "FAILED");
      assertThat(ContractSchemas.validate(REPLY_ENVELOPE, wire)).isNotEmpty();
    }

    @Test
    void fromANewerGatewayWithAnExtraOptionalFieldStillValidates() {
      // Evolution rule: optional fields are added without a version bump; readers ignore them.
      ObjectNode wire = (ObjectNode) onTheWire(Fixtures.completedReply());
      wire.put("someFutureField", "x");
      assertThat(ContractSchemas.validate(REPLY_ENVELOPE, wire)).isEmpty();
    }

    @Test
    void schemaDeclaresExactlyTheFieldsTheRecordWrites() {
      Set<String> written = new TreeSet<>();
      replies().map(r -> onTheWire(r)).forEach(n -> n.fieldNames().forEachRemaining(written::add));
      assertThat(written).isEqualTo(declared(REPLY_ENVELOPE, "/properties"));

      JsonNode completion = onTheWire(Fixtures.completedReply()).get("completion");
      assertThat(names(completion))
          .isEqualTo(declared(REPLY_ENVELOPE, "/$defs/completion/properties"));
      assertThat(names(completion.get("choices").get(0)))
          .isEqualTo(declared(REPLY_ENVELOPE, "/$defs/choice/properties"));
      assertThat(names(completion.get("usage")))
          .isEqualTo(declared(REPLY_ENVELOPE, "/$defs/usage/properties"));
      assertThat(names(completion.get("meta")))
          .isEqualTo(declared(REPLY_ENVELOPE, "/$defs/meta/properties"));
      assertThat(names(completion.get("meta").get("firewall")))
          .isEqualTo(declared(REPLY_ENVELOPE, "/$defs/meta/properties/firewall/properties"));
      assertThat(names(completion.get("citations").get(0)))
          .isEqualTo(declared(REPLY_ENVELOPE, "/$defs/citation/properties"));
      assertThat(names(onTheWire(Fixtures.invalidRequestReply()).get("error")))
          .isEqualTo(declared(REPLY_ENVELOPE, "/$defs/error/properties"));
    }
  }

  @Nested
  class RequestEnvelopes {
    @Test
    void withContextChunksMatchesTheSchema() {
      JsonNode wire = onTheWire(Fixtures.requestEnvelope(Fixtures.fullChatRequestJson()));
      assertThat(ContractSchemas.validate(REQUEST_ENVELOPE, wire)).isEmpty();
      // Every field of the full request is a known one.
      assertThat(ContractSchemas.validateStrict(REQUEST_ENVELOPE, wire)).isEmpty();
      assertThat(wire.path("request").path("context").path("chunks")).hasSize(2);
    }

    @Test
    void withAnArrayOfPartsMessageMatchesTheSchema() {
      ArrayNode messages = Json.mapper().createArrayNode().add(toTree(Fixtures.partsMessage()));
      ObjectNode request = Json.mapper().createObjectNode().put("model", "m");
      request.set("messages", messages);
      JsonNode wire = onTheWire(Fixtures.requestEnvelope(request));
      assertThat(wire.at("/request/messages/0/content").isArray()).isTrue();
      assertThat(ContractSchemas.validate(REQUEST_ENVELOPE, wire)).isEmpty();
    }

    @Test
    void withOnlyTheRequiredFieldsMatchesTheSchema() {
      JsonNode wire =
          json(
              """
              {"schemaVersion": 1, "requestId": "%s", "tenant": "acme", "credential": "%s",
               "replyTo": {"topic": "batch.replies.acme", "partition": 0},
               "request": {"model": "m", "messages": [{"role": "user", "content": "hi"}]}}
              """
                  .formatted(Fixtures.REQUEST_ID, Fixtures.CREDENTIAL));
      assertThat(ContractSchemas.validate(REQUEST_ENVELOPE, wire)).isEmpty();
    }

    @Test
    void withTheLegacyReqWrapperMatchesTheSchema() {
      ObjectNode wrapped = Json.mapper().createObjectNode();
      wrapped.set("req", Fixtures.fullChatRequestJson());
      JsonNode wire = onTheWire(Fixtures.requestEnvelope(wrapped));
      assertThat(ContractSchemas.validate(REQUEST_ENVELOPE, wire)).isEmpty();
    }

    @Test
    void withUnknownOpenAiFieldsInTheRequestMatchesTheSchema() {
      ObjectNode request = (ObjectNode) Fixtures.fullChatRequestJson();
      request
          .put("seed", 7)
          .put("logprobs", false)
          .putObject("response_format")
          .put("type", "text");
      JsonNode wire = onTheWire(Fixtures.requestEnvelope(request));
      assertThat(ContractSchemas.validate(REQUEST_ENVELOPE, wire)).isEmpty();
    }

    @Test
    void withoutRequestIdIsRejected() {
      ObjectNode wire =
          (ObjectNode) onTheWire(Fixtures.requestEnvelope(Fixtures.fullChatRequestJson()));
      wire.remove("requestId");
      assertThat(ContractSchemas.validate(REQUEST_ENVELOPE, wire)).isNotEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"credential", "tenant", "replyTo", "request", "schemaVersion"})
    void withoutARequiredFieldIsRejected(String field) {
      ObjectNode wire =
          (ObjectNode) onTheWire(Fixtures.requestEnvelope(Fixtures.fullChatRequestJson()));
      wire.remove(field);
      assertThat(ContractSchemas.validate(REQUEST_ENVELOPE, wire)).isNotEmpty();
    }

    @Test
    void withAMessageWhoseContentIsANumberIsRejected() {
      JsonNode request =
          json("{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": 42}]}");
      JsonNode wire = onTheWire(Fixtures.requestEnvelope(request));
      assertThat(ContractSchemas.validate(REQUEST_ENVELOPE, wire)).isNotEmpty();
      assertThat(
              ContractSchemas.validate(
                  CHAT_REQUEST + "#/$defs/message", json("{\"role\": \"user\", \"content\": 42}")))
          .isNotEmpty();
    }

    @Test
    void withAMisspeltFieldIsRejected() {
      ObjectNode wire =
          (ObjectNode) onTheWire(Fixtures.requestEnvelope(Fixtures.fullChatRequestJson()));
      wire.set("replyto", wire.remove("replyTo"));
      assertThat(ContractSchemas.validate(REQUEST_ENVELOPE, wire)).isNotEmpty();
    }

    @Test
    void withABadReplyToIsRejected() {
      ObjectNode wire =
          (ObjectNode) onTheWire(Fixtures.requestEnvelope(Fixtures.fullChatRequestJson()));
      ((ObjectNode) wire.get("replyTo")).put("partition", -1);
      assertThat(ContractSchemas.validate(REQUEST_ENVELOPE, wire)).isNotEmpty();
      ((ObjectNode) wire.get("replyTo")).put("partition", 0).put("topic", "no spaces allowed");
      assertThat(ContractSchemas.validate(REQUEST_ENVELOPE, wire)).isNotEmpty();
    }

    @Test
    void acceptsTheIdsTheIngressMakes() {
      for (int i = 0; i < 100; i++) {
        ObjectNode wire =
            (ObjectNode) onTheWire(Fixtures.requestEnvelope(Fixtures.fullChatRequestJson()));
        wire.put("requestId", RequestIds.next());
        assertThat(ContractSchemas.validate(REQUEST_ENVELOPE, wire)).isEmpty();
      }
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "0190b8e4-6f3a-7c2e-9a51-3d2f8e7b1c40",
          "job-17.line_3",
          "x",
          "",
          "has space",
          "a/b",
          "line\nbreak",
          "é",
          "{\"$ne\":1}",
          "0123456789012345678901234567890123456789012345678901234567890123",
          "01234567890123456789012345678901234567890123456789012345678901234"
        })
    void acceptsExactlyTheRequestIdsRequestIdsAccepts(String id) {
      ObjectNode wire =
          (ObjectNode) onTheWire(Fixtures.requestEnvelope(Fixtures.fullChatRequestJson()));
      wire.put("requestId", id);
      assertThat(ContractSchemas.validate(REQUEST_ENVELOPE, wire).isEmpty())
          .isEqualTo(RequestIds.isValid(id));
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "acme",
          "Acme",
          "org:acme@eu_1.prod-2",
          "-acme",
          ".acme",
          "",
          "-",
          ".",
          "..",
          "...",
          "../acme",
          "acme corp",
          "acme\u202e",
          "ac\u200bme",
          "\u0430cme",
          "acme\n",
          "12345678901234567890123456789012345678901234567890123456789012345678901234567890"
              + "123456789012345678901234567890123456789012345678",
          "12345678901234567890123456789012345678901234567890123456789012345678901234567890"
              + "1234567890123456789012345678901234567890123456789"
        })
    void acceptsExactlyTheTenantsPrincipalAccepts(String tenant) {
      ObjectNode wire =
          (ObjectNode) onTheWire(Fixtures.requestEnvelope(Fixtures.fullChatRequestJson()));
      wire.put("tenant", tenant);
      assertThat(ContractSchemas.validate(REQUEST_ENVELOPE, wire).isEmpty())
          .as(tenant)
          .isEqualTo(Principal.isValidTenant(tenant));
    }

    @Test
    void withAnotherVersionIsRejected() {
      ObjectNode wire =
          (ObjectNode) onTheWire(Fixtures.requestEnvelope(Fixtures.fullChatRequestJson()));
      wire.put("schemaVersion", 2);
      assertThat(ContractSchemas.validate(REQUEST_ENVELOPE, wire)).isNotEmpty();
    }

    @Test
    void schemaDeclaresExactlyTheFieldsTheRecordWrites() {
      JsonNode wire = onTheWire(Fixtures.requestEnvelope(Fixtures.fullChatRequestJson()));
      assertThat(names(wire)).isEqualTo(declared(REQUEST_ENVELOPE, "/properties"));
      assertThat(names(wire.get("replyTo")))
          .isEqualTo(declared(REQUEST_ENVELOPE, "/properties/replyTo/properties"));
    }
  }

  @Nested
  class ChatRequestBodies {
    @Test
    void theRecordWritesAValidChatRequestWithOnlyDeclaredFields() {
      JsonNode written = toTree(Fixtures.fullChatRequest());
      assertThat(ContractSchemas.validateStrict(CHAT_REQUEST, written)).isEmpty();
      Set<String> declared = declared(CHAT_REQUEST, "/properties");
      assertThat(declared).containsAll(names(written));
      // What the record does not keep is still declared: the schema describes the wire, not Java.
      assertThat(declared).contains("max_completion_tokens", "stream", "n");
    }

    @Test
    void stringAndPartsMessagesBothMatchTheMessageSchema() {
      String message = CHAT_REQUEST + "#/$defs/message";
      assertThat(ContractSchemas.validateStrict(message, toTree(ChatMessage.of("user", "hi"))))
          .isEmpty();
      assertThat(ContractSchemas.validateStrict(message, toTree(Fixtures.partsMessage())))
          .isEmpty();
      assertThat(
              ContractSchemas.validateStrict(
                  message, toTree(new ChatMessage("assistant", List.of(), false, "bot"))))
          .isEmpty();
    }

    static final List<String> ACCEPTED_BY_BOTH =
        List.of(
            "{\"model\": \"m\", \"messages\": [{\"role\": \"developer\", \"content\": \"x\"}]}",
            "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"text\", \"text\": \"x\"}]}]}",
            "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"x\", \"name\": null}], \"stream\": false, \"n\": 1}",
            "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"temperature\": null, \"top_p\": 1, \"stop\": \"END\", \"user\": \"u\"}",
            "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"max_completion_tokens\": 2147483647}",
            "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"context\": {\"chunks\": []}}",
            "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"context\": {\"source\": null, \"chunks\": [{\"id\": 3, \"content\": \"c\", \"source\": null}]}}",
            "{\"model\": \"m\", \"messages\": [{\"role\": \"tool\", \"content\": \"x\", \"tool_call_id\": \"t1\"}], \"tools\": [], \"seed\": 1}",
            // At the bounds.
            "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"stop\": [\"a\", \"b\", \"c\", \"%s\"]}"
                .formatted("d".repeat(256)),
            "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"x\", \"name\": \"%s\"}], \"user\": \"%s\"}"
                .formatted("n".repeat(64), "u".repeat(256)),
            "{\"model\": \"%s\", \"messages\": [{\"role\": \"tool\", \"content\": \"x\", \"tool_call_id\": \"%s\"}]}"
                .formatted("m".repeat(256), "t".repeat(256)),
            "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"context\": {\"source\": \"%s\", \"chunks\": [{\"id\": \"%s\", \"content\": \"c\", \"source\": \"%s\"}]}}"
                .formatted("s".repeat(2048), "i".repeat(256), "s".repeat(2048)));

    static final List<String> REFUSED_BY_BOTH =
        List.of(
            "{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}",
            "{\"model\": 5, \"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}",
            "{\"model\": \" \", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}",
            "{\"model\": \"m\"}",
            "{\"model\": \"m\", \"messages\": {\"role\": \"user\", \"content\": \"x\"}}",
            "{\"model\": \"m\", \"messages\": [\"x\"]}",
            "{\"model\": \"m\", \"messages\": [{\"role\": 1, \"content\": \"x\"}]}",
            "{\"model\": \"m\", \"messages\": [{\"role\": \"user\"}]}",
            "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": 42}]}",
            "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"x\", \"name\": 1}]}",
            "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"image_url\", \"image_url\": {\"url\": \"u\"}}]}]}",
            "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"text\"}]}]}",
            "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": [\"x\"]}]}",
            "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"stream\": true}",
            "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"stream\": \"no\"}",
            "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"n\": 2}",
            "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"n\": 0}",
            "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"temperature\": 3}",
            "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"temperature\": \"0.5\"}",
            "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"top_p\": 1.5}",
            "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"max_tokens\": 0}",
            "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"max_tokens\": -1}",
            "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"max_tokens\": 1.5}",
            "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"max_tokens\": 2147483648}",
            "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"max_completion_tokens\": \"10\"}",
            "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"stop\": 5}",
            "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"stop\": [\"a\", 1]}",
            "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"user\": 5}",
            "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"context\": []}",
            "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"context\": {\"source\": \"s\"}}",
            "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"context\": {\"source\": 5, \"chunks\": []}}",
            "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"context\": {\"chunks\": [{\"content\": \"c\"}]}}",
            "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"context\": {\"chunks\": [{\"id\": {}, \"content\": \"c\"}]}}",
            "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"context\": {\"chunks\": [{\"id\": \"c1\"}]}}",
            "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"context\": {\"chunks\": [{\"id\": \"c1\", \"content\": \"c\", \"source\": 1}]}}",
            "[]",
            // Past the bounds.
            "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"stop\": [\"a\", \"b\", \"c\", \"d\", \"e\"]}",
            "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"stop\": [\"%s\"]}"
                .formatted("d".repeat(257)),
            "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"stop\": \"%s\"}"
                .formatted("d".repeat(257)),
            "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"x\", \"name\": \"%s\"}]}"
                .formatted("n".repeat(65)),
            "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"user\": \"%s\"}"
                .formatted("u".repeat(257)),
            "{\"model\": \"%s\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}"
                .formatted("m".repeat(257)),
            "{\"model\": \"m\", \"messages\": [{\"role\": \"tool\", \"content\": \"x\", \"tool_call_id\": \"%s\"}]}"
                .formatted("t".repeat(257)),
            "{\"model\": \"m\", \"messages\": [{\"role\": \"assistant\", \"content\": null, \"tool_calls\": [{\"id\": \"%s\", \"type\": \"function\", \"function\": {\"name\": \"f\", \"arguments\": \"{}\"}}]}]}"
                .formatted("t".repeat(257)),
            "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"context\": {\"source\": \"%s\", \"chunks\": []}}"
                .formatted("s".repeat(2049)),
            "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"context\": {\"chunks\": [{\"id\": \"%s\", \"content\": \"c\"}]}}"
                .formatted("i".repeat(257)),
            "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"context\": {\"chunks\": [{\"id\": \"c1\", \"content\": \"c\", \"source\": \"%s\"}]}}"
                .formatted("s".repeat(2049)));

    @ParameterizedTest
    @FieldSource("ACCEPTED_BY_BOTH")
    void acceptWhatTheParserAccepts(String body) throws Exception {
      assertThat(ContractSchemas.validate(CHAT_REQUEST, json(body))).isEmpty();
      ChatRequests.parse(json(body));
    }

    @ParameterizedTest
    @FieldSource("REFUSED_BY_BOTH")
    void refuseWhatTheParserRefuses(String body) {
      assertThat(ContractSchemas.validate(CHAT_REQUEST, json(body))).isNotEmpty();
      assertThatThrownBy(() -> ChatRequests.parse(json(body)))
          .isInstanceOf(InvalidChatRequest.class);
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "{\"model\": \"m\", \"messages\": []}",
          "{\"model\": \"m\", \"messages\": [{\"role\": \"robot\", \"content\": \"x\"}]}"
        })
    void alsoRefuseWhatOnlyTheValidationStageRefuses(String body) throws Exception {
      // empty_messages and invalid_role are the pipeline's checks; the parser lets them through.
      ChatRequests.parse(json(body));
      assertThat(ContractSchemas.validate(CHAT_REQUEST, json(body))).isNotEmpty();
    }
  }

  @Nested
  class DeadLetters {
    @Test
    void aNoteMatchesTheSchemaAndDeclaresEveryField() {
      DeadLetter full =
          DeadLetter.of(
              Fixtures.REQUEST_ID,
              "missing or disallowed replyTo",
              "llm.requests",
              3,
              42,
              "http-admission");
      DeadLetter unread =
          DeadLetter.of(
              null, "unreadable record: SerializationException", "llm.requests", 0, 7, null);
      for (DeadLetter letter : List.of(full, unread)) {
        JsonNode wire = onTheWire(letter);
        assertThat(ContractSchemas.validate(DEAD_LETTER, wire)).isEmpty();
        assertThat(ContractSchemas.validateStrict(DEAD_LETTER, wire)).isEmpty();
      }
      assertThat(onTheWire(unread).has("requestId")).isFalse();
    }

    @Test
    void withoutAReasonIsRejected() {
      ObjectNode wire =
          (ObjectNode)
              onTheWire(DeadLetter.of(null, "processing failed", "llm.requests", 0, 1, null));
      wire.remove("reason");
      assertThat(ContractSchemas.validate(DEAD_LETTER, wire)).isNotEmpty();
    }
  }

  @Nested
  class AuditRecords {
    @Test
    void aChainOfRecordsMatchesTheSchemaAndDeclaresEveryField() {
      List<AuditRecord> chain = Fixtures.auditChain();
      for (AuditRecord record : chain) {
        JsonNode wire = onTheWire(record);
        assertThat(ContractSchemas.validate(AUDIT_RECORD, wire)).isEmpty();
        assertThat(ContractSchemas.validateStrict(AUDIT_RECORD, wire)).isEmpty();
      }
      JsonNode first = onTheWire(chain.get(0));
      JsonNode second = onTheWire(chain.get(1));
      assertThat(first.path("prevHash").asText()).isEqualTo(Fixtures.ZERO_HASH);
      assertThat(second.path("prevHash").asText()).isEqualTo(first.path("hash").asText());
      assertThat(second.path("chainId").asText()).isEqualTo(first.path("chainId").asText());
    }

    @Test
    void aRefusalBeforeAuthenticationHasNoTenantAndMatchesTheSchema() {
      AuditRecord authenticated = Fixtures.auditChain().get(1);
      AuditRecord unauthenticated =
          new AuditRecord(
              authenticated.schemaVersion(),
              authenticated.requestId(),
              null,
              null,
              authenticated.timeMs(),
              null,
              authenticated.source(),
              authenticated.decision(),
              null,
              null,
              null,
              null,
              null,
              null,
              null,
              null,
              null,
              null,
              authenticated.chainId(),
              authenticated.prevHash(),
              authenticated.hash());
      JsonNode wire = onTheWire(unauthenticated);
      assertThat(wire.has("tenant")).isFalse();
      assertThat(ContractSchemas.validateStrict(AUDIT_RECORD, wire)).isEmpty();
    }

    @Test
    void holdsNoPromptCompletionOrCredential() {
      String wire = onTheWire(Fixtures.auditChain().get(0)).toString();
      assertThat(wire)
          .doesNotContain(Fixtures.PROMPT)
          .doesNotContain(Fixtures.ANSWER)
          .doesNotContain(Fixtures.CREDENTIAL);
    }

    @ParameterizedTest
    @ValueSource(strings = {"chainId", "prevHash", "hash", "requestId", "decision"})
    void withoutAChainOrIdentityFieldIsRejected(String field) {
      ObjectNode wire = (ObjectNode) onTheWire(Fixtures.auditChain().get(0));
      wire.remove(field);
      assertThat(ContractSchemas.validate(AUDIT_RECORD, wire)).isNotEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"hash", "prevHash", "promptSha256"})
    void withAHashThatIsNotLowercaseHexSha256IsRejected(String field) {
      ObjectNode wire = (ObjectNode) onTheWire(Fixtures.auditChain().get(0));
      wire.put(field, Fixtures.HASH_1.toUpperCase(Locale.ROOT));
      assertThat(ContractSchemas.validate(AUDIT_RECORD, wire)).isNotEmpty();
      wire.put(field, "abc");
      assertThat(ContractSchemas.validate(AUDIT_RECORD, wire)).isNotEmpty();
    }

    @Test
    void withAHiddenCharacterCountBelowOneIsRejected() {
      // A record without hidden text leaves the field out; zero would be a second way to say so.
      ObjectNode wire = (ObjectNode) onTheWire(Fixtures.auditChain().get(0));
      wire.put("firewallHiddenChars", 0);
      assertThat(ContractSchemas.validate(AUDIT_RECORD, wire)).isNotEmpty();
    }

    @Test
    void withARiskOutsideZeroToOneIsRejected() {
      ObjectNode wire = (ObjectNode) onTheWire(Fixtures.auditChain().get(1));
      wire.put("firewallRisk", 1.5);
      assertThat(ContractSchemas.validate(AUDIT_RECORD, wire)).isNotEmpty();
    }

    @Test
    void schemaDeclaresExactlyTheFieldsTheRecordWrites() {
      JsonNode wire = onTheWire(Fixtures.auditChain().get(0));
      assertThat(names(wire)).isEqualTo(declared(AUDIT_RECORD, "/properties"));
      assertThat(names(wire.get("decision")))
          .isEqualTo(declared(AUDIT_RECORD, "/$defs/decision/properties"));
    }
  }

  private static Set<String> names(JsonNode object) {
    Set<String> names = new TreeSet<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static Set<String> declared(String file, String pointer) {
    return names(ContractSchemas.tree(file).at(pointer));
  }
}
