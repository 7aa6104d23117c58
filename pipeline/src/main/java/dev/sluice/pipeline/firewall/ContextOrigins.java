package dev.sluice.pipeline.firewall;

import dev.sluice.config.Env;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The allowlist of places retrieved context may come from ({@code ALLOWED_CONTEXT_ORIGINS}, a comma
 * list of prefixes such as {@code kb://approved/}). Sources and prefixes are normalised the same
 * way before matching, so a source cannot escape its prefix by spelling: scheme and host case,
 * percent-encoding (also double), backslashes, duplicate slashes and {@code .}/{@code ..} segments.
 * A source whose {@code ..} climbs above its root, or that holds control characters or broken
 * percent-encoding, is refused outright.
 */
public final class ContextOrigins {
  private static final int MAX_SOURCE_CHARS = 2_048;
  private static final int MAX_DECODE_ROUNDS = 3;

  private final List<String> prefixes;

  private ContextOrigins(List<String> prefixes) {
    this.prefixes = List.copyOf(prefixes);
  }

  /** An allowlist of the given prefixes; a prefix that cannot be normalised is a config error. */
  public static ContextOrigins of(List<String> prefixes) {
    return new ContextOrigins(
        prefixes.stream()
            .map(String::trim)
            .filter(prefix -> !prefix.isEmpty())
            .map(
                prefix ->
                    normalise(prefix)
                        .orElseThrow(
                            () ->
                                new IllegalArgumentException(
                                    "ALLOWED_CONTEXT_ORIGINS has an invalid prefix")))
            .toList());
  }

  /** {@code ALLOWED_CONTEXT_ORIGINS}; unset allows no retrieved context at all. */
  public static ContextOrigins from(Env env) {
    return parse(env.get("ALLOWED_CONTEXT_ORIGINS", ""));
  }

  /** From a comma list; an empty list allows nothing. */
  public static ContextOrigins parse(String commaList) {
    return of(Arrays.asList(commaList == null ? new String[0] : commaList.split(",")));
  }

  public boolean isEmpty() {
    return prefixes.isEmpty();
  }

  /** Whether {@code source} lies under one of the prefixes once both are normalised. */
  public boolean allows(String source) {
    Optional<String> normalised = normalise(source);
    if (normalised.isEmpty()) {
      return false;
    }
    String candidate = normalised.get();
    for (String prefix : prefixes) {
      if (candidate.equals(prefix)) {
        return true;
      }
      if (candidate.startsWith(prefix)
          && (prefix.endsWith("/") || candidate.charAt(prefix.length()) == '/')) {
        return true;
      }
    }
    return false;
  }

  /** The canonical form of a source, or empty when it is malformed or escapes its root. */
  static Optional<String> normalise(String raw) {
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
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        return Optional.empty();
      }
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
