package dev.sluice.pipeline.redaction.internals;

import static dev.sluice.pipeline.redaction.RedactionType.ANTHROPIC_KEY;
import static dev.sluice.pipeline.redaction.RedactionType.API_KEY;
import static dev.sluice.pipeline.redaction.RedactionType.AWS_ACCESS_KEY_ID;
import static dev.sluice.pipeline.redaction.RedactionType.GITHUB_TOKEN;
import static dev.sluice.pipeline.redaction.RedactionType.GITLAB_TOKEN;
import static dev.sluice.pipeline.redaction.RedactionType.GOOGLE_API_KEY;
import static dev.sluice.pipeline.redaction.RedactionType.OPENAI_KEY;
import static dev.sluice.pipeline.redaction.RedactionType.SLACK_TOKEN;
import static dev.sluice.pipeline.redaction.RedactionType.STRIPE_KEY;
import static dev.sluice.pipeline.redaction.internals.TokenFormat.Alphabet.ALNUM;
import static dev.sluice.pipeline.redaction.internals.TokenFormat.Alphabet.ALNUM_DASH;
import static dev.sluice.pipeline.redaction.internals.TokenFormat.Alphabet.ALNUM_LOWER;
import static dev.sluice.pipeline.redaction.internals.TokenFormat.Alphabet.ALNUM_PERCENT;
import static dev.sluice.pipeline.redaction.internals.TokenFormat.Alphabet.ALNUM_UPPER;
import static dev.sluice.pipeline.redaction.internals.TokenFormat.Alphabet.BASE32_UPPER;
import static dev.sluice.pipeline.redaction.internals.TokenFormat.Alphabet.BASE64;
import static dev.sluice.pipeline.redaction.internals.TokenFormat.Alphabet.BASE64URL;
import static dev.sluice.pipeline.redaction.internals.TokenFormat.Alphabet.BASE64URL_PAD;
import static dev.sluice.pipeline.redaction.internals.TokenFormat.Alphabet.BASE64_ANY;
import static dev.sluice.pipeline.redaction.internals.TokenFormat.Alphabet.BECH32_UPPER;
import static dev.sluice.pipeline.redaction.internals.TokenFormat.Alphabet.DIGIT;
import static dev.sluice.pipeline.redaction.internals.TokenFormat.Alphabet.HEX;
import static dev.sluice.pipeline.redaction.internals.TokenFormat.Alphabet.HEX_LOWER;
import static dev.sluice.pipeline.redaction.internals.TokenFormat.Alphabet.LOWER;
import static dev.sluice.pipeline.redaction.internals.TokenFormat.Alphabet.PADDING;
import static dev.sluice.pipeline.redaction.internals.TokenFormat.Alphabet.SEPARATOR;
import static dev.sluice.pipeline.redaction.internals.TokenFormat.Alphabet.TOKEN_DOT;
import static dev.sluice.pipeline.redaction.internals.TokenFormat.Alphabet.WORD;
import static dev.sluice.pipeline.redaction.internals.TokenFormat.Check.BASE64_JSON;
import static dev.sluice.pipeline.redaction.internals.TokenFormat.Check.CRC32_BASE62;
import static dev.sluice.pipeline.redaction.internals.TokenFormat.Check.LETTER_AND_DIGIT;
import static dev.sluice.pipeline.redaction.internals.TokenFormat.Check.RANDOM;

import dev.sluice.pipeline.redaction.RedactionType;
import dev.sluice.pipeline.redaction.internals.TokenFormat.Alphabet;
import dev.sluice.pipeline.redaction.internals.TokenFormat.Check;
import dev.sluice.pipeline.redaction.internals.TokenFormat.Literal;
import dev.sluice.pipeline.redaction.internals.TokenFormat.Optional;
import dev.sluice.pipeline.redaction.internals.TokenFormat.Part;
import dev.sluice.pipeline.redaction.internals.TokenFormat.Run;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The token formats recognised by their prefix, grouped by provider, as each provider documents
 * them (prefix, length, alphabet, checksum). Written from the providers' documentation and the
 * facts that gitleaks' default rules and secretlint's rule packages record; no rule is copied.
 *
 * <p>Formats are looked up by the first two characters of a word, so a word start costs one array
 * load and a few character comparisons. Where prefixes overlap, the longest that matches decides
 * the provider, and only that provider's formats are tried.
 */
final class TokenFormats {
  private TokenFormats() {}

