package dev.sluice.pipeline.redaction.internals;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.pipeline.redaction.Finding;
import dev.sluice.pipeline.redaction.RedactionType;
import dev.sluice.pipeline.redaction.Redactor;
import dev.sluice.pipeline.redaction.internals.KeywordSecrets.KeywordSecret;
import dev.sluice.pipeline.redaction.internals.TokenFormat.Alphabet;
import dev.sluice.pipeline.redaction.internals.TokenFormat.Check;
import dev.sluice.pipeline.redaction.internals.TokenFormat.Literal;
import dev.sluice.pipeline.redaction.internals.TokenFormat.Optional;
import dev.sluice.pipeline.redaction.internals.TokenFormat.Part;
import dev.sluice.pipeline.redaction.internals.TokenFormat.Run;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Random valid tokens of every format, generated here at run time (so that no valid token is
 * written in the source), in random neighbourhoods: each is redacted whole with its type and
 * provider. Near misses of every format (one character short or long, a character outside the
 * alphabet, a broken checksum, glued to a word, a placeholder) are not redacted as a secret.
 */
class SecretFormatsPropertyTest {
  private static final long SEED = 20261202L;
  private static final int CASES_PER_FORMAT = 24;
  private static final Redactor REDACTOR = Redactor.create();

  /** Where a value sits in a prompt or an answer. */
  private static final List<String> PLACES =
      List.of(
          "%s",
          "the key is %s today",
          "\t%s\t",
          "line one\n%s\nline three",
          "first, %s, last",
          "| prod | %s | rotated |",
          "name,value\nprod,%s\nstage,none",
          "{\"id\": \"a\", \"value\": \"%s\"}",
          "https://api.example.test/v1/items?limit=5&key=%s&page=2",
          "KEY=%s",
          "password=%s\n",
          "token: '%s'",
          "`%s`",
          "(%s)",
          "\"%s\"",
          "- %s\n- next");

  /** Places that name no secret, for near misses. */
  private static final List<String> NEUTRAL =
      List.of("%s", "the value %s here", "\n%s\n", "first, %s, last", "| a | %s | b |", "(%s)");

  @Test
  void everyFormatIsRedactedWithItsTypeAndProviderInAnyPlace() {
    Random random = new Random(SEED);
    int cases = 0;
    for (TokenFormat f : TokenFormats.ALL) {
      for (int n = 0; n < CASES_PER_FORMAT; n++) {
        String token = valid(f, random);
        String place = PLACES.get(random.nextInt(PLACES.size()));
        assertRedactedAs(place, token, f.type(), f.provider(), f.toString(), cases);
        cases++;
      }
    }
    assertThat(cases).isGreaterThan(4000);
  }

  @Test
  void everyKeywordRuleIsRedactedNextToItsProvidersName() {
    Random random = new Random(SEED + 1);
    List<String> assignments =
        List.of(
            "%s=%s",
            "%s: \"%s\"",
            "{\"%s\": \"%s\"}",
            "%s = '%s'",
            "export %s=%s\n",
            "  %s: %s",
            "?a=1&%s=%s&b=2");
    List<String> suffixes = List.of("_API_KEY", "_TOKEN", "_SECRET", "_ACCESS_KEY", ".auth_token");
    int cases = 0;
    for (KeywordSecret rule : KeywordSecrets.ALL) {
      for (int n = 0; n < 2 * CASES_PER_FORMAT; n++) {
        String keyword = rule.keywords().get(random.nextInt(rule.keywords().size()));
        String name = keyword + suffixes.get(random.nextInt(suffixes.size()));
        name = random.nextBoolean() ? name.toUpperCase(Locale.ROOT) : name;
        String value = valid(rule.value(), random);
        String place = assignments.get(random.nextInt(assignments.size()));
        String text = String.format(place, name, value);
        assertFoundExactly(text, text.indexOf(value, name.length()), value, rule.provider(), cases);
        cases++;
      }
    }
    assertThat(cases).isGreaterThan(3000);
  }

  @Test
  void noKeywordValueIsShorterThanTheLookupBound() {
    for (KeywordSecret rule : KeywordSecrets.ALL) {
      int shortest = 0;
      for (Part part : rule.value().parts()) {
        if (part instanceof Literal literal) {
          shortest += literal.text().length();
        } else if (part instanceof Run run) {
          shortest += run.min();
        }
      }
      assertThat(shortest).as(rule.provider()).isGreaterThanOrEqualTo(KeywordSecrets.MIN_VALUE);
    }
  }

