package dev.sluice.schemas.chat;

/**
 * A chat request that does not have the contract's shape. The message names the field, never its
 * value (values are prompts).
 */
public final class InvalidChatRequest extends Exception {
  private static final long serialVersionUID = 1L;

  private final String code;
  private final String param;

  public InvalidChatRequest(String code, String param, String message) {
    super(message, null, false, false);
    this.code = code;
    this.param = param;
  }

  /** The error code of the gateway's error table, e.g. {@code invalid_request}. */
  public String code() {
    return code;
  }

  /** The offending field as a JSON path, e.g. {@code messages[2].content}; may be null. */
  public String param() {
    return param;
  }
}
