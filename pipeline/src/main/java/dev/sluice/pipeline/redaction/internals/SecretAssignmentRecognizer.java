package dev.sluice.pipeline.redaction.internals;

import static dev.sluice.pipeline.redaction.internals.Chars.containsIgnoreCase;
import static dev.sluice.pipeline.redaction.internals.Chars.isAlnum;
import static dev.sluice.pipeline.redaction.internals.Chars.isDigit;
import static dev.sluice.pipeline.redaction.internals.Chars.isLetter;
import static dev.sluice.pipeline.redaction.internals.Chars.isSpace;

import dev.sluice.pipeline.redaction.RedactionType;
import java.util.Set;

/**
 * Values assigned with {@code =}, {@code :}, {@code :=} or {@code =>}: first a provider named in
 * the name with a value of its documented shape ({@link KeywordSecrets}: {@code DATADOG_APP_KEY},
 * {@code okta_token} …); a 40-character value of an AWS-named key is an AWS secret key; a
 * connection string's password; and, the last net, a value that looks random assigned to a
 * password, secret, token or api_key-like name. Goes last among the {@code :} recognizers.
 */
final class SecretAssignmentRecognizer implements Recognizer {
  private static final int MAX_NAME = 64;
  private static final int MAX_VALUE = 256;

  private static final String[] SECRET_NAMES = {
    "password",
    "passwd",
    "pwd",
    "passphrase",
    "secret",
    "token",
    "api_key",
    "apikey",
    "api-key",
    "access_key",
    "accesskey",
    "private_key",
    "privatekey",
    "credential",
    "auth_key",
    "authkey",
    "client_key",
    "signing_key",
    "encryption_key",
    "master_key"
  };
  private static final String[] NOT_SECRET_NAME_SUFFIXES = {
    "_url",
    "_uri",
    "_file",
    "_path",
    "_name",
    "_type",
    "_count",
    "_length",
    "_len",
    "_limit",
    "_ttl",
    "_endpoint",
    "_arn",
    "_id",
    "_expiry",
    "_expires_in",
    "_header",
    "_prefix",
    "_size",
    "_policy",
    "_field",
    "_env",
    "_var"
  };

  @Override
  public String triggers() {
    return "=:";
  }

  @Override
  public boolean atWordStart() {
    return false;
  }

  @Override
  public Set<RedactionType> emits() {
    return Set.of(
        RedactionType.SECRET_ASSIGNMENT, RedactionType.AWS_SECRET_KEY, RedactionType.API_KEY);
  }

  @Override
  public int scan(String s, int i, Scan scan) {
    // "::" is a scope or an IPv6 compression, never an assignment
    if (s.charAt(i) == ':' && i + 1 < s.length() && s.charAt(i + 1) == ':') {
      return i + 2;
    }
    if (!scan.on(RedactionType.SECRET_ASSIGNMENT)
        && !scan.on(RedactionType.AWS_SECRET_KEY)
        && !scan.on(RedactionType.API_KEY)) {
      return DECLINE;
    }
    return assignment(s, i, scan);
  }