  @Test
  void tokensWithAMarkerInsideAreRedactedInAnyPlace() {
    Random random = new Random(SEED + 2);
    List<Function<Random, String>> generators =
        List.of(
            r ->
                chars(r, "abcdefghijklmnopqrstuvwxyz0123456789", 14)
                    + ".atlasv1."
                    + chars(r, Alphabet.BASE64URL.chars(), 60 + r.nextInt(11)),
            r ->
                chars(r, Alphabet.ALNUM.chars(), 3)
                    + r.nextInt(10)
                    + "Q~"
                    + chars(r, Alphabet.ALNUM.chars() + "_~-", 31 + r.nextInt(4)),
            r -> chars(r, "0123456789abcdef", 32) + "-us" + (1 + r.nextInt(20)),
            r ->
                (1 + r.nextInt(9))
                    + chars(r, "0123456789", 8)
                    + ":A"
                    + chars(r, Alphabet.BASE64URL.chars(), 34));
    List<String> providers = List.of("hashicorp", "azure", "mailchimp", "telegram");
    int cases = 0;
    for (int g = 0; g < generators.size(); g++) {
      for (int n = 0; n < 200; n++) {
        String token = generators.get(g).apply(random);
        if (!TokenFormat.notPlaceholder(token, 0, token.length())) {
          continue;
        }
        String place = NEUTRAL.get(random.nextInt(NEUTRAL.size()));
        assertRedactedAs(
            place, token, RedactionType.API_KEY, providers.get(g), providers.get(g), cases);
        cases++;
      }
    }
    assertThat(cases).isGreaterThan(700);
  }

  @Test
  void nearMissesOfEveryFormatAreNotRedactedAsSecrets() {
    Random random = new Random(SEED + 3);
    int cases = 0;
    for (TokenFormat f : TokenFormats.ALL) {
      if (shadowed(f)) {
        continue; // an open-ended sibling of the same provider takes what this one refuses
      }
      for (int n = 0; n < 8; n++) {
        for (String miss : nearMisses(f, random)) {
          String place = NEUTRAL.get(random.nextInt(NEUTRAL.size()));
          String text = String.format(place, miss);
          List<Finding> secrets =
              REDACTOR.find(text).stream().filter(x -> x.provider() != null).toList();
          assertThat(secrets)
              .as("seed %d, case %d, %s near miss in %s", SEED + 3, cases, f, text)
              .isEmpty();
          cases++;
        }
      }
    }
    assertThat(cases).isGreaterThan(3000);
  }

