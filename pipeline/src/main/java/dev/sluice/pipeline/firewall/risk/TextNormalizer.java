package dev.sluice.pipeline.firewall.risk;

import dev.sluice.pipeline.shadow.EncodedRuns;
import dev.sluice.pipeline.shadow.HiddenText;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;

/**
 * Undoes the cheap disguises an injection wears before cues look at it: compatibility forms,
 * invisible characters, look-alike letters, spaced-out or leetspeak words, and encoded runs.
 *
 * <p>Every step is a single linear pass, so hostile input of any size costs time proportional to
 * its length. The result is only ever used for scoring; it is never shown to anyone.
 */
public final class TextNormalizer {

  /**
   * Carriers whose hidden text is scored on its own; any further ones are read only as part of the
   * text a model sees (see {@link NormalizedText#decoded()}).
   */
  static final int MAX_HIDDEN_SEGMENTS = 16;

  /** Decoded texts scored per text; any further ones are not, so base64 noise stays cheap. */
  static final int MAX_DECODED_SEGMENTS = 16;

  /** A decoded text longer than this is scored only up to here. */
  static final int MAX_DECODED_CHARS = 4_096;

  /** What the decoder may decode in all, at every depth: 16 texts of 4,096 and more to undo. */
  static final int MAX_TOTAL_CHARS = 64 * 1024;

  /**
   * {@code \\u} escapes are read with 160 characters of plain text on each side, so that one
   * escaped word is scored in its sentence; percent-encoding is a link's, read as its own word, and
   * needs three {@code %XX} at least, since a link's {@code %20} hides nothing.
   */
  private static final EncodedRuns.Reading SENTENCES =
      new EncodedRuns.Reading(
          new EncodedRuns.Context(160, 160), new EncodedRuns.Context(0, 0), 3, MAX_TOTAL_CHARS);

  private TextNormalizer() {}

  /** Hidden bytes that spell no letter or digit (stray control codes) hide no text. */
  private static boolean hidesText(String hidden) {
    for (int i = 0; i < hidden.length(); i++) {
      if (Character.isLetterOrDigit(hidden.charAt(i))) {
        return true;
      }
    }
    return false;
  }

  /**
   * The text as the cues see it.
   *
   * @param text normalised, lower-cased text with line structure kept
   * @param squashed letters only (no spaces or punctuation), to catch "i g n o r e" and "ign.ore"
   * @param decoded text decoded from encoded runs of the text or of its hidden text, normalised the
   *     same way; with two or more carriers, also the text as a model reads it, every carrier
   *     replaced by what it hides, since an instruction can be split across carriers
   * @param hidden what each invisible carrier (tag characters, variation-selector runs) hides,
   *     normalised, one entry per carrier that hides text
   */
  public record NormalizedText(
      String text, String squashed, List<String> decoded, List<String> hidden) {
    public NormalizedText {
      java.util.Objects.requireNonNull(text, "text");
      java.util.Objects.requireNonNull(squashed, "squashed");
      decoded = List.copyOf(decoded);
      hidden = List.copyOf(hidden);
    }

    @Override
    public String toString() {
      return "NormalizedText[chars="
          + text.length()
          + ", decoded="
          + decoded.size()
          + ", hidden="
          + hidden.size()
          + "]";
    }
  }

  /**
   * Normalises {@code raw}, reads what its invisible carriers hide and decodes its encoded runs
   * (see {@link #decodeRuns(String)}).
   */
  public static NormalizedText normalize(String raw) {
    // fold() drops the carriers with every other invisible character; the model still reads them.
    List<String> hidden = new ArrayList<>();
    List<String> decoded = new ArrayList<>();
    if (HiddenText.hasCarrier(raw)) {
      List<HiddenText.Carrier> carriers = HiddenText.carriers(raw);
      StringBuilder revealed = new StringBuilder(raw.length());
      int at = 0;
      for (HiddenText.Carrier carrier : carriers) {
        revealed.append(raw, at, carrier.start()).append(carrier.hidden());
        at = carrier.end();
        if (hidden.size() < MAX_HIDDEN_SEGMENTS && hidesText(carrier.hidden())) {
          hidden.add(fold(carrier.hidden()));
          for (String segment : decodeRuns(carrier.hidden())) {
            decoded.add(fold(segment));
          }
        }
      }
      if (carriers.size() > 1 && !hidden.isEmpty()) {
        decoded.add(fold(revealed.append(raw, at, raw.length()).toString()));
      }
    }
    for (String segment : decodeRuns(raw)) {
      decoded.add(fold(segment));
    }
    String text = fold(raw);
    return new NormalizedText(text, squash(text), decoded, hidden);
  }

