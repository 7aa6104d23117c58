import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Mints an HS256 JWT for the gateway with the JDK alone, so it runs before anything is built. Run
 * through {@code scripts/make-jwt}; the token is the only thing printed on stdout.
 *
 * <p>The token has the shape {@code dev.sluice.auth.TokenMinter} mints: {@code tenant}, {@code
 * sub}, {@code iat}, {@code exp}, and {@code iss}/{@code aud} when asked for.
 */
public final class MakeJwt {
  private static final int MIN_SECRET_BYTES = 32;
  private static final long DEFAULT_TTL_SECONDS = 3600;
  private static final int USAGE_ERROR = 2;

  private static final String USAGE =
      String.join(
          "\n",
          "Usage: scripts/make-jwt --tenant T [--sub S] [--ttl SECONDS] [--secret S]",
          "                        [--iss ISSUER] [--aud AUDIENCE]",
          "",
          "Prints an HS256 token for the gateway on stdout.",
          "",
          "  --tenant T      tenant claim (required)",
          "  --sub S         subject claim (default: the tenant)",
          "  --ttl SECONDS   lifetime in seconds (default: 3600)",
          "  --secret S      HMAC secret, at least 32 bytes. Default: $JWT_SECRET, then the",
          "                  JWT_SECRET line of ./.env, then ${DATA_DIR:-./data}/dev-jwt-secret",
          "                  (written by scripts/run). Prefer those: arguments show up in ps.",
          "  --iss ISSUER    iss claim (default: $JWT_ISSUER or ./.env, else none)",
          "  --aud AUDIENCE  aud claim (default: $JWT_AUDIENCE or ./.env, else none)",
          "  -h, --help      show this help",
          "");

  private MakeJwt() {}

  public static void main(String[] args) {
    int status;
    try {
      status = run(args, System.getenv(), Path.of(""), System.out, System.err);
    } catch (UsageException e) {
      System.err.println("make-jwt: " + e.getMessage());
      status = USAGE_ERROR;
    }
    System.exit(status);
  }

  static int run(
      String[] args,
      Map<String, String> environment,
      Path workDir,
      PrintStream out,
      PrintStream err)
      throws UsageException {
    Map<String, String> options = parseArgs(args);
    if (options.containsKey("help")) {
      out.print(USAGE);
      return 0;
    }
    String tenant = options.get("tenant");
    if (tenant == null || tenant.isBlank()) {
      err.print(USAGE);
      throw new UsageException("--tenant is required");
    }
    String subject = options.getOrDefault("sub", tenant);
    long ttl = parseTtl(options.getOrDefault("ttl", Long.toString(DEFAULT_TTL_SECONDS)));

    Map<String, String> dotEnv = readDotEnv(workDir.resolve(".env"));
    String secret =
        Optional.ofNullable(options.get("secret"))
            .or(() -> setting("JWT_SECRET", environment, dotEnv))
            .or(() -> readDevSecret(environment, dotEnv, workDir))
            .orElseThrow(
                () ->
                    new UsageException(
                        "no secret: pass --secret, set JWT_SECRET (environment or ./.env),"
                            + " or start scripts/run once to create the dev secret"));
    byte[] key = secret.strip().getBytes(StandardCharsets.UTF_8);
    if (key.length < MIN_SECRET_BYTES) {
      throw new UsageException("the secret must be at least 32 bytes (256 bits) for HS256");
    }
    String issuer =
        Optional.ofNullable(options.get("iss"))
            .or(() -> setting("JWT_ISSUER", environment, dotEnv))
            .orElse(null);
    String audience =
        Optional.ofNullable(options.get("aud"))
            .or(() -> setting("JWT_AUDIENCE", environment, dotEnv))
            .orElse(null);

    long now = Instant.now().getEpochSecond();
    StringBuilder claims = new StringBuilder("{");
    claims.append("\"tenant\":").append(jsonString(tenant));
    claims.append(",\"sub\":").append(jsonString(subject));
    if (issuer != null) {
      claims.append(",\"iss\":").append(jsonString(issuer));
    }
    if (audience != null) {
      claims.append(",\"aud\":").append(jsonString(audience));
    }
    claims.append(",\"iat\":").append(now);
    claims.append(",\"exp\":").append(now + ttl);
    claims.append('}');

    out.println(sign("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", claims.toString(), key));
    return 0;
  }

