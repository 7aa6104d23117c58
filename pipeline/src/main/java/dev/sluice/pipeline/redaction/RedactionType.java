package dev.sluice.pipeline.redaction;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * What the redactor recognises. Each match is replaced with {@code [REDACTED:<name>]}.
 *
 * <p>Secret types name their issuer in {@link Finding#provider()}: the long tail of providers
 * shares {@link #API_KEY}, the big ones keep a type of their own.
 *
 * <p>The specificity decides overlaps: when two matches overlap, the more specific one wins (a
 * provider key beats a generic secret assignment, a checksum-validated number beats a phone
 * number); at equal specificity the longer one wins.
 */
public enum RedactionType {
  EMAIL(40),
  PHONE(20),
  CREDIT_CARD(50),
  IBAN(50),
  US_SSN(45),
  IPV4(30),
  IPV6(35),
  OPENAI_KEY(90),
  ANTHROPIC_KEY(95),
  AWS_ACCESS_KEY_ID(90),
  AWS_SECRET_KEY(85),
  GITHUB_TOKEN(90),
  GITLAB_TOKEN(90),
  SLACK_TOKEN(90),
  SLACK_WEBHOOK(90),
  STRIPE_KEY(90),
  GOOGLE_API_KEY(90),
  /**
   * Every other provider's token (Datadog, Hugging Face, npm, Twilio, …), by its documented prefix
   * and shape or by the provider's name next to a value of its shape; {@link Finding#provider()}
   * names the provider.
   */
  API_KEY(90),
  JWT(80),
  BEARER_TOKEN(70),
  BASIC_AUTH(70),
  PRIVATE_KEY(100),
  URL_CREDENTIALS(75),
  SECRET_ASSIGNMENT(60);

  private final int specificity;
  private final String placeholder;

  RedactionType(int specificity) {
    this.specificity = specificity;
    this.placeholder = "[REDACTED:" + name() + "]";
  }

  /** The text that replaces a match, e.g. {@code [REDACTED:EMAIL]}. */
  public String placeholder() {
    return placeholder;
  }

  /** Higher wins when matches overlap. */
  public int specificity() {
    return specificity;
  }

  /** True for the IP address types, which deployments often want to keep. */
  public boolean isIpAddress() {
    return this == IPV4 || this == IPV6;
  }

  /** Every type. */
  public static Set<RedactionType> all() {
    return EnumSet.allOf(RedactionType.class);
  }

  /** Every type except IPv4 and IPv6. */
  public static Set<RedactionType> allExceptIpAddresses() {
    EnumSet<RedactionType> types = EnumSet.allOf(RedactionType.class);
    types.remove(IPV4);
    types.remove(IPV6);
    return types;
  }

  /**
   * Parses a comma-separated list of type names (case-insensitive, blanks ignored), as a tenant
   * policy or an environment variable writes it.
   *
   * @throws IllegalArgumentException naming the unknown entry
   */
  public static Set<RedactionType> parseList(String commaSeparated) {
    EnumSet<RedactionType> types = EnumSet.noneOf(RedactionType.class);
    if (commaSeparated == null) {
      return types;
    }
    for (String part : commaSeparated.split(",")) {
      String name = part.trim().toUpperCase(Locale.ROOT);
      if (name.isEmpty()) {
        continue;
      }
      try {
        types.add(RedactionType.valueOf(name));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "unknown redaction type '" + part.trim() + "'; known: " + Arrays.toString(values()), e);
      }
    }
    return types;
  }
}
