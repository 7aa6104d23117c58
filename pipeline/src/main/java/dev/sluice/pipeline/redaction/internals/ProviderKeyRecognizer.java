package dev.sluice.pipeline.redaction.internals;

import static dev.sluice.pipeline.redaction.internals.Chars.isAlnum;
import static dev.sluice.pipeline.redaction.internals.Chars.isBase64Url;
import static dev.sluice.pipeline.redaction.internals.Chars.isDigit;
import static dev.sluice.pipeline.redaction.internals.Chars.isLetter;
import static dev.sluice.pipeline.redaction.internals.Chars.isTokenChar;

import dev.sluice.pipeline.redaction.RedactionType;
import java.util.Set;

/**
 * Provider keys at a word start, by prefix and documented shape: OpenAI {@code sk-}, Anthropic
 * {@code sk-ant-}, AWS {@code AKIA}/{@code ASIA} + 16 base32, GitHub {@code gh[pousr]_} and {@code
 * github_pat_}, GitLab {@code glpat-}, Slack {@code xox[baprs]-} and webhooks, Stripe {@code
 * sk_/rk_ live/test}, Google {@code AIza} + 35, and JWTs ({@code eyJ} header, three segments). A
 * token that has a known prefix is skipped whole even when it does not qualify or its type is off.
 */
final class ProviderKeyRecognizer implements Recognizer {
  private static final int MAX_TOKEN = 4096;
  private static final String[] AWS_KEY_PREFIXES = {"AKIA", "ASIA", "ABIA", "ACCA"};

  @Override
  public String triggers() {
    return "srgxhAe";
  }

  @Override
  public boolean atWordStart() {
    return true;
  }

  @Override
  public Set<RedactionType> emits() {
    return Set.of(
        RedactionType.OPENAI_KEY,
        RedactionType.ANTHROPIC_KEY,
        RedactionType.AWS_ACCESS_KEY_ID,
        RedactionType.GITHUB_TOKEN,
        RedactionType.GITLAB_TOKEN,
        RedactionType.SLACK_TOKEN,
        RedactionType.SLACK_WEBHOOK,
        RedactionType.STRIPE_KEY,
        RedactionType.GOOGLE_API_KEY,
        RedactionType.JWT);
  }

  @Override
  public int scan(String s, int i, Scan scan) {
    int n = s.length();
    switch (s.charAt(i)) {
      case 's' -> {
        if (s.startsWith("sk-ant-", i)) {
          return token(s, i, 7, 20, RedactionType.ANTHROPIC_KEY, scan, true);
        }
        if (s.startsWith("sk-", i)) {
          return token(s, i, 3, 20, RedactionType.OPENAI_KEY, scan, true);
        }
        if (s.startsWith("sk_live_", i) || s.startsWith("sk_test_", i)) {
          return alnumToken(s, i, 8, 10, RedactionType.STRIPE_KEY, scan);
        }
      }
      case 'r' -> {
        if (s.startsWith("rk_live_", i) || s.startsWith("rk_test_", i)) {
          return alnumToken(s, i, 8, 10, RedactionType.STRIPE_KEY, scan);
        }
      }
      case 'g' -> {
        if (i + 4 < n
            && s.charAt(i + 1) == 'h'
            && s.charAt(i + 3) == '_'
            && "pousr".indexOf(s.charAt(i + 2)) >= 0) {
          return alnumToken(s, i, 4, 30, RedactionType.GITHUB_TOKEN, scan);
        }
        if (s.startsWith("github_pat_", i)) {
          return token(s, i, 11, 22, RedactionType.GITHUB_TOKEN, scan, false);
        }
        if (s.startsWith("glpat-", i)) {
          return token(s, i, 6, 20, RedactionType.GITLAB_TOKEN, scan, false);
        }
      }
      case 'x' -> {
        if (i + 4 < n
            && s.startsWith("xox", i)
            && "baprs".indexOf(s.charAt(i + 3)) >= 0
            && s.charAt(i + 4) == '-') {
          return token(s, i, 5, 10, RedactionType.SLACK_TOKEN, scan, true);
        }
      }
      case 'h' -> {
        if (s.startsWith("https://hooks.slack.com/", i)) {
          return slackWebhook(s, i, 24, scan);
        }
        if (s.startsWith("http://hooks.slack.com/", i)) {
          return slackWebhook(s, i, 23, scan);
        }
      }
      case 'A' -> {
        if (s.startsWith("AIza", i)) {
          return fixedToken(s, i, 39, RedactionType.GOOGLE_API_KEY, scan);
        }
        for (String prefix : AWS_KEY_PREFIXES) {
          if (s.startsWith(prefix, i)) {
            return awsKeyId(s, i, scan);
          }
        }
      }
      case 'e' -> {
        if (s.startsWith("eyJ", i)) {
          return jwt(s, i, scan);
        }
      }
      default -> {}
    }
    return DECLINE;
  }