  @Test
  void everyProviderOfTheTablesHasPositivesAndNearMissesInTheCorpus() throws IOException {
    Set<String> positives = new TreeSet<>();
    Set<String> negatives = new TreeSet<>();
    try (InputStream in = getClass().getResourceAsStream("/redaction/secrets-corpus.txt")) {
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        String[] head = line.split(" \\| ", 2)[0].trim().split(" +");
        if (head[0].equals("+") && head.length == 3) {
          positives.add(head[2]);
        } else if (head[0].equals("-") && head.length == 2) {
          negatives.add(head[1]);
        }
      }
    }
    Set<String> providers = new TreeSet<>();
    TokenFormats.ALL.forEach(f -> providers.add(f.provider()));
    KeywordSecrets.ALL.forEach(r -> providers.add(r.provider()));
    assertThat(positives).containsAll(providers);
    assertThat(providers).hasSizeGreaterThan(140);
    assertThat(negatives).hasSizeGreaterThan(70);
  }

  private static void assertRedactedAs(
      String place, String token, RedactionType type, String provider, String what, int n) {
    String text = String.format(place, token);
    int at = text.indexOf(token);
    List<Finding> found = REDACTOR.find(text);
    assertThat(found)
        .as("seed %d, case %d, %s in %s", SEED, n, what, text)
        .containsExactly(new Finding(type, at, at + token.length(), provider));
  }

  private static void assertFoundExactly(
      String text, int at, String value, String provider, int n) {
    assertThat(REDACTOR.find(text))
        .as("seed %d, case %d, %s keyword value in %s", SEED, n, provider, text)
        .containsExactly(new Finding(RedactionType.API_KEY, at, at + value.length(), provider));
  }

  /** A valid token of {@code f}: each run a random length in range, and the check satisfied. */
  static String valid(TokenFormat f, Random random) {
    for (int attempt = 0; ; attempt++) {
      String token = draw(f, random);
      int from = f.prefix().length();
      if (TokenFormat.notPlaceholder(token, from, token.length()) || attempt > 100) {
        return token;
      }
    }
  }

  private static String draw(TokenFormat f, Random random) {
    StringBuilder sb = new StringBuilder(f.prefix());
    if (f.check() == Check.BASE64_JSON) {
      String json =
          "{\"email\":\"fake-"
              + chars(random, "abcdefghijklmnopqrstuvwxyz", 12)
              + "@service.example\",\"secretKey\":\""
              + chars(random, Alphabet.ALNUM.chars(), 30 + random.nextInt(60))
              + "\",\"signInAddress\":\"fake.example\"}";
      String b64 = Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8));
      return sb.append(b64.replace("=", "")).toString();
    }
    if (f.check() == Check.CRC32_BASE62) {
      String body = chars(random, Alphabet.ALNUM.chars(), 30);
      return sb.append(body).append(Checksums.crc32Base62(body, 0, 30)).toString();
    }
    for (Part part : f.parts()) {
      if (part instanceof Literal literal) {
        sb.append(literal.text());
      } else if (part instanceof Run run) {
        sb.append(run(random, run));
      } else if (part instanceof Optional optional && random.nextBoolean()) {
        sb.append(optional.literal()).append(run(random, optional.run()));
      }
    }
    if (f.check() == Check.LETTER_AND_DIGIT) {
      int k = f.prefix().length() + random.nextInt(sb.length() - f.prefix().length() - 1);
      sb.setCharAt(k, 'q');
      sb.setCharAt(k + 1, '7');
    }
    return sb.toString();
  }

  private static String run(Random random, Run run) {
    int span = Math.min(run.max(), run.min() + 64) - run.min();
    int length = run.min() + (span == 0 ? 0 : random.nextInt(span + 1));
    String chars = run.alphabet().chars();
    String out = chars(random, chars, length);
    // padding is at the end, never first
    if (out.startsWith("=") && run.alphabet() != Alphabet.PADDING) {
      out = "Q" + out.substring(1);
    }
    // a trailing full stop reads as the sentence's
    while (out.endsWith(".")) {
      out = out.substring(0, out.length() - 1) + "Z";
    }
    return out;
  }

  static String chars(Random random, String alphabet, int length) {
    StringBuilder sb = new StringBuilder(length);
    for (int k = 0; k < length; k++) {
      sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return sb.toString();
  }

  /** Another format of the same provider whose prefix starts this one's: it accepts more. */
  private static boolean shadowed(TokenFormat f) {
    for (TokenFormat g : TokenFormats.ALL) {
      if (g != f && (f.prefix().startsWith(g.prefix()) || g.prefix().startsWith(f.prefix()))) {
        return true;
      }
    }
    return false;
  }

  /** One short, one long, a character outside the alphabet, a broken checksum, glued, a mask. */
  private static List<String> nearMisses(TokenFormat f, Random random) {
    List<String> misses = new ArrayList<>();
    String token = valid(f, random);
    if (token.indexOf('.') < 0) {
      misses.add("q" + token); // after a dot a word starts again
    }
    misses.add(placeholder(f));
    if (f.check() == Check.CRC32_BASE62) {
      char last = token.charAt(token.length() - 1);
      misses.add(token.substring(0, token.length() - 1) + (last == 'z' ? 'y' : 'z'));
    }
    List<Part> parts = f.parts();
    for (int p = 0; p < parts.size(); p++) {
      if (!(parts.get(p) instanceof Run run) || run.min() < 2) {
        continue;
      }
      misses.add(withRun(f, random, p, run.min() - 1, null));
      if (run.max() <= 300) {
        misses.add(withRun(f, random, p, run.max() + 1, null));
      }
      char outside = outside(run.alphabet());
      if (outside != 0) {
        misses.add(withRun(f, random, p, run.min(), outside));
      }
      break;
    }
    return misses;
  }

  /** A token of {@code f} whose part {@code p} has {@code length} characters, one of them bad. */
  private static String withRun(TokenFormat f, Random random, int p, int length, Character bad) {
    StringBuilder sb = new StringBuilder(f.prefix());
    List<Part> parts = f.parts();
    for (int k = 0; k < parts.size(); k++) {
      Part part = parts.get(k);
      if (part instanceof Literal literal) {
        sb.append(literal.text());
      } else if (part instanceof Run run) {
        String body = k == p ? chars(random, run.alphabet().chars(), length) : run(random, run);
        if (k == p && bad != null) {
          int at = random.nextInt(Math.max(1, length - 1));
          body = body.substring(0, at) + bad + body.substring(at + 1);
        }
        sb.append(body);
      }
    }
    return sb.toString();
  }

  /** A character that continues a word but is not in {@code alphabet}; 0 when there is none. */
  private static char outside(Alphabet alphabet) {
    for (char c : new char[] {'z', 'g', 'Q', '9', '_', '-'}) {
      if (!alphabet.has(c)) {
        return c;
      }
    }
    return 0;
  }

  /** The prefix and every run filled with one character, as documentation writes a mask. */
  private static String placeholder(TokenFormat f) {
    StringBuilder sb = new StringBuilder(f.prefix());
    for (Part part : f.parts()) {
      if (part instanceof Literal literal) {
        sb.append(literal.text());
      } else if (part instanceof Run run) {
        sb.append(String.valueOf(run.alphabet().chars().charAt(0)).repeat(Math.max(run.min(), 1)));
      }
    }
    return sb.toString();
  }
}
