package dev.sluice.policy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The canonical spelling of a retrieved chunk's source, and what "under a prefix" means for it.
 * Every place that judges a source by its prefix (the context firewall's allowlist, the local
 * policy's deny rules, OPA's input) compares canonical forms: otherwise {@code KB://internal/x} or
 * {@code kb://internal%2Fx} would pass a firewall that normalises and escape a deny rule that does
 * not. Canonical means: scheme and host lower-cased, percent-encoding decoded (also double),
 * backslashes as slashes, duplicate slashes collapsed and {@code .}/{@code ..} segments resolved. A
 * source whose {@code ..} climbs above its root, or that holds control characters, invisible ones
 * (zero-width, bidi controls, tag characters, variation selectors: {@code kb://inte<tags>rnal/}
 * would read as {@code kb://internal/} once stripped) or broken percent-encoding, has no canonical
 * form.
 */
public final class ContextSources {
  private static final int MAX_SOURCE_CHARS = 2_048;
  private static final int MAX_DECODE_ROUNDS = 3;

  private ContextSources() {}

  /**
   * The canonical forms of configured prefixes (an allowlist, a deny rule's sources); a prefix
   * without one is a configuration error, named by {@code where}.
   */
  public static List<String> canonicalPrefixes(List<String> prefixes, String where) {
    return prefixes.stream()
        .map(
            prefix ->
                canonical(prefix)
                    .orElseThrow(
                        () ->
                            new IllegalArgumentException(
                                where + " has an invalid context source prefix")))
        .toList();
  }

  /**
   * Whether canonical {@code source} lies under canonical {@code prefix}: equal to it, or below it
   * at a path boundary ({@code kb://a} covers {@code kb://a/x}, never {@code kb://ab}).
   */
  public static boolean under(String source, String prefix) {
    return source.equals(prefix)
        || (source.startsWith(prefix)
            && (prefix.endsWith("/") || source.charAt(prefix.length()) == '/'));
  }

  /** The canonical form of a source, or empty when it is malformed or escapes its root. */
  public static Optional<String> canonical(String raw) {
    if (raw == null || raw.isBlank() || raw.length() > MAX_SOURCE_CHARS) {
      return Optional.empty();
    }
    String text = raw.strip();
    for (int round = 0; text.indexOf('%') >= 0; round++) {
      Optional<String> decoded = percentDecode(text);
      if (decoded.isEmpty()) {
        return Optional.empty(); // broken encoding
      }
      if (decoded.get().equals(text)) {
        break;
      }
      if (round == MAX_DECODE_ROUNDS) {
        return Optional.empty(); // still encoded after several rounds: hiding something
      }
      text = decoded.get();
    }
    if (text.codePoints().anyMatch(ContextSources::invisible)) {
      return Optional.empty();
    }
    text = text.replace('\\', '/');

    String scheme = "";
    String rest = text;
    int colon = text.indexOf(':');
    if (colon > 0 && isScheme(text.substring(0, colon))) {
      scheme = text.substring(0, colon).toLowerCase(Locale.ROOT) + ":";
      rest = text.substring(colon + 1);
    }
    String authority = "";
    if (rest.startsWith("//")) {
      String afterSlashes = rest.replaceFirst("^/+", "");
      int slash = afterSlashes.indexOf('/');
      authority = (slash < 0 ? afterSlashes : afterSlashes.substring(0, slash));
      authority = "//" + authority.toLowerCase(Locale.ROOT);
      rest = slash < 0 ? "" : afterSlashes.substring(slash);
    }
    String origin = scheme + authority;
    return resolvePath(rest).map(path -> origin + path);
  }

  /** Controls, format characters and variation selectors: nothing a person can see in a source. */
  private static boolean invisible(int cp) {
    return Character.isISOControl(cp)
        || Character.getType(cp) == Character.FORMAT
        || (cp >= 0xFE00 && cp <= 0xFE0F)
        || (cp >= 0xE0100 && cp <= 0xE01EF);
  }

  private static boolean isScheme(String candidate) {
    if (candidate.isEmpty() || !Character.isLetter(candidate.charAt(0))) {
      return false;
    }
    for (int i = 0; i < candidate.length(); i++) {
      char c = candidate.charAt(i);
      if (!(c < 128 && (Character.isLetterOrDigit(c) || c == '+' || c == '-' || c == '.'))) {
        return false;
      }
    }
    return true;
  }

  /** Collapses duplicate slashes and resolves dot segments; empty if {@code ..} leaves the root. */
  private static Optional<String> resolvePath(String path) {
    boolean absolute = path.startsWith("/");
    boolean trailingSlash = path.endsWith("/") || path.endsWith("/.") || path.endsWith("/..");
    Deque<String> segments = new ArrayDeque<>();
    for (String segment : path.split("/+")) {
      if (segment.isEmpty() || segment.equals(".")) {
        continue;
      }
      if (segment.equals("..")) {
        if (segments.isEmpty()) {
          return Optional.empty();
        }
        segments.removeLast();
        continue;
      }
      segments.addLast(segment);
    }
    StringBuilder resolved = new StringBuilder();
    if (absolute) {
      resolved.append('/');
    }
    resolved.append(String.join("/", segments));
    if (trailingSlash && !segments.isEmpty()) {
      resolved.append('/');
    }
    return Optional.of(resolved.toString());
  }

  private static Optional<String> percentDecode(String text) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(text.length());
    int i = 0;
    while (i < text.length()) {
      int percent = text.indexOf('%', i);
      int end = percent < 0 ? text.length() : percent;
      byte[] plain = text.substring(i, end).getBytes(StandardCharsets.UTF_8);
      bytes.write(plain, 0, plain.length);
      if (percent < 0) {
        break;
      }
      if (percent + 2 >= text.length()) {
        return Optional.empty();
      }
      int high = Character.digit(text.charAt(percent + 1), 16);
      int low = Character.digit(text.charAt(percent + 2), 16);
      if (high < 0 || low < 0) {
        return Optional.empty();
      }
      bytes.write(high * 16 + low);
      i = percent + 3;
    }
    try {
      return Optional.of(
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes.toByteArray()))
              .toString());
    } catch (CharacterCodingException e) {
      return Optional.empty();
    }
  }
}