  private int token(
      String s, int i, int prefix, int minBody, RedactionType type, Scan scan, boolean needDigit) {
    int n = s.length();
    int k = i + prefix;
    boolean digit = false;
    boolean letter = false;
    while (k < n && k - i < MAX_TOKEN && isBase64Url(s.charAt(k))) {
      char c = s.charAt(k);
      digit |= isDigit(c);
      letter |= isLetter(c);
      k++;
    }
    if (k - i - prefix < minBody || !letter || (needDigit && !digit)) {
      return k;
    }
    scan.add(type, i, k);
    return k;
  }

  private int alnumToken(String s, int i, int prefix, int minBody, RedactionType type, Scan scan) {
    int n = s.length();
    int k = i + prefix;
    while (k < n && k - i < MAX_TOKEN && isAlnum(s.charAt(k))) {
      k++;
    }
    if (k - i - prefix < minBody || (k < n && isTokenChar(s.charAt(k)))) {
      return k;
    }
    scan.add(type, i, k);
    return k;
  }

  private int fixedToken(String s, int i, int length, RedactionType type, Scan scan) {
    int n = s.length();
    int k = i;
    while (k < n && k - i < length && isBase64Url(s.charAt(k))) {
      k++;
    }
    if (k - i != length || (k < n && isBase64Url(s.charAt(k)))) {
      return i + 1;
    }
    scan.add(type, i, k);
    return k;
  }

  /** AKIA/ASIA + 16 base32 characters. */
  private int awsKeyId(String s, int i, Scan scan) {
    int n = s.length();
    if (i + 20 > n) {
      return i + 1;
    }
    for (int k = i + 4; k < i + 20; k++) {
      char c = s.charAt(k);
      if (!((c >= 'A' && c <= 'Z') || (c >= '2' && c <= '7'))) {
        return i + 1;
      }
    }
    if (i + 20 < n && isTokenChar(s.charAt(i + 20))) {
      return i + 1;
    }
    scan.add(RedactionType.AWS_ACCESS_KEY_ID, i, i + 20);
    return i + 20;
  }

  private int slackWebhook(String s, int i, int prefix, Scan scan) {
    int n = s.length();
    int k = i + prefix;
    if (!(s.startsWith("services/", k)
        || s.startsWith("workflows/", k)
        || s.startsWith("triggers/", k))) {
      return i + 1;
    }
    int bodyStart = k;
    while (k < n && k - i < 512 && (isTokenChar(s.charAt(k)) || s.charAt(k) == '/')) {
      k++;
    }
    if (k - bodyStart < 20) {
      return k;
    }
    scan.add(RedactionType.SLACK_WEBHOOK, i, k);
    return k;
  }

  /** header.payload.signature, base64url, header starting {"... (eyJ). */
  private int jwt(String s, int i, Scan scan) {
    int n = s.length();
    int k = i;
    int[] segLen = new int[3];
    int seg = 0;
    int segStart = k;
    while (k < n && k - i < 16384) {
      char c = s.charAt(k);
      if (isBase64Url(c)) {
        k++;
      } else if (c == '.' && seg < 2) {
        segLen[seg++] = k - segStart;
        k++;
        segStart = k;
      } else {
        break;
      }
    }
    if (seg < 2) {
      return k;
    }
    segLen[2] = k - segStart;
    if (segLen[0] < 10 || segLen[1] < 2 || (k < n && isTokenChar(s.charAt(k)))) {
      return k;
    }
    scan.add(RedactionType.JWT, i, k);
    return k;
  }
}