  /** Every format, in table order. */
  static final List<TokenFormat> ALL = build();

  /** Formats by {@code c1 * 128 + c2} of their prefix, longest prefix first; null where none. */
  private static final TokenFormat[][] BY_FIRST_TWO = index(ALL);

  /**
   * The third characters of the prefixes in each {@link #BY_FIRST_TWO} bucket, as a 128-bit set
   * (two longs per bucket), or every bit where a prefix is only two long: most words that start
   * like a prefix ({@code op}, {@code pr}, {@code se} ...) are told apart by their third character
   * without comparing any prefix.
   */
  private static final long[] THIRD = thirdChars(BY_FIRST_TWO);

  /**
   * The formats whose prefix may start at {@code i}: those starting with {@code s[i]} and {@code
   * s[i + 1]} when {@code s[i + 2]} is a third character one of them has; null when none.
   */
  static TokenFormat[] candidates(String s, int i) {
    int n = s.length();
    if (i + 1 >= n) {
      return null;
    }
    int c1 = s.charAt(i);
    int c2 = s.charAt(i + 1);
    if ((c1 | c2) >= 128) {
      return null;
    }
    int key = c1 << 7 | c2;
    TokenFormat[] bucket = BY_FIRST_TWO[key];
    if (bucket == null) {
      return null;
    }
    int c3 = i + 2 < n ? s.charAt(i + 2) : 0;
    if (c3 >= 128 || (THIRD[2 * key + (c3 >> 6)] & 1L << c3) == 0) {
      return null;
    }
    return bucket;
  }

  private static long[] thirdChars(TokenFormat[][] index) {
    long[] third = new long[2 * index.length];
    for (int key = 0; key < index.length; key++) {
      for (TokenFormat f : index[key] == null ? new TokenFormat[0] : index[key]) {
        if (f.prefix().length() == 2) {
          third[2 * key] = -1L;
          third[2 * key + 1] = -1L;
        } else {
          char c3 = f.prefix().charAt(2);
          third[2 * key + (c3 >> 6)] |= 1L << c3;
        }
      }
    }
    return third;
  }