  /**
   * A secret-like name ({@code password}, {@code api_key}, {@code client_secret} ...) assigned a
   * value that looks random. Always returns {@code op + 1}: the value is scanned again, so a
   * provider key in it is named by its provider.
   */
  private int assignment(String s, int op, Scan scan) {
    int n = s.length();
    char opChar = s.charAt(op);
    int v = op + 1;
    if (opChar == '=') {
      if (op > 0 && "=!<>".indexOf(s.charAt(op - 1)) >= 0) {
        return op + 1;
      }
      if (v < n && s.charAt(v) == '=') {
        return op + 2;
      }
      if (v < n && s.charAt(v) == '>') {
        v++;
      }
    } else if (v < n && s.charAt(v) == '=') {
      v++;
    }
    // the name
    int j = op - 1;
    if (j >= 0 && s.charAt(j) == ':') {
      return op + 1;
    }
    int spaces = 0;
    while (j >= 0 && (s.charAt(j) == ' ' || s.charAt(j) == '\t') && spaces < 4) {
      j--;
      spaces++;
    }
    if (j >= 0 && (s.charAt(j) == '"' || s.charAt(j) == '\'')) {
      j--;
    }
    int nameEnd = j + 1;
    int k = nameEnd;
    while (k > 0 && nameEnd - k < MAX_NAME && isNameChar(s.charAt(k - 1))) {
      k--;
    }
    if (k == nameEnd || nameEnd - k < 3) {
      return op + 1;
    }
    if (k > 0) {
      char b = s.charAt(k - 1);
      if (isNameChar(b) || b == '/' || b == '+' || b == '=' || b == '\\') {
        return op + 1;
      }
    }
    boolean secret = secretName(s, k, nameEnd);
    boolean named = scan.on(RedactionType.API_KEY) && KeywordSecrets.named(s, k, nameEnd);
    if (!secret && !named) {
      return op + 1;
    }
    // the value
    spaces = 0;
    while (v < n && (s.charAt(v) == ' ' || s.charAt(v) == '\t') && spaces < 4) {
      v++;
      spaces++;
    }
    if (v >= n) {
      return op + 1;
    }
    char quote = s.charAt(v);
    int vs;
    int ve;
    boolean bare;
    if (quote == '"' || quote == '\'' || quote == '`') {
      vs = v + 1;
      ve = vs;
      while (ve < n && ve - vs <= MAX_VALUE && s.charAt(ve) != quote && s.charAt(ve) != '\n') {
        ve++;
      }
      if (ve >= n || s.charAt(ve) != quote) {
        return op + 1;
      }
      bare = false;
    } else {
      vs = v;
      ve = vs;
      while (ve < n && ve - vs <= MAX_VALUE && !endsBareValue(s.charAt(ve))) {
        ve++;
      }
      if (ve < n && s.charAt(ve) == '(') {
        return op + 1;
      }
      while (ve > vs && (s.charAt(ve - 1) == '.' || s.charAt(ve - 1) == ':')) {
        ve--;
      }
      bare = true;
    }
    int len = ve - vs;
    if (len < 4 || len > MAX_VALUE) {
      return op + 1;
    }
    boolean keyword = named && len >= KeywordSecrets.MIN_VALUE && !notSecretSuffix(s, k, nameEnd);
    if (!secret && !keyword) {
      return op + 1;
    }
    if (keyword) {
      KeywordSecrets.KeywordSecret rule = KeywordSecrets.match(s, k, nameEnd, vs, ve);
      if (rule != null) {
        scan.add(RedactionType.API_KEY, rule.provider(), vs, ve);
        return op + 1;
      }
    }
    if (!secret) {
      return op + 1;
    }
    if (len < 8) {
      if (connectionStringPassword(s, k, nameEnd, bare) && plainPassword(s, vs, ve)) {
        scan.add(RedactionType.SECRET_ASSIGNMENT, "connection-string", vs, ve);
      }
      return op + 1;
    }
    boolean aws =
        containsIgnoreCase(s, k, nameEnd, "aws")
            || containsIgnoreCase(s, k, nameEnd, "secretaccesskey")
            || containsIgnoreCase(s, k, nameEnd, "secret_access_key");
    if (aws && scan.on(RedactionType.AWS_SECRET_KEY) && len == 40 && base64Chars(s, vs, ve)) {
      scan.add(RedactionType.AWS_SECRET_KEY, "aws", vs, ve);
      return op + 1;
    }
    if (!scan.on(RedactionType.SECRET_ASSIGNMENT)) {
      return op + 1;
    }
    if (connectionStringPassword(s, k, nameEnd, bare) && plainPassword(s, vs, ve)) {
      scan.add(RedactionType.SECRET_ASSIGNMENT, "connection-string", vs, ve);
    } else if (looksRandom(s, vs, ve, bare)) {
      scan.add(RedactionType.SECRET_ASSIGNMENT, "assignment", vs, ve);
    }
    return op + 1;
  }

  /** The characters that end an unquoted value: white space and {@code ,;&"'<>()[]{}`}. */
  private static final boolean[] BARE_VALUE_END = bareValueEnds();

  private static boolean[] bareValueEnds() {
    boolean[] ends = new boolean[128];
    for (char c : " \t\n\r\f,;&\"'<>()[]{}`".toCharArray()) {
      ends[c] = true;
    }
    return ends;
  }

  private static boolean endsBareValue(char c) {
    return c < 128 && BARE_VALUE_END[c];
  }

  private static boolean isNameChar(char c) {
    return isAlnum(c) || c == '_' || c == '-' || c == '.';
  }

  private static final NameWords<String> SECRET_NAME_INDEX = NameWords.of(SECRET_NAMES);

  private static boolean secretName(String s, int from, int to) {
    if (!SECRET_NAME_INDEX.occursIn(s, from, to)) {
      return false;
    }
    if (containsIgnoreCase(s, from, to, "tokeniz") || containsIgnoreCase(s, from, to, "tokens")) {
      return false;
    }
    return !notSecretSuffix(s, from, to);
  }

