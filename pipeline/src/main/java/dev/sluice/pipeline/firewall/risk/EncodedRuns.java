package dev.sluice.pipeline.firewall.risk;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Decodes the encoded runs of a text, layer after layer: base64 (standard, URL-safe, wrapped in
 * lines), hex, percent-encoding and {@code \}{@code uXXXX} escapes, and what they decode to when
 * that is itself encoded (base64 of base64, percent-encoding applied twice). Used only through
 * {@link TextNormalizer#decodeRuns(String)}: this class is the firewall's own decoder until the
 * shared decoder of {@code dev.sluice.pipeline.shadow} replaces both.
 *
 * <p>Bounded everywhere: {@link #MAX_DEPTH} layers, {@link #MAX_DECODED_SEGMENTS} results of at
 * most {@link #MAX_DECODED_CHARS} each, {@link #MAX_TOTAL_CHARS} decoded characters kept in all
 * layers together; every layer is one linear scan.
 */
final class EncodedRuns {

  /** Encoded runs shorter than this are too short to hide an instruction. */
  static final int MIN_ENCODED_RUN = 16;

  /** Decoding stops after this many results so a chunk of base64 noise stays cheap. */
  static final int MAX_DECODED_SEGMENTS = 16;

  /** A decoded run longer than this is read only up to here. */
  static final int MAX_DECODED_CHARS = 4_096;

  /** Layers of encoding undone: base64 of base64 of hex is the deepest read. */
  static final int MAX_DEPTH = 3;

  /** Characters decoded and kept (to score or to decode again) over all layers. */
  static final int MAX_TOTAL_CHARS = 64 * 1024;

  /** Escapes closer than this belong to one escaped passage. */
  private static final int ESCAPE_GAP = 64;

  /**
   * Plain text kept on each side of an escaped passage, so that one escaped word is scored in the
   * sentence around it.
   */
  private static final int ESCAPE_CONTEXT = 160;

  /** Base64 wrapped in lines (MIME, PEM) continues on the next line after a full line. */
  private static final int MIN_WRAPPED_LINE = 40;

  private EncodedRuns() {}

  /** A decoded run; {@code text} when it reads as text and is worth scoring. */
  private record Decoded(String value, boolean text) {}

  private record Layer(String text, int depth) {}

  /** The decoded runs of {@code raw} that read as text, outermost layer first. */
  static List<String> decode(String raw) {
    List<String> found = new ArrayList<>();
    ArrayDeque<Layer> pending = new ArrayDeque<>();
    pending.add(new Layer(raw, 0));
    int budget = MAX_TOTAL_CHARS;
    while (!pending.isEmpty() && found.size() < MAX_DECODED_SEGMENTS && budget > 0) {
      Layer layer = pending.poll();
      for (Decoded decoded : decodeLayer(layer.text())) {
        if (found.size() >= MAX_DECODED_SEGMENTS || budget <= 0) {
          break;
        }
        String value = decoded.value();
        budget -= value.length();
        if (decoded.text()) {
          found.add(value);
        }
        if (layer.depth() + 1 < MAX_DEPTH && mayHoldMore(value)) {
          pending.add(new Layer(value, layer.depth() + 1));
        }
      }
    }
    return found;
  }

  /**
   * One layer: every escaped passage and every base64, hex or percent-encoded run of {@code s},
   * decoded. Only results that read as text or may hold another layer are returned.
   */
  private static List<Decoded> decodeLayer(String s) {
    List<Decoded> out = new ArrayList<>();
    int limit = 2 * MAX_DECODED_SEGMENTS;
    escapedPassages(s, out, limit);
    int n = s.length();
    int i = 0;
    while (i < n && out.size() < limit) {
      char c = s.charAt(i);
      if (c != '%' && !isBase64Char(c)) {
        i++;
        continue;
      }
      int end = i;
      int percents = 0;
      int lineLength = 0;
      boolean allHex = true;
      boolean hasPercent = false;
      boolean wrapped = false;
      while (end < n) {
        char d = s.charAt(end);
        if (d == '%' && isHex(s, end + 1) && isHex(s, end + 2)) {
          percents++;
          hasPercent = true;
          end += 3;
          continue;
        }
        if (isBase64Char(d) || d == '=' || (hasPercent && isUrlTextChar(d))) {
          allHex &= isHexChar(d);
          lineLength++;
          end++;
          continue;
        }
        int next = d == '\r' && end + 1 < n && s.charAt(end + 1) == '\n' ? end + 2 : end + 1;
        if ((d == '\n' || d == '\r')
            && !hasPercent
            && lineLength >= MIN_WRAPPED_LINE
            && lineLength % 4 == 0
            && isWrappedLine(s, next)) {
          wrapped = true;
          lineLength = 0;
          end = next;
          continue;
        }
        break;
      }
      if (end - i >= MIN_ENCODED_RUN) {
        // Percent-encoding is the widest encoding, three characters a byte.
        String run = s.substring(i, Math.min(end, i + MAX_DECODED_CHARS * 3));
        String decoded = null;
        if (percents >= 3) {
          decoded = percentDecode(run);
          if (decoded.indexOf('+') >= 0
              && decoded.indexOf(' ') < 0
              && !isMostlyPrintableText(decoded)
              && isMostlyPrintableText(decoded.replace('+', ' '))) {
            // Form encoding's '+' for a space arrives as %2B when the text was encoded twice.
            decoded = decoded.replace('+', ' ');
          }
        } else if (allHex && !wrapped && run.length() % 2 == 0) {
          decoded = hexDecode(run);
        } else if (!hasPercent) {
          decoded = base64Decode(wrapped ? run.replace("\r", "").replace("\n", "") : run);
        }
        keep(decoded, out);
      }
      i = Math.max(end, i + 1);
    }
    return out;
  }

  /** Whether the line at {@code from} is more of a wrapped base64 run: base64 to its end. */
  private static boolean isWrappedLine(String s, int from) {
    int k = from;
    while (k < s.length() && (isBase64Char(s.charAt(k)) || s.charAt(k) == '=')) {
      k++;
    }
    return k - from >= 4 && (k == s.length() || s.charAt(k) == '\n' || s.charAt(k) == '\r');
  }

  private static void keep(String decoded, List<Decoded> out) {
    if (decoded == null || decoded.isEmpty()) {
      return;
    }
    String value =
        decoded.length() > MAX_DECODED_CHARS ? decoded.substring(0, MAX_DECODED_CHARS) : decoded;
    boolean text = isMostlyPrintableText(value);
    if (text || mayHoldMore(value)) {
      out.add(new Decoded(value, text));
    }
  }

  /**
   * Passages with {@code \}{@code uXXXX} escapes (JSON, Java, JavaScript), each decoded with the
   * plain text around it; a surrogate pair becomes its character, a lone surrogate U+FFFD.
   */
  private static void escapedPassages(String s, List<Decoded> out, int limit) {
    int n = s.length();
    int from = 0;
    while (out.size() < limit) {
      int first = nextEscape(s, from);
      if (first < 0) {
        return;
      }
      int last = escapeEnd(s, first);
      int next;
      // An escape is six characters for one: a passage decodes to at most MAX_DECODED_CHARS.
      while (last - first < MAX_DECODED_CHARS * 6
          && (next = nextEscape(s, last)) >= 0
          && next - last <= ESCAPE_GAP) {
        last = escapeEnd(s, next);
      }
      int start = Math.max(from, first - ESCAPE_CONTEXT);
      int end = Math.min(n, last + ESCAPE_CONTEXT);
      String decoded = unescape(s, start, end);
      if (decoded.length() > MAX_DECODED_CHARS) {
        decoded = decoded.substring(0, MAX_DECODED_CHARS);
      }
      out.add(new Decoded(decoded, true));
      from = last;
    }
  }

  /** Start of the next {@code \}{@code u+XXXX} escape at or after {@code from}, or -1. */
  private static int nextEscape(String s, int from) {
    int k = s.indexOf('\\', from);
    while (k >= 0) {
      if (escapeEnd(s, k) > k) {
        return k;
      }
      k = s.indexOf('\\', k + 1);
    }
    return -1;
  }

  /** End of the escape at {@code k}, or {@code k} when none starts there. Java allows "\\uuuu". */
  private static int escapeEnd(String s, int k) {
    int j = k + 1;
    int us = 0;
    while (j < s.length() && s.charAt(j) == 'u' && us < 4) {
      j++;
      us++;
    }
    if (us == 0 || j + 4 > s.length()) {
      return k;
    }
    for (int h = j; h < j + 4; h++) {
      if (!isHexChar(s.charAt(h))) {
        return k;
      }
    }
    return j + 4;
  }

  private static String unescape(String s, int start, int end) {
    StringBuilder out = new StringBuilder(end - start);
    int k = start;
    while (k < end) {
      char c = s.charAt(k);
      int escape = c == '\\' ? escapeEnd(s, k) : k;
      if (escape > k && escape <= end) {
        out.append((char) Integer.parseInt(s.substring(escape - 4, escape), 16));
        k = escape;
      } else if (c == '\\' && k + 1 < end && "nrt\"/\\".indexOf(s.charAt(k + 1)) >= 0) {
        char e = s.charAt(k + 1);
        out.append(e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? ' ' : e);
        k += 2;
      } else {
        out.append(c);
        k++;
      }
    }
    for (int i = 0; i < out.length(); i++) {
      char c = out.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < out.length()
          && Character.isLowSurrogate(out.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        out.setCharAt(i, '\uFFFD');
      }
    }
    return out.toString();
  }

  /** Whether {@code s} may hold another layer: an escape, three %xx, or a long base64 run. */
  private static boolean mayHoldMore(String s) {
    int percents = 0;
    int run = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%' && isHex(s, i + 1) && isHex(s, i + 2) && ++percents >= 3) {
        return true;
      }
      if (c == '\\' && escapeEnd(s, i) > i) {
        return true;
      }
      run = isBase64Char(c) || c == '=' ? run + 1 : 0;
      if (run >= MIN_ENCODED_RUN) {
        return true;
      }
    }
    return false;
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
      if (c == '%' && isHex(run, i + 1) && isHex(run, i + 2)) {
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
