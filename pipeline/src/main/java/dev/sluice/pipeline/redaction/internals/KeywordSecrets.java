package dev.sluice.pipeline.redaction.internals;

import static dev.sluice.pipeline.redaction.internals.TokenFormat.Alphabet.ALNUM;
import static dev.sluice.pipeline.redaction.internals.TokenFormat.Alphabet.ALNUM_UPPER;
import static dev.sluice.pipeline.redaction.internals.TokenFormat.Alphabet.AZURE;
import static dev.sluice.pipeline.redaction.internals.TokenFormat.Alphabet.BASE64;
import static dev.sluice.pipeline.redaction.internals.TokenFormat.Alphabet.BASE64URL;
import static dev.sluice.pipeline.redaction.internals.TokenFormat.Alphabet.BASE64URL_PAD;
import static dev.sluice.pipeline.redaction.internals.TokenFormat.Alphabet.BASE64_PAD;
import static dev.sluice.pipeline.redaction.internals.TokenFormat.Alphabet.DIGIT;
import static dev.sluice.pipeline.redaction.internals.TokenFormat.Alphabet.HEX;
import static dev.sluice.pipeline.redaction.internals.TokenFormat.Alphabet.HEX_LOWER;
import static dev.sluice.pipeline.redaction.internals.TokenFormat.Alphabet.PADDING;
import static dev.sluice.pipeline.redaction.internals.TokenFormats.lit;
import static dev.sluice.pipeline.redaction.internals.TokenFormats.run;

import dev.sluice.pipeline.redaction.RedactionType;
import dev.sluice.pipeline.redaction.internals.TokenFormat.Check;
import dev.sluice.pipeline.redaction.internals.TokenFormat.Part;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Keys that have no prefix of their own, recognised by the provider's name in the assigned name
 * ({@code DATADOG_APP_KEY = …}, {@code "okta_token": "…"}) and a value of exactly the provider's
 * documented length and alphabet. Values that are also common identifiers (UUIDs, 32 hex digits)
 * need a credential word in the name too ({@code key}, {@code token}, {@code secret} …), so {@code
 * heroku_app_uuid} is left alone. Written from the providers' documented formats and the facts
 * gitleaks' keyword rules record.
 */
final class KeywordSecrets {
  private KeywordSecrets() {}

  /**
   * One provider's keyed value.
   *
   * @param keywords lower-case words, one of which the name must contain
   * @param needsSecretWord whether the name must also say key, token, secret …
   * @param value the whole value's shape ({@link TokenFormat} with an empty prefix)
   */
  record KeywordSecret(
      String provider, List<String> keywords, boolean needsSecretWord, TokenFormat value) {
    KeywordSecret {
      keywords = List.copyOf(keywords);
    }
  }

  private static final String[] SECRET_WORDS = {
    "key", "token", "secret", "pass", "pwd", "auth", "credential", "login"
  };

  static final List<KeywordSecret> ALL = build();

  /** The shortest value any rule accepts: shorter values need no keyword lookup. */
  static final int MIN_VALUE = 15;

  /** The rules under each of their keywords. */
  private static final NameWords<KeywordSecret> BY_KEYWORD =
      NameWords.of(ALL, KeywordSecret::keywords);

  /** What a name must also say for a rule that {@link KeywordSecret#needsSecretWord}. */
  private static final NameWords<String> SECRET_WORD_INDEX = NameWords.of(SECRET_WORDS);

  /** Whether {@code s[from, to)} contains a provider keyword. */
  static boolean named(String s, int from, int to) {
    return BY_KEYWORD.occursIn(s, from, to);
  }

  /**
   * The rule whose keyword the name {@code s[nameFrom, nameTo)} contains and whose shape the whole
   * value {@code s[vs, ve)} has; null when none.
   */
  static KeywordSecret match(String s, int nameFrom, int nameTo, int vs, int ve) {
    return BY_KEYWORD.first(
        s,
        nameFrom,
        nameTo,
        rule ->
            (!rule.needsSecretWord() || SECRET_WORD_INDEX.occursIn(s, nameFrom, nameTo))
                && rule.value().match(s, vs, ve) == ve);
  }