  /**
   * Names that hold something about a secret, not the secret: {@code token_url}, {@code
   * secretName}.
   */
  private static boolean notSecretSuffix(String s, int from, int to) {
    // every suffix is lower-case ASCII: its last character, in either case, must end the name
    char last = (char) (s.charAt(to - 1) | 0x20);
    for (String suffix : NOT_SECRET_NAME_SUFFIXES) {
      int len = suffix.length();
      if (suffix.charAt(len - 1) != last) {
        continue;
      }
      if (to - from > len && s.regionMatches(true, to - len, suffix, 0, len)) {
        return true;
      }
      // camelCase: tokenUrl, secretName
      if (to - from > len
          && Character.isUpperCase(s.charAt(to - len + 1))
          && s.regionMatches(true, to - len + 1, suffix, 1, len - 1)) {
        return true;
      }
    }
    return false;
  }

  /**
   * A password in an ADO.NET or ODBC connection string ({@code Server=…;User Id=…;Password=…;}):
   * the name is {@code password} or {@code pwd}, a {@code ;}-separated list that names a server or
   * data source comes before it on the line. There any password is a secret, random-looking or not.
   */
  private static boolean connectionStringPassword(String s, int from, int to, boolean bare) {
    int len = to - from;
    boolean passwordName =
        (len == 8 && s.regionMatches(true, from, "password", 0, 8))
            || (len == 3 && s.regionMatches(true, from, "pwd", 0, 3));
    if (!passwordName
        || !bare
        || from == 0
        || s.charAt(from - 1) != ';' && s.charAt(from - 1) != ' ') {
      return false;
    }
    int lineStart = from;
    while (lineStart > 0 && from - lineStart < 256 && s.charAt(lineStart - 1) != '\n') {
      lineStart--;
    }
    return containsIgnoreCase(s, lineStart, from, "server=")
        || containsIgnoreCase(s, lineStart, from, "data source=")
        || containsIgnoreCase(s, lineStart, from, "host=")
        || containsIgnoreCase(s, lineStart, from, "uid=")
        || containsIgnoreCase(s, lineStart, from, "user id=");
  }

  /** Not a template, variable or mask: what a real connection string's password can be. */
  private static boolean plainPassword(String s, int from, int to) {
    char first = s.charAt(from);
    if (first == '$' || first == '%' || first == '<' || first == '{' || first == '*') {
      return false;
    }
    for (int k = from; k < to; k++) {
      if (s.charAt(k) == '{' || s.charAt(k) == '}' || s.charAt(k) < ' ') {
        return false;
      }
    }
    return !TokenFormat.placeholderWord(s, from, to);
  }

  private static boolean base64Chars(String s, int from, int to) {
    for (int k = from; k < to; k++) {
      char c = s.charAt(k);
      if (!isAlnum(c) && c != '/' && c != '+') {
        return false;
      }
    }
    return true;
  }

  /**
   * Random enough to be a credential: at least two character classes, no spaces, not an identifier,
   * a placeholder or a template, and a Shannon entropy of at least 3 bits per char.
   */
  static boolean looksRandom(String s, int from, int to, boolean bare) {
    boolean lower = false;
    boolean upper = false;
    boolean digit = false;
    boolean other = false;
    boolean identifier = isLetter(s.charAt(from)) || s.charAt(from) == '_';
    boolean dot = false;
    for (int k = from; k < to; k++) {
      char c = s.charAt(k);
      if (c >= 'a' && c <= 'z') {
        lower = true;
      } else if (c >= 'A' && c <= 'Z') {
        upper = true;
      } else if (isDigit(c)) {
        digit = true;
      } else if (isSpace(c) || c < ' ') {
        return false;
      } else {
        other = true;
        if (c == '.') {
          dot = true;
        } else if (c != '_') {
          identifier = false;
        }
      }
    }
    char first = s.charAt(from);
    if (first == '$' || first == '%' || first == '<' || first == '{' || first == '*') {
      return false;
    }
    // within the value only: a search to the end of the text, once per assignment, was quadratic
    if (TokenFormat.hasTemplateMark(s, from, to)) {
      return false;
    }
    if (identifier && bare && (dot || !digit)) {
      return false; // token = getToken, password = config.db.password
    }
    if (!lower && !digit && upper) {
      return false; // YOUR_API_KEY
    }
    int classes = (lower ? 1 : 0) + (upper ? 1 : 0) + (digit ? 1 : 0) + (other ? 1 : 0);
    if (classes < 2) {
      return false;
    }
    return entropy(s, from, to) >= 3.0;
  }

  private static double entropy(String s, int from, int to) {
    int[] counts = new int[128];
    int extra = 0;
    for (int k = from; k < to; k++) {
      char c = s.charAt(k);
      if (c < 128) {
        counts[c]++;
      } else {
        extra++;
      }
    }
    double len = to - from;
    double h = 0;
    for (int c : counts) {
      if (c > 0) {
        double p = c / len;
        h -= p * Math.log(p);
      }
    }
    if (extra > 0) {
      double p = extra / len;
      h -= p * Math.log(p);
    }
    return h / Math.log(2);
  }
}
