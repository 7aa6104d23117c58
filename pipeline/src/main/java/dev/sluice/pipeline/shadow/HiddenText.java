package dev.sluice.pipeline.shadow;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Text carried by invisible characters: Unicode tag characters (U+E0000 block, an ASCII shadow
 * alphabet that renders as nothing) and runs of variation selectors (U+FE00–FE0F, U+E0100–E01EF),
 * which "emoji smuggling" uses to write one byte per selector after a visible character. A model
 * reads both; a person and a plain normaliser see nothing. The guardrails read what they hide, and
 * the gateway strips them before text is forwarded.
 *
 * <p>Legitimate uses are kept: one variation selector after a character (emoji or text
 * presentation, an ideographic variant), and the tag sequence of a subdivision flag (🏴 followed by
 * up to six tag letters or digits and the cancel tag, e.g. the flag of England). Linear in the
 * text.
 */
public final class HiddenText {

  /** A run of invisible characters at {@code [start, end)} of the text, and what it decodes to. */
  public record Carrier(Kind kind, int start, int end, String hidden) {
    public Carrier {
      java.util.Objects.requireNonNull(kind, "kind");
      java.util.Objects.requireNonNull(hidden, "hidden");
      if (start < 0 || end <= start) {
        throw new IllegalArgumentException("bad span " + start + ".." + end);
      }
    }

    @Override
    public String toString() {
      return "Carrier[" + kind + " " + start + ".." + end + ", hidden=" + hidden.length() + "]";
    }
  }

  /** Which alphabet hid the text. */
  public enum Kind {
    /** U+E0000 block: each tag character stands for the ASCII character U+E0000 below it. */
    TAGS,
    /** A run of two or more variation selectors: one byte each, decoded as UTF-8. */
    SELECTORS
  }

  /** The text with its carriers removed, and how many characters (code points) went. */
  public record Stripped(String text, int removed) {
    public Stripped {
      java.util.Objects.requireNonNull(text, "text");
    }

    public boolean changed() {
      return removed > 0;
    }

    @Override
    public String toString() {
      return "Stripped[chars=" + text.length() + ", removed=" + removed + "]";
    }
  }

  private static final int TAG_FIRST = 0xE0000;
  private static final int TAG_LAST = 0xE007F;
  private static final int CANCEL_TAG = 0xE007F;
  private static final int WAVING_BLACK_FLAG = 0x1F3F4;

  /** Subdivision codes are at most six characters ("gbsct" is five, "usca" four). */
  private static final int MAX_FLAG_TAGS = 6;

  private HiddenText() {}