  private static List<KeywordSecret> build() {
    Rules r = new Rules();
    r.add("adafruit", false, run(BASE64URL, 32, 32)).words("adafruit");
    r.add("airtable", false, run(ALNUM, 17, 17)).words("airtable");
    r.add("algolia", false, run(ALNUM, 32, 32)).words("algolia");
    r.add("alibaba", false, run(ALNUM, 30, 30)).words("alibaba");
    r.add("asana", false, run(ALNUM, 32, 32)).words("asana");
    r.add(
            "asana",
            false,
            run(DIGIT, 1, 1),
            lit("/"),
            run(DIGIT, 10, 20),
            lit(":"),
            run(HEX, 32, 32))
        .words("asana");
    r.add("atlassian", false, run(ALNUM, 24, 24)).words("atlassian", "confluence", "jira");
    r.add("azure", false, run(BASE64, 86, 86), lit("==")).words("accountkey");
    r.add("azure", false, run(BASE64, 43, 43), lit("=")).words("sharedaccesskey");
    r.add("azure", true, run(AZURE, 40, 40)).words("azure");
    r.add("beamer", false, lit("b_"), run(BASE64URL_PAD, 44, 44)).words("beamer");
    r.add("bitbucket", false, run(BASE64URL_PAD, 64, 64)).words("bitbucket");
    r.add("bittrex", false, run(ALNUM, 32, 32)).words("bittrex");
    r.add("cisco-meraki", false, run(HEX, 40, 40)).words("meraki");
    r.add("cloudflare", false, run(BASE64URL, 40, 40)).words("cloudflare");
    r.add("cloudflare", false, run(HEX_LOWER, 37, 37)).words("cloudflare");
    r.add("codecov", false, run(ALNUM, 32, 32)).words("codecov");
    r.add("cohere", false, run(ALNUM, 40, 40)).words("cohere", "co_api_key");
    r.add("coinbase", false, run(BASE64URL, 64, 64)).words("coinbase");
    r.add("confluent", false, run(ALNUM, 64, 64)).words("confluent");
    r.add("contentful", false, run(BASE64URL_PAD, 43, 43)).words("contentful");
    r.add("datadog", false, run(ALNUM, 40, 40)).words("datadog", "dd_api", "dd_app");
    r.add("datadog", true, run(HEX, 32, 32)).words("datadog", "dd_api", "dd_app");
    r.add("discord", false, run(HEX, 64, 64)).words("discord");
    r.add("discord", true, run(BASE64URL_PAD, 32, 32)).words("discord");
    r.add("droneci", false, run(ALNUM, 32, 32)).words("droneci", "drone_token");
    r.add("dropbox", false, run(ALNUM, 15, 15)).words("dropbox");
    r.add("etsy", false, run(ALNUM, 24, 24)).words("etsy");
    r.add("facebook", true, run(HEX, 32, 32)).words("facebook");
    r.add("fastly", false, run(BASE64URL_PAD, 32, 32)).words("fastly");
    r.add("finicity", true, run(HEX, 32, 32)).words("finicity");
    r.add("finicity", false, run(ALNUM, 20, 20)).words("finicity");
    r.add("finnhub", false, run(ALNUM, 20, 20)).words("finnhub");
    r.add("flickr", false, run(ALNUM, 32, 32)).words("flickr");
    r.add("freshbooks", false, run(ALNUM, 64, 64)).words("freshbooks");
    r.add("gitter", false, run(BASE64URL, 40, 40)).words("gitter");
    r.add("gocardless", false, lit("live_"), run(BASE64URL_PAD, 40, 40)).words("gocardless");
    r.add("heroku", true, TokenFormats.uuid()).words("heroku");
    r.add("hubspot", true, TokenFormats.uuid()).words("hubspot");
    r.add("intercom", false, run(BASE64URL_PAD, 60, 60)).words("intercom");
    r.add("jfrog", false, run(ALNUM, 73, 73)).words("jfrog", "artifactory", "bintray", "xray");
    r.add("jfrog", false, run(ALNUM, 64, 64)).words("jfrog", "artifactory", "bintray", "xray");
    r.add("kraken", false, run(BASE64_PAD, 80, 90)).words("kraken");
    r.add("kucoin", true, run(HEX, 24, 24)).words("kucoin");
    r.add("kucoin", true, TokenFormats.uuid()).words("kucoin");
    r.add("launchdarkly", false, run(BASE64URL_PAD, 40, 40)).words("launchdarkly");
    r.add("linear", true, run(HEX, 32, 32)).words("linear");
    r.add("linkedin", true, run(ALNUM, 16, 16)).words("linkedin", "linked_in", "linked-in");
    r.add("lob", false, lit("live_"), run(HEX_LOWER, 35, 35)).words("lob");
    r.add("lob", false, lit("test_"), run(HEX_LOWER, 35, 35)).words("lob");
    r.add("lob", false, lit("live_pub_"), run(HEX_LOWER, 31, 31)).words("lob");
    r.add("lob", false, lit("test_pub_"), run(HEX_LOWER, 31, 31)).words("lob");
    r.add("looker", true, run(ALNUM, 24, 24)).words("looker");
    r.add("mailchimp", false, run(HEX_LOWER, 32, 32), lit("-us"), run(DIGIT, 1, 2))
        .words("mailchimp");
    r.add(
            "mailgun",
            false,
            run(HEX_LOWER, 32, 32),
            lit("-"),
            run(HEX_LOWER, 8, 8),
            lit("-"),
            run(HEX_LOWER, 8, 8))
        .words("mailgun");
    r.add("mattermost", false, run(ALNUM, 26, 26)).words("mattermost");
    r.add("messagebird", false, run(ALNUM, 25, 25))
        .words("messagebird", "message_bird", "message-bird");
    r.add("netlify", false, run(BASE64URL_PAD, 40, 46)).words("netlify");
    r.add("newrelic", true, run(ALNUM, 64, 64)).words("newrelic", "new_relic", "new-relic");
    r.add("nytimes", false, run(BASE64URL_PAD, 32, 32))
        .words("nytimes", "newyorktimes", "new-york-times");
    r.add("okta", false, lit("00"), run(BASE64URL_PAD, 40, 40)).words("okta");
    r.add("plaid", false, run(ALNUM, 30, 30)).words("plaid");
    r.add("privateai", false, run(ALNUM, 32, 32)).words("privateai", "private_ai", "private-ai");
    r.add("rapidapi", false, run(BASE64URL, 50, 50)).words("rapidapi");
    r.add("sendbird", false, run(HEX, 40, 40)).words("sendbird");
    r.add("sentry", false, run(HEX, 64, 64)).words("sentry");
    r.add("snyk", true, TokenFormats.uuid()).words("snyk");
    r.add("sonarqube", true, run(BASE64URL_PAD, 40, 40)).words("sonar");
    r.add("squarespace", true, TokenFormats.uuid()).words("squarespace");
    r.add("sumologic", false, run(ALNUM, 64, 64)).words("sumo");
    r.add("travisci", false, run(ALNUM, 22, 22)).words("travis");
    r.add("twitch", false, run(ALNUM, 30, 30)).words("twitch");
    r.add("twitter", false, run(ALNUM, 45, 45)).words("twitter");
    r.add("twitter", false, run(ALNUM, 50, 50)).words("twitter");
    r.add("twitter", true, run(ALNUM, 25, 25)).words("twitter");
    r.add("twitter", false, run(DIGIT, 15, 25), lit("-"), run(ALNUM, 20, 40)).words("twitter");
    r.add(
            "yandex",
            false,
            lit("t1."),
            run(BASE64URL, 1, 400),
            run(PADDING, 0, 2),
            lit("."),
            run(BASE64URL, 86, 86),
            run(PADDING, 0, 2))
        .words("yandex");
    r.add("yandex", false, lit("YC"), run(BASE64URL, 38, 38)).words("yandex");
    r.add("zendesk", false, run(ALNUM, 40, 40)).words("zendesk");
    r.add("sidekiq", false, run(HEX_LOWER, 8, 8), lit(":"), run(HEX_LOWER, 8, 8))
        .words("bundle_enterprise__contribsys__com", "bundle_gems__contribsys__com");
    r.add("postmark", true, TokenFormats.uuid()).words("postmark");
    r.add("wandb", false, run(HEX_LOWER, 40, 40)).words("wandb");
    r.add("ngrok", true, run(BASE64URL, 40, 60)).words("ngrok");
    r.add("linode", false, run(HEX_LOWER, 64, 64)).words("linode");
    r.add("vultr", false, run(ALNUM_UPPER, 36, 36)).words("vultr");
    r.add("hetzner", false, run(ALNUM, 64, 64)).words("hetzner", "hcloud");
    return r.rules;
  }