  /**
   * NFKC, then drops format (zero-width, bidi) and combining characters, folds confusable letters
   * to Latin, lower-cases, rejoins spaced-out letters and reads leetspeak inside words.
   */
  public static String fold(String raw) {
    // NFD after NFKC splits accents off so "ïgnöre" reads as "ignore". Plain ASCII needs neither.
    String nfd =
        isAscii(raw)
            ? raw
            : Normalizer.normalize(
                Normalizer.normalize(raw, Normalizer.Form.NFKC), Normalizer.Form.NFD);
    StringBuilder out = new StringBuilder(nfd.length());
    for (int i = 0; i < nfd.length(); ) {
      int cp = nfd.codePointAt(i);
      i += Character.charCount(cp);
      int type = Character.getType(cp);
      if (type == Character.FORMAT
          || type == Character.NON_SPACING_MARK
          || type == Character.ENCLOSING_MARK
          || (cp >= 0xFE00 && cp <= 0xFE0F)) {
        continue;
      }
      if (cp == '\r') {
        continue;
      }
      if (cp == '\u00A0' || cp == '\u3000' || (cp != '\n' && Character.isSpaceChar(cp))) {
        out.append(' ');
        continue;
      }
      int folded = Confusables.toLatin(cp);
      if (folded == '\u00DF' || folded == '\u1E9E') {
        out.append("ss"); // German sharp s: "vergiß" is "vergiss", "außer" is "ausser"
        continue;
      }
      out.appendCodePoint(Character.toLowerCase(folded));
    }
    return readLeetspeak(joinSpacedLetters(out.toString()));
  }

