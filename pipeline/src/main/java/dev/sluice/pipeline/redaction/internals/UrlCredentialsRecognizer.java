package dev.sluice.pipeline.redaction.internals;

import static dev.sluice.pipeline.redaction.internals.Chars.isAlnum;
import static dev.sluice.pipeline.redaction.internals.Chars.isLetter;
import static dev.sluice.pipeline.redaction.internals.Chars.isSpace;

import dev.sluice.pipeline.redaction.RedactionType;
import java.util.Locale;
import java.util.Set;

/**
 * URLs at their {@code :}: the user-info of {@code scheme://user:password@host}, named by the
 * database its scheme is (a connection string) or {@code url-credentials}; and the payload of a
 * {@code data:...;base64,} URI, skipped whole so that no other recognizer reads an image as keys or
 * numbers. Goes first among the {@code :} recognizers.
 */
final class UrlCredentialsRecognizer implements Recognizer {
  private static final int MAX_VALUE = 256;

  @Override
  public String triggers() {
    return ":";
  }

  @Override
  public boolean atWordStart() {
    return false;
  }

  @Override
  public Set<RedactionType> emits() {
    return Set.of(RedactionType.URL_CREDENTIALS);
  }

  @Override
  public int scan(String s, int i, Scan scan) {
    if (i + 2 < s.length() && s.charAt(i + 1) == '/' && s.charAt(i + 2) == '/') {
      if (scan.on(RedactionType.URL_CREDENTIALS)) {
        urlCredentials(s, i, scan);
      }
      return i + 3;
    }
    if (i >= 4 && s.regionMatches(true, i - 4, "data", 0, 4)) {
      int skip = dataUri(s, i);
      if (skip > i) {
        return skip;
      }
    }
    return DECLINE;
  }

  /** "scheme://user:password@host": redacts the user-info, keeps scheme and host. */
  private void urlCredentials(String s, int colonAt, Scan scan) {
    int n = s.length();
    int k = colonAt;
    while (k > 0
        && colonAt - k < 32
        && (isAlnum(s.charAt(k - 1)) || "+.-".indexOf(s.charAt(k - 1)) >= 0)) {
      k--;
    }
    if (k == colonAt || !isLetter(s.charAt(k))) {
      return;
    }
    int from = colonAt + 3;
    int at = -1;
    int q = from;
    while (q < n && q - from < MAX_VALUE) {
      char c = s.charAt(q);
      if (isSpace(c)
          || c == '/'
          || c == '?'
          || c == '#'
          || c == '"'
          || c == '\''
          || c == '<'
          || c == '>'
          || c == '`') {
        break;
      }
      if (c == '@') {
        at = q;
      }
      q++;
    }
    if (at < 0 || at + 1 >= n || !isAlnum(s.charAt(at + 1)) && s.charAt(at + 1) != '[') {
      return;
    }
    int userColon = -1;
    for (int k2 = from; k2 < at; k2++) {
      if (s.charAt(k2) == ':') {
        userColon = k2;
        break;
      }
    }
    if (userColon < 0 || userColon >= at - 1) {
      return;
    }
    scan.add(RedactionType.URL_CREDENTIALS, provider(s, k, colonAt), from, at);
  }

  /** The database a connection string names by its scheme, or {@code url-credentials}. */
  private static String provider(String s, int from, int to) {
    String scheme = s.substring(from, to).toLowerCase(Locale.ROOT);
    int plus = scheme.indexOf('+');
    if (plus > 0) {
      scheme = scheme.substring(0, plus); // mongodb+srv, postgresql+psycopg
    }
    switch (scheme) {
      case "postgres":
      case "postgresql":
        return "postgres";
      case "mysql":
      case "mysqlx":
      case "mariadb":
        return "mysql";
      case "mongodb":
        return "mongodb";
      case "redis":
      case "rediss":
        return "redis";
      case "amqp":
      case "amqps":
        return "amqp";
      case "sqlserver":
      case "mssql":
        return "sqlserver";
      default:
        return "url-credentials";
    }
  }

  /** Skips the payload of "data:...;base64,....": images are not secrets. */
  private static int dataUri(String s, int colonAt) {
    if (colonAt >= 5 && isAlnum(s.charAt(colonAt - 5))) {
      return -1;
    }
    int n = s.length();
    int limit = Math.min(n, colonAt + 100);
    int b = -1;
    for (int k = colonAt + 1; k < limit; k++) {
      char c = s.charAt(k);
      if (isSpace(c)) {
        return -1;
      }
      if (c == ',') {
        if (k >= 7 && s.regionMatches(true, k - 7, ";base64", 0, 7)) {
          b = k + 1;
        }
        break;
      }
    }
    if (b < 0) {
      return -1;
    }
    int q = b;
    while (q < n
        && (isAlnum(s.charAt(q))
            || s.charAt(q) == '+'
            || s.charAt(q) == '/'
            || s.charAt(q) == '=')) {
      q++;
    }
    return q;
  }
}