  /** The first characters of every prefix. */
  static String firstChars() {
    StringBuilder sb = new StringBuilder();
    for (TokenFormat f : ALL) {
      char c = f.prefix().charAt(0);
      if (sb.indexOf(String.valueOf(c)) < 0) {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  private static TokenFormat[][] index(List<TokenFormat> formats) {
    List<List<TokenFormat>> buckets = new ArrayList<>();
    for (int k = 0; k < 128 * 128; k++) {
      buckets.add(null);
    }
    for (TokenFormat f : formats) {
      if (f.prefix().length() < 2) {
        throw new IllegalStateException("prefix of two characters at least: " + f);
      }
      int key = f.prefix().charAt(0) * 128 + f.prefix().charAt(1);
      if (buckets.get(key) == null) {
        buckets.set(key, new ArrayList<>());
      }
      buckets.get(key).add(f);
    }
    TokenFormat[][] index = new TokenFormat[128 * 128][];
    for (int k = 0; k < index.length; k++) {
      List<TokenFormat> bucket = buckets.get(k);
      if (bucket != null) {
        bucket.sort(Comparator.comparingInt((TokenFormat f) -> f.prefix().length()).reversed());
        index[k] = bucket.toArray(new TokenFormat[0]);
      }
    }
    return index;
  }

  private static List<TokenFormat> build() {
    Table t = new Table();

    // AI providers
    t.provider("openai", OPENAI_KEY)
        .add("sk-proj-", LETTER_AND_DIGIT, run(BASE64URL, 20, 512))
        .add("sk-svcacct-", LETTER_AND_DIGIT, run(BASE64URL, 20, 512))
        .add("sk-admin-", LETTER_AND_DIGIT, run(BASE64URL, 20, 512))
        // legacy user keys (20 + T3BlbkFJ + 20) and every later sk- key
        .add("sk-", LETTER_AND_DIGIT, run(BASE64URL, 20, 512));
    t.provider("anthropic", ANTHROPIC_KEY)
        .add("sk-ant-api03-", RANDOM, run(BASE64URL, 93, 93), lit("AA"))
        .add("sk-ant-admin01-", RANDOM, run(BASE64URL, 93, 93), lit("AA"))
        .add("sk-ant-", LETTER_AND_DIGIT, run(BASE64URL, 20, 512));
    t.provider("groq", API_KEY).add("gsk_", RANDOM, run(ALNUM, 52, 52));
    t.provider("openrouter", API_KEY).add("sk-or-v1-", RANDOM, run(HEX_LOWER, 64, 64));
    t.provider("xai", API_KEY).add("xai-", RANDOM, run(ALNUM, 70, 90));
    t.provider("replicate", API_KEY).add("r8_", RANDOM, run(ALNUM, 37, 40));
    t.provider("pinecone", API_KEY).add("pcsk_", RANDOM, run(BASE64URL, 40, 100));
    t.provider("perplexity", API_KEY).add("pplx-", RANDOM, run(ALNUM, 48, 48));
    t.provider("huggingface", API_KEY)
        .add("hf_", RANDOM, run(ALNUM, 34, 34))
        .add("api_org_", RANDOM, run(ALNUM, 34, 34));
    t.provider("langsmith", API_KEY)
        .add("lsv2_pt_", RANDOM, run(ALNUM, 32, 32), lit("_"), run(ALNUM, 10, 10))
        .add("lsv2_sk_", RANDOM, run(ALNUM, 32, 32), lit("_"), run(ALNUM, 10, 10));

    // clouds
    t.provider("aws", AWS_ACCESS_KEY_ID)
        .add("AKIA", RANDOM, run(BASE32_UPPER, 16, 16))
        .add("ASIA", RANDOM, run(BASE32_UPPER, 16, 16))
        .add("ABIA", RANDOM, run(BASE32_UPPER, 16, 16))
        .add("ACCA", RANDOM, run(BASE32_UPPER, 16, 16))
        .add("A3T", RANDOM, run(ALNUM_UPPER, 1, 1), run(BASE32_UPPER, 16, 16));
    t.provider("google", GOOGLE_API_KEY).add("AIza", RANDOM, run(BASE64URL, 35, 35));
    t.provider("google", API_KEY)
        .add("GOCSPX-", RANDOM, run(BASE64URL, 28, 28))
        .add("ya29.", RANDOM, run(BASE64URL, 30, 2048));
    t.provider("alibaba", API_KEY).add("LTAI", RANDOM, run(ALNUM, 12, 20));
    t.provider("tencent", API_KEY).add("AKID", RANDOM, run(ALNUM, 32, 32));
    t.provider("scaleway", API_KEY).add("SCW", RANDOM, run(ALNUM_UPPER, 17, 17));
    t.provider("supabase", API_KEY)
        .add("sbp_", RANDOM, run(HEX_LOWER, 40, 40))
        .add("sb_secret_", RANDOM, run(BASE64URL, 20, 64));
    t.provider("netlify", API_KEY).add("nfp_", RANDOM, run(ALNUM, 36, 44));
    t.provider("render", API_KEY).add("rnd_", RANDOM, run(ALNUM, 32, 32));
    t.provider("digitalocean", API_KEY)
        .add("dop_v1_", RANDOM, run(HEX_LOWER, 64, 64))
        .add("doo_v1_", RANDOM, run(HEX_LOWER, 64, 64))
        .add("dor_v1_", RANDOM, run(HEX_LOWER, 64, 64));
    t.provider("cloudflare", API_KEY)
        .add("cfk_", RANDOM, run(ALNUM, 48, 48))
        .add("cfut_", RANDOM, run(ALNUM, 48, 48))
        .add("cfat_", RANDOM, run(ALNUM, 48, 48))
        .add("v1.0-", RANDOM, run(HEX_LOWER, 24, 24), lit("-"), run(HEX_LOWER, 146, 146));
    t.provider("heroku", API_KEY).add("HRKU-AA", RANDOM, run(BASE64URL, 58, 58));
    t.provider("flyio", API_KEY)
        .add("fo1_", RANDOM, run(BASE64URL, 43, 43))
        .add("fm1r_", RANDOM, run(BASE64, 100, 4096), run(PADDING, 0, 3))
        .add("fm1a_", RANDOM, run(BASE64, 100, 4096), run(PADDING, 0, 3))
        .add("fm2_", RANDOM, run(BASE64, 100, 4096), run(PADDING, 0, 3));
    t.provider("openshift", API_KEY).add("sha256~", RANDOM, run(BASE64URL, 43, 43));
    t.provider("scalingo", API_KEY).add("tk-us-", RANDOM, run(BASE64URL, 48, 48));
    t.provider("vercel", API_KEY)
        .add("vcp_", RANDOM, run(ALNUM, 20, 60))
        .add("vci_", RANDOM, run(ALNUM, 20, 60))
        .add("vca_", RANDOM, run(ALNUM, 20, 60))
        .add("vcr_", RANDOM, run(ALNUM, 20, 60))
        .add("vck_", RANDOM, run(ALNUM, 20, 60));
    t.provider("tailscale", API_KEY)
        .add(
            "tskey-",
            RANDOM,
            run(LOWER, 3, 10),
            lit("-"),
            run(WORD, 8, 40),
            lit("-"),
            run(WORD, 16, 60));
    t.provider("yandex", API_KEY).add("AQVN", RANDOM, run(BASE64URL, 35, 38));
    t.provider("castai", API_KEY)
        .add("castai_v1_", RANDOM, run(ALNUM, 64, 64), lit("_"), run(ALNUM, 8, 8));
    t.provider("defined-networking", API_KEY)
        .add("dnkey-", RANDOM, run(BASE64URL_PAD, 26, 26), lit("-"), run(BASE64URL_PAD, 52, 52));

    // source control, packages, CI
    t.provider("github", GITHUB_TOKEN)
        .add("ghp_", CRC32_BASE62, run(ALNUM, 36, 36))
        .add("gho_", CRC32_BASE62, run(ALNUM, 36, 36))
        .add("ghu_", CRC32_BASE62, run(ALNUM, 36, 36))
        .add("ghs_", CRC32_BASE62, run(ALNUM, 36, 36))
        .add("ghr_", CRC32_BASE62, run(ALNUM, 36, 36))
        .add("github_pat_", RANDOM, run(ALNUM, 22, 22), lit("_"), run(ALNUM, 59, 59));
    Run routable = run(ALNUM_LOWER, 9, 9);
    t.provider("gitlab", GITLAB_TOKEN)
        .add("glpat-", RANDOM, run(BASE64URL, 20, 300), opt(".", routable))
        .add("glrt-", RANDOM, run(BASE64URL, 20, 300), opt(".", routable))
        .add("gldt-", RANDOM, run(BASE64URL, 20, 300), opt(".", routable))
        .add("glft-", RANDOM, run(BASE64URL, 20, 300), opt(".", routable))
        .add("glsoat-", RANDOM, run(BASE64URL, 20, 300), opt(".", routable))
        .add("glffct-", RANDOM, run(BASE64URL, 20, 300), opt(".", routable))
        .add("glcbt-", RANDOM, run(ALNUM, 1, 5), lit("_"), run(BASE64URL, 20, 300))
        .add("glimt-", RANDOM, run(BASE64URL, 25, 25))
        .add("glagent-", RANDOM, run(BASE64URL, 50, 50))
        .add("gloas-", RANDOM, run(BASE64URL, 64, 64))
        .add("glptt-", RANDOM, run(HEX_LOWER, 40, 40))
        .add("GR1348941", RANDOM, run(BASE64URL, 20, 20))
        .add("_gitlab_session=", RANDOM, run(ALNUM_LOWER, 32, 32));
    t.provider("bitbucket", API_KEY).add("ATBB", RANDOM, run(ALNUM, 32, 32));
    t.provider("npm", API_KEY).add("npm_", CRC32_BASE62, run(ALNUM, 36, 36));
    t.provider("pypi", API_KEY)
        .add("pypi-AgEIcHlwaS5vcmc", RANDOM, run(BASE64URL, 50, 1000))
        .add("pypi-AgENdGVzdC5weXBpLm9yZw", RANDOM, run(BASE64URL, 50, 1000));
    t.provider("rubygems", API_KEY).add("rubygems_", RANDOM, run(HEX_LOWER, 48, 48));
    t.provider("clojars", API_KEY).add("CLOJARS_", RANDOM, run(ALNUM, 60, 60));
    t.provider("jfrog", API_KEY)
        .add("AKCp", RANDOM, run(ALNUM, 69, 69))
        .add("cmVmd", RANDOM, run(ALNUM, 59, 59));
    t.provider("databricks", API_KEY)
        .add("dapi", RANDOM, run(HEX_LOWER, 32, 32), opt("-", run(DIGIT, 1, 1)));
    t.provider("pulumi", API_KEY).add("pul-", RANDOM, run(HEX_LOWER, 40, 40));
    t.provider("docker", API_KEY)
        .add("dckr_pat_", RANDOM, run(BASE64URL, 27, 27))
        .add("dckr_oat_", RANDOM, run(BASE64URL, 32, 32));
    t.provider("buildkite", API_KEY).add("bkua_", RANDOM, run(HEX_LOWER, 40, 40));
    t.provider("circleci", API_KEY)
        .add("CCIPAT_", RANDOM, run(ALNUM, 22, 22), lit("_"), run(HEX_LOWER, 40, 40));
    t.provider("prefect", API_KEY).add("pnu_", RANDOM, run(ALNUM, 36, 36));
    t.provider("infracost", API_KEY).add("ico-", RANDOM, run(ALNUM, 32, 32));
    t.provider("sourcegraph", API_KEY)
        .add("sgp_local_", RANDOM, run(HEX, 40, 40))
        .add("sgp_", RANDOM, run(HEX, 16, 16), lit("_"), run(HEX, 40, 40))
        .add("sgp_", RANDOM, run(HEX, 40, 40));
    t.provider("sonarqube", API_KEY)
        .add("squ_", RANDOM, run(HEX_LOWER, 40, 40))
        .add("sqp_", RANDOM, run(HEX_LOWER, 40, 40))
        .add("sqa_", RANDOM, run(HEX_LOWER, 40, 40));
    t.provider("octopus-deploy", API_KEY).add("API-", RANDOM, run(ALNUM_UPPER, 26, 26));
    t.provider("harness", API_KEY)
        .add(
            "pat.",
            RANDOM,
            run(BASE64URL, 22, 22),
            lit("."),
            run(ALNUM, 24, 24),
            lit("."),
            run(ALNUM, 20, 20))
        .add(
            "sat.",
            RANDOM,
            run(BASE64URL, 22, 22),
            lit("."),
            run(ALNUM, 24, 24),
            lit("."),
            run(ALNUM, 20, 20));
    t.provider("readme", API_KEY).add("rdme_", RANDOM, run(ALNUM_LOWER, 70, 70));
    t.provider("chieftools", API_KEY)
        .add("ctp_", RANDOM, run(ALNUM, 30, 248))
        .add("cto_", RANDOM, run(ALNUM, 30, 248))
        .add("ctr_", RANDOM, run(ALNUM, 30, 248));

    // secrets managers and identity
    t.provider("hashicorp", API_KEY)
        .add("hvs.", RANDOM, run(BASE64URL, 90, 120))
        .add("hvb.", RANDOM, run(BASE64URL, 138, 300))
        .add("hvr.", RANDOM, run(BASE64URL, 90, 120))
        .add("s.", LETTER_AND_DIGIT, run(ALNUM, 24, 24));
    t.provider("doppler", API_KEY)
        .add("dp.pt.", RANDOM, run(ALNUM, 40, 44))
        .add("dp.st.", RANDOM, run(ALNUM, 40, 44))
        .add("dp.ct.", RANDOM, run(ALNUM, 40, 44))
        .add("dp.sa.", RANDOM, run(ALNUM, 40, 44))
        .add("dp.scim.", RANDOM, run(ALNUM, 40, 44))
        .add("dp.audit.", RANDOM, run(ALNUM, 40, 44));
    Run upper5 = run(ALNUM_UPPER, 5, 5);
    t.provider("1password", API_KEY)
        .add("ops_", BASE64_JSON, lit("eyJ"), run(BASE64_ANY, 100, 4096), run(PADDING, 0, 3))
        .add(
            "A3-",
            RANDOM,
            run(ALNUM_UPPER, 6, 6),
            lit("-"),
            run(ALNUM_UPPER, 11, 11),
            lit("-"),
            upper5,
            lit("-"),
            upper5,
            lit("-"),
            upper5)
        .add(
            "A3-",
            RANDOM,
            run(ALNUM_UPPER, 6, 6),
            lit("-"),
            run(ALNUM_UPPER, 6, 6),
            lit("-"),
            upper5,
            lit("-"),
            upper5,
            lit("-"),
            upper5,
            lit("-"),
            upper5);
    t.provider("age", API_KEY).add("AGE-SECRET-KEY-1", RANDOM, run(BECH32_UPPER, 58, 58));
    t.provider("authress", API_KEY)
        .add("sc_", RANDOM, authress())
        .add("ext_", RANDOM, authress())
        .add("scauth_", RANDOM, authress())
        .add("authress_", RANDOM, authress());
    t.provider("atlassian", API_KEY).add("ATATT3", RANDOM, run(BASE64URL_PAD, 186, 186));

    // observability
    t.provider("grafana", API_KEY)
        .add("eyJrIjoi", RANDOM, run(ALNUM, 70, 400), run(PADDING, 0, 3))
        .add("glc_", RANDOM, run(BASE64, 32, 400), run(PADDING, 0, 3))
        .add("glsa_", RANDOM, run(ALNUM, 32, 32), lit("_"), run(HEX, 8, 8));
    t.provider("dynatrace", API_KEY)
        .add("dt0c01.", RANDOM, run(ALNUM, 24, 24), lit("."), run(ALNUM, 64, 64));
    t.provider("newrelic", API_KEY)
        .add("NRAK-", RANDOM, run(ALNUM_UPPER, 27, 27))
        .add("NRJS-", RANDOM, run(HEX_LOWER, 19, 19))
        .add("NRII-", RANDOM, run(ALNUM_DASH, 32, 32));
    t.provider("sentry", API_KEY)
        .add(
            "sntrys_",
            RANDOM,
            lit("eyJ"),
            run(BASE64, 30, 400),
            run(PADDING, 0, 2),
            lit("_"),
            run(BASE64, 43, 43))
        .add("sntryu_", RANDOM, run(HEX_LOWER, 64, 64));

    // payments and commerce
    Run stripeBody = run(ALNUM, 10, 512);
    t.provider("stripe", STRIPE_KEY)
        .add("sk_live_", RANDOM, stripeBody)
        .add("sk_test_", RANDOM, stripeBody)
        .add("sk_prod_", RANDOM, stripeBody)
        .add("rk_live_", RANDOM, stripeBody)
        .add("rk_test_", RANDOM, stripeBody)
        .add("rk_prod_", RANDOM, stripeBody)
        .add("whsec_", RANDOM, run(ALNUM, 32, 128));
    t.provider("square", API_KEY)
        .add("sq0atp-", RANDOM, run(BASE64URL, 22, 60))
        .add("sq0csp-", RANDOM, run(BASE64URL, 43, 43))
        .add("EAAA", RANDOM, run(BASE64URL, 22, 60));
    t.provider("shopify", API_KEY)
        .add("shpat_", RANDOM, run(HEX, 32, 32))
        .add("shpca_", RANDOM, run(HEX, 32, 32))
        .add("shppa_", RANDOM, run(HEX, 32, 32))
        .add("shpss_", RANDOM, run(HEX, 32, 32));
    t.provider("flutterwave", API_KEY)
        .add("FLWSECK_TEST-", RANDOM, run(HEX, 32, 32), lit("-X"))
        .add("FLWSECK_TEST-", RANDOM, run(HEX, 12, 12))
        .add("FLWSECK-", RANDOM, run(HEX, 32, 32), lit("-X"))
        .add("FLWPUBK_TEST-", RANDOM, run(HEX, 32, 32), lit("-X"))
        .add("FLWPUBK-", RANDOM, run(HEX, 32, 32), lit("-X"));
    t.provider("adyen", API_KEY)
        .add("AQE", RANDOM, run(ALNUM, 5, 64), lit("."), run(BASE64URL_PAD, 50, 80));
    t.provider("braintree", API_KEY)
        .add(
            "access_token$production$",
            RANDOM,
            run(ALNUM_LOWER, 16, 16),
            opt("$", run(HEX_LOWER, 32, 32)))
        .add(
            "access_token$sandbox$",
            RANDOM,
            run(ALNUM_LOWER, 16, 16),
            opt("$", run(HEX_LOWER, 32, 32)))
        .add("production_", RANDOM, run(ALNUM_LOWER, 8, 8), lit("_"), run(ALNUM_LOWER, 16, 16))
        .add("sandbox_", RANDOM, run(ALNUM_LOWER, 8, 8), lit("_"), run(ALNUM_LOWER, 16, 16));
    t.provider("plaid", API_KEY)
        .add("access-sandbox-", RANDOM, uuid())
        .add("access-development-", RANDOM, uuid())
        .add("access-production-", RANDOM, uuid());
    t.provider("duffel", API_KEY)
        .add("duffel_test_", RANDOM, run(BASE64URL_PAD, 43, 43))
        .add("duffel_live_", RANDOM, run(BASE64URL_PAD, 43, 43));
    t.provider("easypost", API_KEY)
        .add("EZAK", RANDOM, run(ALNUM, 54, 54))
        .add("EZTK", RANDOM, run(ALNUM, 54, 54));
    t.provider("shippo", API_KEY)
        .add("shippo_live_", RANDOM, run(HEX, 40, 40))
        .add("shippo_test_", RANDOM, run(HEX, 40, 40));

    // messaging, mail and social
    t.provider("slack", SLACK_TOKEN)
        .add("xoxb-", LETTER_AND_DIGIT, run(BASE64URL, 10, 512))
        .add("xoxp-", LETTER_AND_DIGIT, run(BASE64URL, 10, 512))
        .add("xoxa-", LETTER_AND_DIGIT, run(BASE64URL, 10, 512))
        .add("xoxr-", LETTER_AND_DIGIT, run(BASE64URL, 10, 512))
        .add("xoxs-", LETTER_AND_DIGIT, run(BASE64URL, 10, 512))
        .add("xoxo-", LETTER_AND_DIGIT, run(BASE64URL, 10, 512))
        .add("xoxe-", LETTER_AND_DIGIT, run(BASE64URL, 10, 512))
        .add("xoxe.xoxb-", LETTER_AND_DIGIT, run(BASE64URL, 10, 512))
        .add("xoxe.xoxp-", LETTER_AND_DIGIT, run(BASE64URL, 10, 512))
        .add("xapp-", LETTER_AND_DIGIT, run(BASE64URL, 10, 512));
    t.provider("discord", API_KEY);
    for (String p : new String[] {"MT", "Mj", "Mz", "ND", "NT", "Nj", "Nz", "OD", "OT"}) {
      // a bot token: base64 of the bot's numeric id, a timestamp, an HMAC
      t.add(
          p,
          RANDOM,
          run(ALNUM, 22, 24),
          lit("."),
          run(BASE64URL, 6, 6),
          lit("."),
          run(BASE64URL, 27, 38));
    }
    t.provider("sendgrid", API_KEY)
        .add("SG.", RANDOM, run(BASE64URL, 22, 22), lit("."), run(BASE64URL, 43, 43));
    t.provider("brevo", API_KEY)
        .add("xkeysib-", RANDOM, run(HEX_LOWER, 64, 64), lit("-"), run(ALNUM, 16, 16))
        .add("xsmtpsib-", RANDOM, run(HEX_LOWER, 64, 64), lit("-"), run(ALNUM, 16, 16));
    t.provider("mailgun", API_KEY)
        .add("key-", RANDOM, run(HEX_LOWER, 32, 32))
        .add("pubkey-", RANDOM, run(HEX_LOWER, 32, 32));
    t.provider("twilio", API_KEY)
        .add("SK", RANDOM, run(HEX, 32, 32))
        .add("AC", RANDOM, run(HEX, 32, 32));
    t.provider("facebook", API_KEY)
        .add("EAAM", RANDOM, run(ALNUM, 100, 512))
        .add("EAAC", RANDOM, run(ALNUM, 100, 512));
    t.provider("twitter", API_KEY)
        .add("AAAAAAAAAAAAAAAAAAAAAA", RANDOM, run(ALNUM_PERCENT, 80, 120));
    t.provider("settlemint", API_KEY)
        .add("sm_aat_", RANDOM, run(ALNUM, 16, 16))
        .add("sm_pat_", RANDOM, run(ALNUM, 16, 16))
        .add("sm_sat_", RANDOM, run(ALNUM, 16, 16));

    // productivity and the rest of the long tail
    t.provider("adafruit", API_KEY).add("aio_", RANDOM, run(ALNUM, 28, 28));
    t.provider("adobe", API_KEY).add("p8e-", RANDOM, run(ALNUM, 32, 32));
    t.provider("airtable", API_KEY)
        .add("pat", RANDOM, run(ALNUM, 14, 14), lit("."), run(HEX_LOWER, 64, 64));
    t.provider("hubspot", API_KEY).add("pat-", RANDOM, run(ALNUM_LOWER, 2, 4), lit("-"), uuid());
    t.provider("launchdarkly", API_KEY)
        .add("sdk-", RANDOM, uuid())
        .add("mob-", RANDOM, uuid())
        .add("api-", RANDOM, uuid());
    t.provider("linear", API_KEY)
        .add("lin_api_", RANDOM, run(ALNUM, 40, 40))
        .add("lin_oauth_", RANDOM, run(ALNUM, 32, 64));
    t.provider("notion", API_KEY)
        .add("ntn_", RANDOM, run(DIGIT, 11, 11), run(ALNUM, 35, 35))
        .add("secret_", RANDOM, run(ALNUM, 43, 43));
    t.provider("figma", API_KEY).add("figd_", RANDOM, run(BASE64URL, 40, 200));
    t.provider("contentful", API_KEY).add("CFPAT-", RANDOM, run(BASE64URL, 43, 43));
    t.provider("clickup", API_KEY)
        .add("pk_", RANDOM, run(DIGIT, 6, 10), lit("_"), run(ALNUM_UPPER, 32, 32));
    t.provider("frameio", API_KEY).add("fio-u-", RANDOM, run(BASE64URL_PAD, 64, 64));
    t.provider("typeform", API_KEY).add("tfp_", RANDOM, run(TOKEN_DOT, 59, 59));
    t.provider("mapbox", API_KEY)
        .add("pk.eyJ1Ijoi", RANDOM, run(BASE64URL, 20, 400), lit("."), run(BASE64URL, 20, 40))
        .add("sk.eyJ1Ijoi", RANDOM, run(BASE64URL, 20, 400), lit("."), run(BASE64URL, 20, 40))
        .add("tk.eyJ1Ijoi", RANDOM, run(BASE64URL, 20, 400), lit("."), run(BASE64URL, 20, 40));
    t.provider("postman", API_KEY)
        .add("PMAK-", RANDOM, run(HEX, 24, 24), lit("-"), run(HEX, 34, 34));
    t.provider("planetscale", API_KEY)
        .add("pscale_tkn_", RANDOM, run(TOKEN_DOT, 32, 64))
        .add("pscale_oauth_", RANDOM, run(TOKEN_DOT, 32, 64))
        .add("pscale_pw_", RANDOM, run(TOKEN_DOT, 32, 64));
    t.provider("intra42", API_KEY)
        .add("s-s4t2ud-", RANDOM, run(HEX, 64, 64))
        .add("s-s4t2af-", RANDOM, run(HEX, 64, 64));
    t.provider("dropbox", API_KEY).add("sl.", RANDOM, run(TOKEN_DOT, 130, 1500));
    return t.formats;
  }

  /** {@code <id>.<4-6>.acc[_-]<10-32>.<30-120 base64>} after the prefix. */
  private static Part[] authress() {
    return new Part[] {
      run(ALNUM, 5, 30),
      lit("."),
      run(ALNUM, 4, 6),
      lit(".acc"),
      run(SEPARATOR, 1, 1),
      run(ALNUM_DASH, 10, 32),
      lit("."),
      run(BASE64_ANY, 30, 120),
      run(PADDING, 0, 3)
    };
  }

  /** A UUID, any case: 8-4-4-4-12 hex digits. */
  static Part[] uuid() {
    return new Part[] {
      run(HEX, 8, 8),
      lit("-"),
      run(HEX, 4, 4),
      lit("-"),
      run(HEX, 4, 4),
      lit("-"),
      run(HEX, 4, 4),
      lit("-"),
      run(HEX, 12, 12)
    };
  }

  static Run run(Alphabet alphabet, int min, int max) {
    return new Run(alphabet, min, max);
  }

  static Literal lit(String text) {
    return new Literal(text);
  }

  static Optional opt(String literal, Run run) {
    return new Optional(literal, run);
  }

  /** Builds the table one provider at a time. */
  private static final class Table {
    final List<TokenFormat> formats = new ArrayList<>();
    private String provider;
    private RedactionType type;

    Table provider(String id, RedactionType redactionType) {
      this.provider = id;
      this.type = redactionType;
      return this;
    }

    /** A format whose parts are one group ({@link #uuid}, {@link #authress}). */
    Table add(String prefix, Check check, Part[] group) {
      return add(prefix, check, (Object[]) group);
    }

    Table add(String prefix, Check check, Object... parts) {
      List<Part> list = new ArrayList<>();
      for (Object p : parts) {
        if (p instanceof Part part) {
          list.add(part);
        } else if (p instanceof Part[] group) {
          list.addAll(List.of(group));
        } else {
          throw new IllegalArgumentException("not a part: " + p);
        }
      }
      formats.add(new TokenFormat(provider, type, prefix, list, check));
      return this;
    }
  }
}
