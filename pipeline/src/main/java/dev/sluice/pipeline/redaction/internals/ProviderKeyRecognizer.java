package dev.sluice.pipeline.redaction.internals;

import static dev.sluice.pipeline.redaction.internals.Chars.isAlnum;
import static dev.sluice.pipeline.redaction.internals.Chars.isBase64Url;
import static dev.sluice.pipeline.redaction.internals.Chars.isDigit;
import static dev.sluice.pipeline.redaction.internals.Chars.isTokenChar;

import dev.sluice.pipeline.redaction.RedactionType;
import java.util.EnumSet;
import java.util.Set;

/**
 * Provider keys at a word start, by prefix and documented shape ({@link TokenFormats}: OpenAI,
 * Anthropic, AWS, GitHub with its CRC32, GitLab, Slack, Stripe, Google and about a hundred more
 * issuers), webhook URLs (Slack, Discord, Microsoft Teams) and JWTs ({@code eyJ} header, three
 * segments). A token that starts with a distinctive prefix ({@code ghp_}, {@code sk-}) is skipped
 * whole even when it does not qualify or its type is off, so no other rule reads its inside.
 */
final class ProviderKeyRecognizer implements Recognizer {
  private static final int MAX_TOKEN = 4096;

  private static final String TRIGGERS = TokenFormats.firstChars() + "eh";

  /**
   * The first two characters ({@code c1 << 7 | c2}) a key, a JWT ({@code ey}) or a webhook URL
   * ({@code ht}, {@code ho}) can start with.
   */
  private static final boolean[] STARTS = starts();

  private static boolean[] starts() {
    boolean[] starts = new boolean[128 * 128];
    for (TokenFormat f : TokenFormats.ALL) {
      starts[f.prefix().charAt(0) << 7 | f.prefix().charAt(1)] = true;
    }
    for (String pair : new String[] {"ey", "ht", "ho"}) {
      starts[pair.charAt(0) << 7 | pair.charAt(1)] = true;
    }
    return starts;
  }

  @Override
  public String triggers() {
    return TRIGGERS;
  }

  @Override
  public boolean atWordStart() {
    return true;
  }

  @Override
  public Set<RedactionType> emits() {
    Set<RedactionType> types = EnumSet.of(RedactionType.SLACK_WEBHOOK, RedactionType.JWT);
    for (TokenFormat f : TokenFormats.ALL) {
      types.add(f.type());
    }
    return types;
  }

  @Override
  public int scan(String s, int i, Scan scan) {
    if (i + 1 < s.length()) {
      // most words start with a pair no key starts with: one load decides
      int pair = s.charAt(i) << 7 | s.charAt(i + 1);
      if (pair < STARTS.length && !STARTS[pair]) {
        return DECLINE;
      }
    }
    TokenFormat[] formats = TokenFormats.candidates(s, i);
    if (formats != null) {
      int resume = byPrefix(formats, s, i, scan);
      if (resume != DECLINE) {
        return resume;
      }
    }
    char c = s.charAt(i);
    if (c == 'e' && s.startsWith("eyJ", i)) {
      return jwt(s, i, scan);
    }
    if (c == 'h') {
      return webhook(s, i, scan);
    }
    return DECLINE;
  }

  /**
   * The token formats whose prefix is at {@code i}: the longest matching prefix names the provider,
   * and that provider's formats are tried in table order.
   */
  private static int byPrefix(TokenFormat[] formats, String s, int i, Scan scan) {
    TokenFormat claimed = null;
    int limit = Math.min(s.length(), i + MAX_TOKEN + 64);
    for (TokenFormat f : formats) {
      if (!s.startsWith(f.prefix(), i)) {
        continue;
      }
      if (claimed == null) {
        claimed = f;
      } else if (!claimed.provider().equals(f.provider())) {
        continue;
      }
      int end = f.match(s, i, limit);
      if (end > i) {
        scan.add(f.type(), f.provider(), i, end);
        return end;
      }
    }
    if (claimed == null || !claimed.skipsWhenInvalid()) {
      return DECLINE;
    }
    int k = i + claimed.prefix().length();
    while (k < s.length() && k - i < MAX_TOKEN && isTokenChar(s.charAt(k))) {
      k++;
    }
    return k;
  }

  /** Slack, Discord and Microsoft Teams incoming-webhook URLs, whole. */
  private static int webhook(String s, int i, Scan scan) {
    int k = i;
    if (s.startsWith("https://", k)) {
      k += 8;
    } else if (s.startsWith("http://", k)) {
      k += 7;
    }
    if (s.startsWith("hooks.slack.com/", k)) {
      return slackWebhook(s, i, k + 16, scan);
    }
    if (k == i) {
      return DECLINE;
    }
    if (s.startsWith("discord.com/api/webhooks/", k)) {
      return discordWebhook(s, i, k + 25, scan);
    }
    if (s.startsWith("discordapp.com/api/webhooks/", k)) {
      return discordWebhook(s, i, k + 28, scan);
    }
    return teamsWebhook(s, i, k, scan);
  }

  private static int slackWebhook(String s, int i, int k, Scan scan) {
    int n = s.length();
    if (!(s.startsWith("services/", k)
        || s.startsWith("workflows/", k)
        || s.startsWith("triggers/", k))) {
      return DECLINE;
    }
    int bodyStart = k;
    while (k < n && k - i < 512 && (isTokenChar(s.charAt(k)) || s.charAt(k) == '/')) {
      k++;
    }
    if (k - bodyStart < 20) {
      return k;
    }
    scan.add(RedactionType.SLACK_WEBHOOK, "slack", i, k);
    return k;
  }

  /** {@code discord.com/api/webhooks/<id>/<token>}: a numeric id and a 60-70 character token. */
  private static int discordWebhook(String s, int i, int k, Scan scan) {
    int n = s.length();
    int idStart = k;
    while (k < n && k - idStart < 21 && isDigit(s.charAt(k))) {
      k++;
    }
    if (k - idStart < 17 || k >= n || s.charAt(k) != '/') {
      return k;
    }
    int tokenStart = ++k;
    while (k < n && k - tokenStart <= 100 && isBase64Url(s.charAt(k))) {
      k++;
    }
    if (k - tokenStart < 60 || k - tokenStart > 70) {
      return k;
    }
    scan.add(RedactionType.API_KEY, "discord", i, k);
    return k;
  }

  /** {@code <tenant>.webhook.office.com/webhookb2/<ids>/IncomingWebhook/<key>/<id>}. */
  private static int teamsWebhook(String s, int i, int k, Scan scan) {
    int n = s.length();
    int host = k;
    while (k < n && k - host < 64 && (isAlnum(s.charAt(k)) || s.charAt(k) == '-')) {
      k++;
    }
    if (k == host || !s.startsWith(".webhook.office.com/webhookb2/", k)) {
      return DECLINE;
    }
    k += 30;
    int pathStart = k;
    while (k < n
        && k - pathStart < 400
        && (isTokenChar(s.charAt(k)) || s.charAt(k) == '/' || s.charAt(k) == '@')) {
      k++;
    }
    if (k - pathStart < 60 || !Chars.containsIgnoreCase(s, pathStart, k, "/IncomingWebhook/")) {
      return k;
    }
    scan.add(RedactionType.API_KEY, "microsoft-teams", i, k);
    return k;
  }

  /** header.payload.signature, base64url, header starting {"... (eyJ). */
  private static int jwt(String s, int i, Scan scan) {
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
    scan.add(RedactionType.JWT, "jwt", i, k);
    return k;
  }
}