  private static boolean isAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) >= 0x80) {
        return false;
      }
    }
    return true;
  }

  /** Letters only: what remains when every space, digit and punctuation trick is taken away. */
  static String squash(String folded) {
    StringBuilder out = new StringBuilder(folded.length());
    for (int i = 0; i < folded.length(); i++) {
      char c = folded.charAt(i);
      if (c >= 'a' && c <= 'z') {
        out.append(c);
      }
    }
    return out.toString();
  }

  /**
   * "i g n o r e" and "i-g-n-o-r-e" become "ignore": three or more single letters separated by one
   * space or one punctuation mark are joined. A wider gap (two spaces, " / ") stays a word break.
   */
  static String joinSpacedLetters(String s) {
    StringBuilder out = new StringBuilder(s.length());
    int n = s.length();
    int i = 0;
    while (i < n) {
      if (isSingleLetterAt(s, i)) {
        int j = i;
        int letters = 1;
        // Walk letter, separator, letter, separator...
        while (j + 2 < n && isSeparator(s.charAt(j + 1)) && isSingleLetterAt(s, j + 2)) {
          j += 2;
          letters++;
        }
        if (letters >= 3) {
          for (int k = i; k <= j; k += 2) {
            out.append(s.charAt(k));
          }
          i = j + 1;
          continue;
        }
      }
      out.append(s.charAt(i));
      i++;
    }
    return out.toString();
  }

  private static boolean isSingleLetterAt(String s, int i) {
    char c = s.charAt(i);
    if (!Character.isLetter(c)) {
      return false;
    }
    boolean leftOk = i == 0 || !Character.isLetterOrDigit(s.charAt(i - 1));
    boolean rightOk = i + 1 >= s.length() || !Character.isLetterOrDigit(s.charAt(i + 1));
    return leftOk && rightOk;
  }

  private static boolean isSeparator(char c) {
    return c == ' ' || c == '.' || c == '-' || c == '_' || c == '*' || c == '|' || c == '/';
  }

  /**
   * Reads digits and symbols as letters inside a word that already holds at least two letters
   * ("1gn0re", "pr3v10us"); plain numbers and identifiers like "v2" are left alone.
   */
  static String readLeetspeak(String s) {
    StringBuilder out = null;
    int n = s.length();
    int start = 0;
    while (start < n) {
      int end = start;
      while (end < n && isWordChar(s.charAt(end))) {
        end++;
      }
      if (end > start && end - start <= 40 && isLeetWord(s, start, end)) {
        if (out == null) {
          out = new StringBuilder(s.length());
          out.append(s, 0, start);
        }
        for (int k = start; k < end; k++) {
          out.append(leetLetter(s.charAt(k)));
        }
      } else if (out != null) {
        out.append(s, start, end);
      }
      if (end < n) {
        if (out != null) {
          out.append(s.charAt(end));
        }
        end++;
      }
      start = end;
    }
    return out == null ? s : out.toString();
  }

  private static boolean isWordChar(char c) {
    // '@' is not read as 'a': it would break e-mail addresses, which exfiltration cues look for.
    return Character.isLetterOrDigit(c) || c == '$';
  }

  private static boolean isLeetWord(String s, int start, int end) {
    int letters = 0;
    int leet = 0;
    for (int k = start; k < end; k++) {
      char c = s.charAt(k);
      if (c >= 'a' && c <= 'z') {
        letters++;
      } else if (leetLetter(c) != c) {
        leet++;
      } else {
        return false; // other digits or non-Latin letters: not leetspeak
      }
    }
    // "$5" is not leetspeak; a symbol at the start of a word is not a letter.
    return leet > 0 && letters >= 2 && s.charAt(start) != '$';
  }

  private static char leetLetter(char c) {
    switch (c) {
      case '0':
        return 'o';
      case '1':
        return 'i';
      case '3':
        return 'e';
      case '4':
        return 'a';
      case '5':
        return 's';
      case '7':
        return 't';
      case '$':
        return 's';
      default:
        return c;
    }
  }

  /**
   * Text hidden in encoded runs of {@code raw} (base64, also wrapped in lines, hex,
   * percent-encoding, {@code \\uXXXX} escapes, and those nested up to three layers deep; see {@link
   * EncodedRuns}), for the runs that decode to readable text, each run before what was decoded from
   * it. An escaped passage is scored whatever it reads as: the plain text around it is text
   * already, and the escapes were written on purpose. At most {@value #MAX_DECODED_SEGMENTS} texts
   * of {@value #MAX_DECODED_CHARS} characters.
   */
  static List<String> decodeRuns(String raw) {
    List<String> found = new ArrayList<>();
    for (EncodedRuns.Decoded d : EncodedRuns.decode(raw, SENTENCES)) {
      String text = d.text().text();
      if (text.length() > MAX_DECODED_CHARS) {
        int cut = MAX_DECODED_CHARS;
        text = text.substring(0, Character.isHighSurrogate(text.charAt(cut - 1)) ? cut - 1 : cut);
      }
      if (d.encoding() == EncodedRuns.Encoding.ESCAPES) {
        // Form encoding (a browser's query string) writes a space as '+'.
        found.add(text.replace('+', ' '));
      } else if (isMostlyPrintableText(text)) {
        found.add(text);
      }
      if (found.size() == MAX_DECODED_SEGMENTS) {
        break;
      }
    }
    return found;
  }

  /**
   * Decoded bytes count as text when nearly all are printable and they contain words (or Chinese,
   * which has no spaces); this keeps identifiers, hashes and binary blobs that merely look like
   * base64 out of the scored text.
   */
  static boolean isMostlyPrintableText(String s) {
    if (s.isEmpty()) {
      return false;
    }
    int printable = 0;
    int letters = 0;
    int spaces = 0;
    int ideographs = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == ' ') {
        spaces++;
      }
      if (Character.isLetter(c)) {
        letters++;
      }
      if (Character.isIdeographic(c)) {
        ideographs++;
      }
      if ((c >= 0x20 && c < 0x7F) || c == '\n' || c == '\t' || (c > 0xA0 && c != 0xFFFD)) {
        printable++;
      }
    }
    return printable >= 0.95 * s.length()
        && letters >= 0.6 * s.length()
        && (spaces >= 1 || ideographs >= 4);
  }
}
