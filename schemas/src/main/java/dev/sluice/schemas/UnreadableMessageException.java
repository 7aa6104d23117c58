package dev.sluice.schemas;

/**
 * Bytes that are not a valid message of the expected contract. The message names the contract and
 * what broke, never the input, and carries no cause (a cause's message may quote the input).
 */
public final class UnreadableMessageException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public UnreadableMessageException(String message) {
    super(message);
  }
}
