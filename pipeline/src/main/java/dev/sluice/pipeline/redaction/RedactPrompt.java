package dev.sluice.pipeline.redaction;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.pipeline.stage.RequestStage;
import dev.sluice.pipeline.stage.StageDecision;
import dev.sluice.schemas.StageName;
import dev.sluice.schemas.chat.ChatMessage;
import dev.sluice.schemas.chat.ChatRequest;
import dev.sluice.schemas.chat.ChatRequests;
import dev.sluice.schemas.chat.CompletionOptions;
import dev.sluice.schemas.chat.FunctionDefinition;
import dev.sluice.schemas.chat.RagChunk;
import dev.sluice.schemas.chat.RagContext;
import dev.sluice.schemas.chat.Tool;
import dev.sluice.schemas.envelope.VerifiedRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * With {@code REDACT_PROMPTS}, cleans the messages, the retrieval context's chunks (their text, ids
 * and sources), the tools' descriptions and parameter schemas, the predicted output and a
 * structured-output schema with the same redactor before they leave for the provider, so PII and
 * secrets never reach it. The documents message the provider gets is built from the cleaned chunks
 * after this stage, and the citations list them as cleaned: what was sent. Tenants for which it is
 * off pass unchanged.
 */
public final class RedactPrompt implements RequestStage {
  public static final StageName STAGE = StageName.REDACT_PROMPT;

  private final Function<String, Redactor> redactorForTenant;

  /**
   * @param redactorForTenant the tenant's redactor, or null when the tenant's prompts are sent as
   *     they are
   */
  public RedactPrompt(Function<String, Redactor> redactorForTenant) {
    this.redactorForTenant = Objects.requireNonNull(redactorForTenant, "redactorForTenant");
  }

  @Override
  public StageName name() {
    return STAGE;
  }

  @Override
  public StageDecision apply(VerifiedRequest request, long nowMs) {
    Redactor redactor = redactorForTenant.apply(request.principal().tenant());
    if (redactor == null) {
      return new StageDecision.Pass(request);
    }
    ChatRequest chat = request.request();
    Map<String, Integer> counts = new HashMap<>();
    List<ChatMessage> messages = new ArrayList<>(chat.messages().size());
    for (ChatMessage message : chat.messages()) {
      messages.add(RedactAnswer.redact(redactor, message, false, counts).message());
    }
    RagContext context = chat.context() == null ? null : redact(redactor, chat.context(), counts);
    List<Tool> tools = chat.tools() == null ? null : redact(redactor, chat.tools(), counts);
    CompletionOptions options = redact(redactor, chat.options(), counts);
    if (counts.isEmpty()) {
      return new StageDecision.Pass(request);
    }
    return new StageDecision.Pass(
        request.withRequest(
            chat.withMessages(messages)
                .withContext(context)
                .withTools(tools)
                .withOptions(options)));
  }

  /** Each tool's description and the string values of its parameter schema; names stay. */
  private static List<Tool> redact(
      Redactor redactor, List<Tool> tools, Map<String, Integer> counts) {
    List<Tool> cleaned = new ArrayList<>(tools.size());
    for (Tool tool : tools) {
      FunctionDefinition function = tool.function();
      cleaned.add(
          new Tool(
              tool.type(),
              new FunctionDefinition(
                  function.name(),
                  redact(redactor, function.description(), counts),
                  ToolArguments.redactTree(redactor, function.parameters(), counts),
                  function.strict())));
    }
    return cleaned;
  }

  /**
   * The predicted output, and a structured-output schema's description and schema; the schema's
   * name stays (the provider requires its pattern), and so does everything else.
   */
  private static CompletionOptions redact(
      Redactor redactor, CompletionOptions options, Map<String, Integer> counts) {
    JsonNode prediction = ToolArguments.redactTree(redactor, options.prediction(), counts);
    JsonNode format = options.responseFormat();
    if (format != null && format.path("json_schema").isObject()) {
      ObjectNode cleaned = format.deepCopy();
      ObjectNode schema = (ObjectNode) cleaned.get("json_schema");
      if (schema.path("description").isTextual()) {
        schema.put("description", redact(redactor, schema.get("description").textValue(), counts));
      }
      if (schema.has("schema")) {
        schema.set("schema", ToolArguments.redactTree(redactor, schema.get("schema"), counts));
      }
      format = cleaned.equals(format) ? format : cleaned;
    }
    return prediction == options.prediction() && format == options.responseFormat()
        ? options
        : options.withModelReadJson(prediction, format);
  }

  private static RagContext redact(
      Redactor redactor, RagContext context, Map<String, Integer> counts) {
    List<RagChunk> chunks = new ArrayList<>(context.chunks().size());
    for (RagChunk chunk : context.chunks()) {
      chunks.add(
          new RagChunk(
              bounded(redact(redactor, chunk.id(), counts), ChatRequests.MAX_ID_CHARS),
              redact(redactor, chunk.content(), counts),
              bounded(redact(redactor, chunk.source(), counts), ChatRequests.MAX_SOURCE_CHARS)));
    }
    return new RagContext(
        bounded(redact(redactor, context.source(), counts), ChatRequests.MAX_SOURCE_CHARS), chunks);
  }

  /**
   * A redacted id or source cut back to the bound a request is read with: a marker can be longer
   * than what it replaced, and the request as the stages left it is kept (the pending-call store)
   * and read again through the same checks. Cutting keeps what was redacted redacted.
   */
  private static String bounded(String redacted, int maxChars) {
    return redacted == null || redacted.length() <= maxChars
        ? redacted
        : redacted.substring(0, maxChars);
  }

  private static String redact(Redactor redactor, String text, Map<String, Integer> counts) {
    if (text == null) {
      return null;
    }
    return redactor.redact(text, counts).text();
  }
}