  /** True when {@code s} holds a carrier. Cheap for text without supplementary characters. */
  public static boolean hasCarrier(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\uDB40' || (c >= '\uFE00' && c <= '\uFE0F')) {
        return !carriers(s).isEmpty();
      }
    }
    return false;
  }

  /** The carriers of {@code s}, in text order. */
  public static List<Carrier> carriers(String s) {
    List<Carrier> found = new ArrayList<>();
    int n = s.length();
    int i = 0;
    while (i < n) {
      int cp = s.codePointAt(i);
      if (isTag(cp)) {
        int end = tagRunEnd(s, i);
        if (!isSubdivisionFlag(s, i, end)) {
          found.add(new Carrier(Kind.TAGS, i, end, decodeTags(s, i, end)));
        }
        i = end;
      } else if (isSelector(cp)) {
        int end = i;
        int count = 0;
        while (end < n && isSelector(s.codePointAt(end))) {
          end += Character.charCount(s.codePointAt(end));
          count++;
        }
        if (count >= 2) {
          found.add(new Carrier(Kind.SELECTORS, i, end, decodeSelectors(s, i, end)));
        }
        i = end;
      } else {
        i += Character.charCount(cp);
      }
    }
    return found;
  }

  /** {@code s} without its carriers; the same instance when it has none. */
  public static Stripped strip(String s) {
    if (!hasCarrier(s)) {
      return new Stripped(s, 0);
    }
    StringBuilder out = new StringBuilder(s.length());
    int at = 0;
    int removed = 0;
    for (Carrier carrier : carriers(s)) {
      out.append(s, at, carrier.start());
      removed += s.codePointCount(carrier.start(), carrier.end());
      at = carrier.end();
    }
    out.append(s, at, s.length());
    return new Stripped(out.toString(), removed);
  }

  /**
   * What {@code carrier} (one of {@code s}'s) hides, each character mapped to the invisible
   * characters of {@code s} that wrote it: a tag character, or the selectors of its UTF-8 bytes.
   * The same text as {@link Carrier#hidden}.
   */
  public static MappedText reveal(String s, Carrier carrier) {
    MappedText.Builder out = new MappedText.Builder(carrier.hidden().length());
    if (carrier.kind() == Kind.TAGS) {
      for (int i = carrier.start(); i < carrier.end(); i += 2) {
        int ascii = s.codePointAt(i) - TAG_FIRST;
        if (ascii >= 0x20 && ascii < 0x7F) {
          out.append((char) ascii, i, i + 2);
        }
      }
    } else if (!carrier.hidden().isEmpty()) {
      Utf8Sink sink = Utf8Sink.strict(out);
      for (int i = carrier.start(); i < carrier.end(); ) {
        int cp = s.codePointAt(i);
        int len = Character.charCount(cp);
        sink.put(cp <= 0xFE0F ? cp - 0xFE00 : cp - 0xE0100 + 16, i, i + len);
        i += len;
      }
    }
    return out.build();
  }

  static boolean isTag(int cp) {
    return cp >= TAG_FIRST && cp <= TAG_LAST;
  }

  static boolean isSelector(int cp) {
    return (cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0xE0100 && cp <= 0xE01EF);
  }

  private static int tagRunEnd(String s, int from) {
    int end = from;
    while (end < s.length() && isTag(s.codePointAt(end))) {
      end += 2;
    }
    return end;
  }

  /** 🏴 + tag letters/digits + cancel tag, as Unicode defines subdivision flags. */
  private static boolean isSubdivisionFlag(String s, int start, int end) {
    if (start < 2 || s.codePointAt(start - 2) != WAVING_BLACK_FLAG) {
      return false;
    }
    int tags = (end - start) / 2;
    if (tags < 2 || tags > MAX_FLAG_TAGS + 1 || s.codePointAt(end - 2) != CANCEL_TAG) {
      return false;
    }
    for (int i = start; i < end - 2; i += 2) {
      int ascii = s.codePointAt(i) - TAG_FIRST;
      if (!((ascii >= 'a' && ascii <= 'z') || (ascii >= '0' && ascii <= '9'))) {
        return false;
      }
    }
    return true;
  }

  private static String decodeTags(String s, int start, int end) {
    StringBuilder hidden = new StringBuilder((end - start) / 2);
    for (int i = start; i < end; i += 2) {
      int ascii = s.codePointAt(i) - TAG_FIRST;
      // U+E0001 (language tag) and U+E007F (cancel) stand for no printable character
      if (ascii >= 0x20 && ascii < 0x7F) {
        hidden.append((char) ascii);
      }
    }
    return hidden.toString();
  }

  /** Selector k of U+FE00–FE0F is byte k, of U+E0100–E01EF byte 16 + k; the bytes are UTF-8. */
  private static String decodeSelectors(String s, int start, int end) {
    ByteBuffer bytes = ByteBuffer.allocate(end - start);
    for (int i = start; i < end; ) {
      int cp = s.codePointAt(i);
      bytes.put((byte) (cp <= 0xFE0F ? cp - 0xFE00 : cp - 0xE0100 + 16));
      i += Character.charCount(cp);
    }
    bytes.flip();
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(bytes)
          .toString();
    } catch (CharacterCodingException e) {
      // Not UTF-8: still a carrier (and still stripped), but it hides no text a guardrail can read.
      return "";
    }
  }
}
