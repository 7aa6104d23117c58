package dev.sluice.pipeline.firewall;

import dev.sluice.pipeline.shadow.HiddenText;
import dev.sluice.schemas.chat.ChatMessage;
import dev.sluice.schemas.chat.ChatRequest;
import dev.sluice.schemas.chat.ContentPart;
import dev.sluice.schemas.chat.FunctionCall;
import dev.sluice.schemas.chat.RagChunk;
import dev.sluice.schemas.chat.RagContext;
import dev.sluice.schemas.chat.ToolCall;
import java.util.ArrayList;
import java.util.List;

/**
 * The invisible carriers of text ({@link HiddenText}) in the caller's strings that reach the model:
 * every text part of every message (tool results included), a message's {@code name}, its tool
 * calls' ids, names and arguments and the {@code tool_call_id} it answers, and the context's source
 * and each chunk's id, content and source. The firewall counts them to flag the request; the
 * provider's copy of the request is built without them.
 *
 * <p>Tool-call arguments are JSON text: a carrier is stripped where it stands, which never touches
 * a quote or an escape. Tool definitions and options are not read here: the firewall refuses
 * carriers in them ({@link InstructionText}). Linear in the request's text.
 */
public final class RequestCarriers {
  private RequestCarriers() {}

  /** How many characters (code points) of carriers the request's strings hold. */
  public static int count(ChatRequest request) {
    int hidden = 0;
    for (ChatMessage message : request.messages()) {
      for (ContentPart part : message.content()) {
        hidden += count(part.text());
      }
      hidden += count(message.name()) + count(message.toolCallId());
      for (ToolCall call : message.toolCalls()) {
        hidden +=
            count(call.id()) + count(call.function().name()) + count(call.function().arguments());
      }
    }
    RagContext context = request.context();
    if (context != null) {
      hidden += count(context.source());
      for (RagChunk chunk : context.chunks()) {
        hidden += count(chunk.id()) + count(chunk.content()) + count(chunk.source());
      }
    }
    return hidden;
  }

  /** The request with every carrier removed; the same instance when it holds none. */
  public static ChatRequest strip(ChatRequest request) {
    if (count(request) == 0) {
      return request;
    }
    List<ChatMessage> messages = new ArrayList<>(request.messages().size());
    for (ChatMessage message : request.messages()) {
      messages.add(strip(message));
    }
    RagContext context = request.context();
    return request.withMessages(messages).withContext(context == null ? null : strip(context));
  }

  /** The message with every carrier removed; the same instance when it holds none. */
  public static ChatMessage strip(ChatMessage message) {
    List<ContentPart> parts = new ArrayList<>(message.content().size());
    for (ContentPart part : message.content()) {
      parts.add(new ContentPart(part.type(), strip(part.text())));
    }
    List<ToolCall> calls = new ArrayList<>(message.toolCalls().size());
    for (ToolCall call : message.toolCalls()) {
      calls.add(
          new ToolCall(
              strip(call.id()),
              call.type(),
              new FunctionCall(strip(call.function().name()), strip(call.function().arguments()))));
    }
    ChatMessage stripped =
        new ChatMessage(
            message.role(),
            parts,
            message.stringForm(),
            strip(message.name()),
            calls,
            strip(message.toolCallId()));
    return stripped.equals(message) ? message : stripped;
  }

  /**
   * The context with every carrier removed from its source and its chunks' ids, text and sources.
   */
  public static RagContext strip(RagContext context) {
    List<RagChunk> chunks = new ArrayList<>(context.chunks().size());
    for (RagChunk chunk : context.chunks()) {
      chunks.add(new RagChunk(strip(chunk.id()), strip(chunk.content()), strip(chunk.source())));
    }
    RagContext stripped = new RagContext(strip(context.source()), chunks);
    return stripped.equals(context) ? context : stripped;
  }

  /** How many characters (code points) of carriers {@code text} holds; 0 for null. */
  public static int count(String text) {
    if (text == null || !HiddenText.hasCarrier(text)) {
      return 0;
    }
    int hidden = 0;
    for (HiddenText.Carrier carrier : HiddenText.carriers(text)) {
      hidden += text.codePointCount(carrier.start(), carrier.end());
    }
    return hidden;
  }

  private static String strip(String text) {
    return text == null ? null : HiddenText.strip(text).text();
  }
}
