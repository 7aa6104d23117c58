package dev.sluice.pipeline.stage;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.schemas.StageName;
import dev.sluice.schemas.chat.ChatRequest;
import dev.sluice.schemas.chat.ChatRequests;
import dev.sluice.schemas.chat.InvalidChatRequest;
import dev.sluice.schemas.reply.ErrorCode;
import java.util.List;

/**
 * The first half of validation: the raw request JSON of an envelope must be a well-formed chat
 * request. The ingress checked it already for HTTP callers; envelopes produced straight to a topic
 * are checked only here.
 */
public final class ValidateShape {
  public static final StageName STAGE = StageName.VALIDATE;

  private ValidateShape() {}

  /** A typed request, or the refusal that says what is wrong with it. */
  public sealed interface Result permits Valid, Invalid {}

  public record Valid(ChatRequest request) implements Result {}

  public record Invalid(Refusal refusal) implements Result {}

  public static Result apply(JsonNode raw) {
    if (raw == null || raw.isNull() || raw.isMissingNode()) {
      return new Invalid(
          Refusal.of(STAGE, ErrorCode.INVALID_REQUEST, "the envelope has no request"));
    }
    try {
      return new Valid(ChatRequests.parse(raw));
    } catch (InvalidChatRequest e) {
      ErrorCode code = ErrorCode.fromCode(e.code());
      return new Invalid(
          new Refusal(STAGE, code, code.error(e.getMessage(), e.param(), List.of()), null));
    }
  }
}