  /** Builds the rules; {@code add} opens one, {@code words} closes it. */
  private static final class Rules {
    final List<KeywordSecret> rules = new ArrayList<>();
    private String provider;
    private boolean needsSecretWord;
    private List<Part> parts;

    /** A value that is one group ({@link TokenFormats#uuid}). */
    Rules add(String id, boolean secretWord, Part[] group) {
      return add(id, secretWord, (Object[]) group);
    }

    Rules add(String id, boolean secretWord, Object... value) {
      this.provider = id;
      this.needsSecretWord = secretWord;
      this.parts = new ArrayList<>();
      for (Object p : value) {
        if (p instanceof Part part) {
          parts.add(part);
        } else if (p instanceof Part[] group) {
          parts.addAll(List.of(group));
        } else {
          throw new IllegalArgumentException("not a part: " + p);
        }
      }
      return this;
    }

    void words(String... keywords) {
      for (String w : keywords) {
        if (!w.equals(w.toLowerCase(Locale.ROOT))) {
          throw new IllegalArgumentException("keywords are lower case: " + w);
        }
      }
      TokenFormat value = new TokenFormat(provider, RedactionType.API_KEY, "", parts, Check.RANDOM);
      rules.add(new KeywordSecret(provider, List.of(keywords), needsSecretWord, value));
    }
  }
}