  private static Map<String, String> parseArgs(String[] args) throws UsageException {
    List<String> known = List.of("tenant", "sub", "ttl", "secret", "iss", "aud");
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("-h") || arg.equals("--help")) {
        options.put("help", "");
        continue;
      }
      if (!arg.startsWith("--")) {
        throw new UsageException("unexpected argument '" + arg + "' (see --help)");
      }
      String name = arg.substring(2);
      String value;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      } else if (i + 1 < args.length) {
        value = args[++i];
      } else {
        throw new UsageException("--" + name + " needs a value (see --help)");
      }
      if (!known.contains(name)) {
        throw new UsageException("unknown option --" + name + " (see --help)");
      }
      options.put(name, value);
    }
    return options;
  }

  private static long parseTtl(String value) throws UsageException {
    try {
      long ttl = Long.parseLong(value.strip());
      if (ttl > 0) {
        return ttl;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new UsageException("--ttl must be a positive number of seconds");
  }

  /** A variable from the environment, else from ./.env; blank counts as unset. */
  private static Optional<String> setting(
      String name, Map<String, String> environment, Map<String, String> dotEnv) {
    return Optional.ofNullable(environment.get(name))
        .filter(v -> !v.isBlank())
        .or(() -> Optional.ofNullable(dotEnv.get(name)).filter(v -> !v.isBlank()))
        .map(String::strip);
  }

  private static Optional<String> readDevSecret(
      Map<String, String> environment, Map<String, String> dotEnv, Path workDir) {
    Path dataDir = workDir.resolve(setting("DATA_DIR", environment, dotEnv).orElse("data"));
    Path file = dataDir.resolve("dev-jwt-secret");
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      return Files.readAllLines(file, StandardCharsets.UTF_8).stream()
          .map(String::strip)
          .filter(line -> !line.isEmpty())
          .findFirst();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** The same reading of .env as the gateway's own configuration loader. */
  private static Map<String, String> readDotEnv(Path file) {
    Map<String, String> values = new HashMap<>();
    if (!Files.isRegularFile(file)) {
      return values;
    }
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return values;
    }
    for (String raw : lines) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      if (line.startsWith("export ")) {
        line = line.substring("export ".length()).strip();
      }
      int eq = line.indexOf('=');
      if (eq <= 0) {
        continue;
      }
      String key = line.substring(0, eq).strip();
      String value = line.substring(eq + 1).strip();
      if (value.length() >= 2
          && (value.startsWith("\"") && value.endsWith("\"")
              || value.startsWith("'") && value.endsWith("'"))) {
        value = value.substring(1, value.length() - 1);
      } else {
        int comment = value.indexOf(" #");
        if (comment >= 0) {
          value = value.substring(0, comment).strip();
        }
      }
      values.put(key, value);
    }
    return values;
  }

  private static String sign(String header, String claims, byte[] key) {
    Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
    String signingInput =
        base64.encodeToString(header.getBytes(StandardCharsets.UTF_8))
            + "."
            + base64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      byte[] signature = mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII));
      return signingInput + "." + base64.encodeToString(signature);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is unavailable in this JDK", e);
    }
  }

  private static String jsonString(String value) {
    StringBuilder json = new StringBuilder(value.length() + 2).append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> json.append("\\\"");
        case '\\' -> json.append("\\\\");
        case '\n' -> json.append("\\n");
        case '\r' -> json.append("\\r");
        case '\t' -> json.append("\\t");
        default -> {
          if (c < 0x20) {
            json.append(String.format("\\u%04x", (int) c));
          } else {
            json.append(c);
          }
        }
      }
    }
    return json.append('"').toString();
  }

  /** A mistake in how the tool was called or configured: message on stderr, exit status 2. */
  static final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }
}
