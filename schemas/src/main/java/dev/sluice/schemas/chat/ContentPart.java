package dev.sluice.schemas.chat;

import java.util.Objects;

/** One part of a message's content in OpenAI's array form. Only text parts exist for now. */
public record ContentPart(String type, String text) {
  public ContentPart {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(text, "text");
  }

  public static ContentPart text(String text) {
    return new ContentPart("text", text);
  }

  @Override
  public String toString() {
    return "ContentPart[type=" + type + ", chars=" + text.length() + "]";
  }
}
