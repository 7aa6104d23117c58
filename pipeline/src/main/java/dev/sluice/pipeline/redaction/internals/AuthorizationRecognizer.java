package dev.sluice.pipeline.redaction.internals;

import static dev.sluice.pipeline.redaction.internals.Chars.containsIgnoreCase;
import static dev.sluice.pipeline.redaction.internals.Chars.isAlnum;
import static dev.sluice.pipeline.redaction.internals.Chars.isDigit;

import dev.sluice.pipeline.redaction.RedactionType;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Set;

/**
 * Credentials named by an authorization scheme: {@code Bearer} tokens, {@code Basic} credentials
 * that decode to {@code user:password}, and the {@code user:password} of {@code curl -u}.
 */
final class AuthorizationRecognizer implements Recognizer {
  private static final int MAX_TOKEN = 4096;

  @Override
  public String triggers() {
    return "Bbc";
  }

  @Override
  public boolean atWordStart() {
    return true;
  }

  @Override
  public Set<RedactionType> emits() {
    return Set.of(RedactionType.BEARER_TOKEN, RedactionType.BASIC_AUTH);
  }

  @Override
  public int scan(String s, int i, Scan scan) {
    if (s.charAt(i) == 'c') {
      return i + 1 < s.length() && s.charAt(i + 1) == 'u' && s.startsWith("curl ", i)
          ? curlUser(s, i, scan)
          : DECLINE;
    }
    if (s.regionMatches(true, i, "bearer", 0, 6)) {
      return bearer(s, i, scan);
    }
    if (s.regionMatches(true, i, "basic", 0, 5)) {
      return basic(s, i, scan);
    }
    return DECLINE;
  }

  /** "Bearer <token>": the token only. Does not skip it, so a JWT or key inside is named. */
  private int bearer(String s, int i, Scan scan) {
    int n = s.length();
    int k = i + 6;
    int spaces = 0;
    while (k < n && s.charAt(k) == ' ' && spaces < 3) {
      k++;
      spaces++;
    }
    if (spaces == 0 || !scan.on(RedactionType.BEARER_TOKEN)) {
      return i + 6;
    }
    int ts = k;
    boolean digit = false;
    while (k < n
        && k - ts < MAX_TOKEN
        && (isAlnum(s.charAt(k)) || "._~+/-".indexOf(s.charAt(k)) >= 0)) {
      digit |= isDigit(s.charAt(k));
      k++;
    }
    while (k < n && s.charAt(k) == '=') {
      k++;
    }
    int len = k - ts;
    if (len < 8 || !digit || (k < n && (isAlnum(s.charAt(k)) || s.charAt(k) == '_'))) {
      return ts;
    }
    if (len < 16 && !authorizationBefore(s, i)) {
      return ts;
    }
    scan.add(RedactionType.BEARER_TOKEN, "bearer", ts, k);
    return ts;
  }

  /**
   * {@code curl … -u user:password} or {@code --user user:password} on the same command line
   * (continued with {@code \\}): the credential, unless the password is left out, a variable or a
   * placeholder. Does not skip the command, so its URL and headers are read too.
   */
  private int curlUser(String s, int i, Scan scan) {
    int n = s.length();
    int end = Math.min(n, i + 512);
    int k = i + 4;
    int value = -1;
    while (k < end) {
      char c = s.charAt(k);
      if (c == '\n' && s.charAt(k - 1) != '\\') {
        break;
      }
      if ((c == ' ' || c == '\t') && k + 3 < end && s.charAt(k + 1) == '-') {
        if (s.startsWith("-u", k + 1) && (s.charAt(k + 3) == ' ' || s.charAt(k + 3) == '\t')) {
          value = k + 4;
          break;
        }
        if (s.startsWith("--user", k + 1) && k + 7 < end && "= \t".indexOf(s.charAt(k + 7)) >= 0) {
          value = k + 8;
          break;
        }
      }
      k++;
    }
    if (value < 0 || !scan.on(RedactionType.BASIC_AUTH)) {
      return i + 4;
    }
    while (value < end && (s.charAt(value) == ' ' || s.charAt(value) == '\t')) {
      value++;
    }
    if (value >= end) {
      return i + 4;
    }
    char quote = s.charAt(value);
    int vs = quote == '\'' || quote == '"' ? value + 1 : value;
    int ve = vs;
    while (ve < end
        && !Chars.isSpace(s.charAt(ve))
        && s.charAt(ve) != '\''
        && s.charAt(ve) != '"'
        && ve - vs < 256) {
      ve++;
    }
    int colon = s.indexOf(':', vs);
    if (colon <= vs || colon >= ve - 2 || !plainCredential(s, vs, colon, ve)) {
      return i + 4;
    }
    scan.add(RedactionType.BASIC_AUTH, "curl", vs, ve);
    return i + 4;
  }

  /** A user and a password that is neither a variable, a mask nor a documentation word. */
  private static boolean plainCredential(String s, int from, int colon, int to) {
    char first = s.charAt(colon + 1);
    if (first == '$' || first == '<' || first == '{' || first == '%' || s.charAt(from) == '$') {
      return false;
    }
    String password = s.substring(colon + 1, to).toLowerCase(java.util.Locale.ROOT);
    for (String word : new String[] {"password", "pass", "pwd", "changeme", "changeit", "token"}) {
      if (password.equals(word)) {
        return false;
      }
    }
    return !TokenFormat.placeholderWord(s, colon + 1, to)
        && password.chars().distinct().count() > 1;
  }

  private static boolean authorizationBefore(String s, int i) {
    int from = Math.max(0, i - 40);
    return containsIgnoreCase(s, from, i, "authorization")
        || containsIgnoreCase(s, from, i, "auth");
  }

  /** "Basic <base64 of user:password>": the credential only, when it decodes to user:password. */
  private int basic(String s, int i, Scan scan) {
    int n = s.length();
    int k = i + 5;
    int spaces = 0;
    while (k < n && s.charAt(k) == ' ' && spaces < 3) {
      k++;
      spaces++;
    }
    if (spaces == 0 || !scan.on(RedactionType.BASIC_AUTH)) {
      return i + 5;
    }
    int ts = k;
    while (k < n
        && k - ts < 1024
        && (isAlnum(s.charAt(k)) || s.charAt(k) == '+' || s.charAt(k) == '/')) {
      k++;
    }
    int pad = 0;
    while (k < n && s.charAt(k) == '=' && pad < 2) {
      k++;
      pad++;
    }
    int len = k - ts;
    if (len < 8 || len % 4 != 0 || (k < n && (isAlnum(s.charAt(k)) || s.charAt(k) == '_'))) {
      return ts;
    }
    byte[] decoded;
    try {
      decoded = Base64.getDecoder().decode(s.substring(ts, k));
    } catch (IllegalArgumentException e) {
      return ts;
    }
    String plain = new String(decoded, StandardCharsets.UTF_8);
    int colonAt = plain.indexOf(':');
    if (colonAt <= 0 || colonAt == plain.length() - 1) {
      return ts;
    }
    for (int q = 0; q < plain.length(); q++) {
      if (plain.charAt(q) < ' ' || plain.charAt(q) == '\uFFFD') {
        return ts;
      }
    }
    scan.add(RedactionType.BASIC_AUTH, "basic-auth", ts, k);
    return k;
  }
}
