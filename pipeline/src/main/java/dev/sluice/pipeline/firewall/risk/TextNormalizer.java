package dev.sluice.pipeline.firewall.risk;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Undoes the cheap disguises an injection wears before cues look at it: compatibility forms,
 * invisible characters, look-alike letters, spaced-out or leetspeak words, and encoded runs.
 *
 * <p>Every step is a single linear pass, so hostile input of any size costs time proportional to
 * its length. The result is only ever used for scoring; it is never shown to anyone.
 */
public final class TextNormalizer {

  /** Encoded runs shorter than this are too short to hide an instruction. */
  static final int MIN_ENCODED_RUN = 16;

  /** Decoding stops after this many segments so a chunk of base64 noise stays cheap. */
  static final int MAX_DECODED_SEGMENTS = 16;

  /** A decoded run longer than this is read only up to here. */
  static final int MAX_DECODED_CHARS = 4_096;

  private TextNormalizer() {}

  /**
   * The text as the cues see it.
   *
   * @param text normalised, lower-cased text with line structure kept
   * @param squashed letters only (no spaces or punctuation), to catch "i g n o r e" and "ign.ore"
   * @param decoded text decoded from base64, hex or percent-encoded runs, normalised the same way
   */
  public record NormalizedText(String text, String squashed, List<String> decoded) {
    public NormalizedText {
      java.util.Objects.requireNonNull(text, "text");
      java.util.Objects.requireNonNull(squashed, "squashed");
      decoded = List.copyOf(decoded);
    }

    @Override
    public String toString() {
      return "NormalizedText[chars=" + text.length() + ", decoded=" + decoded.size() + "]";
    }
  }

  /** Normalises {@code raw} and decodes any encoded runs in it (one level deep). */
  public static NormalizedText normalize(String raw) {
    String text = fold(raw);
    List<String> decoded = new ArrayList<>();
    for (String segment : decodeRuns(raw)) {
      decoded.add(fold(segment));
    }
    return new NormalizedText(text, squash(text), decoded);
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

  /** Decoded text of base64, hex and percent-encoded runs that turn out to be readable text. */
  static List<String> decodeRuns(String raw) {
    List<String> found = new ArrayList<>();
    int n = raw.length();
    int i = 0;
    while (i < n && found.size() < MAX_DECODED_SEGMENTS) {
      char c = raw.charAt(i);
      if (c == '%' || isBase64Char(c)) {
        int end = i;
        int percents = 0;
        boolean allHex = true;
        boolean hasPercent = false;
        while (end < n) {
          char d = raw.charAt(end);
          if (d == '%' && end + 2 < n + 0 && isHex(raw, end + 1) && isHex(raw, end + 2)) {
            percents++;
            hasPercent = true;
            end += 3;
            continue;
          }
          if (isBase64Char(d) || d == '=' || (hasPercent && isUrlTextChar(d))) {
            if (!isHexChar(d)) {
              allHex = false;
            }
            end++;
            continue;
          }
          break;
        }
        int len = end - i;
        if (len >= MIN_ENCODED_RUN) {
          String run = raw.substring(i, Math.min(end, i + MAX_DECODED_CHARS * 2));
          String text = null;
          if (percents >= 3) {
            text = percentDecode(run);
          } else if (allHex && run.length() % 2 == 0) {
            text = hexDecode(run);
          } else if (!hasPercent) {
            text = base64Decode(run);
          }
          if (text != null && isMostlyPrintableText(text)) {
            found.add(
                text.length() > MAX_DECODED_CHARS ? text.substring(0, MAX_DECODED_CHARS) : text);
          }
        }
        i = Math.max(end, i + 1);
      } else {
        i++;
      }
    }
    return found;
  }

  private static boolean isBase64Char(char c) {
    return (c >= 'A' && c <= 'Z')
        || (c >= 'a' && c <= 'z')
        || (c >= '0' && c <= '9')
        || c == '+'
        || c == '/'
        || c == '-'
        || c == '_';
  }

  private static boolean isUrlTextChar(char c) {
    return c == '.' || c == '~' || c == '!' || c == '\'' || c == '(' || c == ')' || c == '*';
  }

  private static boolean isHexChar(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  private static boolean isHex(String s, int i) {
    return i < s.length() && isHexChar(s.charAt(i));
  }

  private static String percentDecode(String run) {
    byte[] bytes = new byte[run.length()];
    int n = 0;
    for (int i = 0; i < run.length(); i++) {
      char c = run.charAt(i);
      if (c == '%' && i + 2 < run.length() + 0 && isHex(run, i + 1) && isHex(run, i + 2)) {
        bytes[n++] = (byte) Integer.parseInt(run.substring(i + 1, i + 3), 16);
        i += 2;
      } else if (c == '+') {
        bytes[n++] = ' ';
      } else {
        bytes[n++] = (byte) c;
      }
    }
    return new String(bytes, 0, n, StandardCharsets.UTF_8);
  }

  private static String hexDecode(String run) {
    byte[] bytes = new byte[run.length() / 2];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) Integer.parseInt(run.substring(2 * i, 2 * i + 2), 16);
    }
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static String base64Decode(String run) {
    String body = run;
    int pad = body.indexOf('=');
    if (pad >= 0) {
      body = body.substring(0, pad);
    }
    if (body.length() < MIN_ENCODED_RUN) {
      return null;
    }
    boolean urlSafe = body.indexOf('-') >= 0 || body.indexOf('_') >= 0;
    if (urlSafe && (body.indexOf('+') >= 0 || body.indexOf('/') >= 0)) {
      return null;
    }
    // Drop a dangling sixth bit group so a run cut mid-quantum still decodes.
    int usable = body.length() - (body.length() % 4 == 1 ? 1 : 0);
    try {
      Base64.Decoder decoder = urlSafe ? Base64.getUrlDecoder() : Base64.getDecoder();
      byte[] bytes =
          decoder.decode(padTo4(body.substring(0, usable)).getBytes(StandardCharsets.US_ASCII));
      return new String(bytes, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static String padTo4(String s) {
    int rem = s.length() % 4;
    return rem == 0 ? s : s + "==".substring(0, 4 - rem);
  }

  /**
   * Decoded bytes count as text when nearly all are printable and they contain words; this keeps
   * identifiers, hashes and binary blobs that merely look like base64 out of the scored text.
   */
  static boolean isMostlyPrintableText(String s) {
    if (s.isEmpty()) {
      return false;
    }
    int printable = 0;
    int letters = 0;
    int spaces = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == ' ') {
        spaces++;
      }
      if (Character.isLetter(c)) {
        letters++;
      }
      if ((c >= 0x20 && c < 0x7F) || c == '\n' || c == '\t' || (c > 0xA0 && c != 0xFFFD)) {
        printable++;
      }
    }
    return printable >= 0.95 * s.length() && letters >= 0.6 * s.length() && spaces >= 1;
  }
}
