package dev.sluice.pipeline.ratelimit;

import dev.sluice.config.ConfigException;
import dev.sluice.config.Env;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the limiter's shared state lives when it is not in the pipeline's state store: {@code
 * REDIS_URL}, {@code redis://[[user]:password@]host[:port][/database]} ({@code rediss://} for TLS),
 * with the password in the URL (percent-encoded) or in the file {@code REDIS_PASSWORD_FILE} names
 * (a mounted secret), not both. Errors name the variable, never the URL (it may hold the password);
 * {@link #toString()} shows everything but the password.
 *
 * @param tls {@code rediss://}
 * @param port 6379 unless the URL says otherwise
 * @param database the URL's path ({@code /2}), 0 without one
 * @param username for Redis 6 ACLs; without it the password is the {@code default} user's
 */
public record RedisSettings(
    boolean tls,
    String host,
    int port,
    int database,
    Optional<String> username,
    Optional<String> password) {

  public static final int DEFAULT_PORT = 6379;

  private static final String URL = "REDIS_URL";
  private static final String PASSWORD_FILE = "REDIS_PASSWORD_FILE";
  private static final String SHAPE =
      URL + " must be redis:// or rediss://[[user]:password@]host[:port][/database]";

  public RedisSettings {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(password, "password");
    if (host.isBlank() || port < 1 || port > 65_535 || database < 0) {
      throw new ConfigException(SHAPE);
    }
  }

  /** The settings, or empty when {@code REDIS_URL} is unset (the state-store backend). */
  public static Optional<RedisSettings> from(Env env) {
    Optional<String> url = env.get(URL);
    Optional<String> passwordFile = env.get(PASSWORD_FILE);
    if (url.isEmpty()) {
      if (passwordFile.isPresent()) {
        throw new ConfigException(PASSWORD_FILE + " needs " + URL);
      }
      return Optional.empty();
    }
    RedisSettings parsed = parse(url.get());
    if (passwordFile.isEmpty()) {
      return Optional.of(parsed);
    }
    if (parsed.password.isPresent()) {
      // Two sources would leave an operator guessing which one is in use.
      throw new ConfigException(
          "set the Redis password in " + URL + " or in " + PASSWORD_FILE + ", not both");
    }
    return Optional.of(
        new RedisSettings(
            parsed.tls,
            parsed.host,
            parsed.port,
            parsed.database,
            parsed.username,
            Optional.of(readPassword(passwordFile.get()))));
  }

  /** The address to connect to, without credentials or database: {@code rediss://host:port}. */
  public String address() {
    String shown = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    return (tls ? "rediss://" : "redis://") + shown + ":" + port;
  }

  static RedisSettings parse(String value) {
    URI uri;
    try {
      uri = new URI(value);
    } catch (URISyntaxException e) {
      // e's message quotes the input, which may hold the password.
      throw new ConfigException(SHAPE);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("redis") && !scheme.equals("rediss")) {
      throw new ConfigException(SHAPE);
    }
    if (uri.getHost() == null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new ConfigException(SHAPE);
    }
    Optional<String> username = Optional.empty();
    Optional<String> password = Optional.empty();
    String userInfo = uri.getRawUserInfo();
    if (userInfo != null) {
      int colon = userInfo.indexOf(':');
      if (colon < 0) {
        // Clients disagree on whether redis://secret@host names a user or a password: say which.
        throw new ConfigException(
            URL + ": write the password as redis://:password@host or redis://user:password@host");
      }
      String user = decode(userInfo.substring(0, colon));
      String secret = decode(userInfo.substring(colon + 1));
      username = user.isEmpty() ? Optional.empty() : Optional.of(user);
      password = secret.isEmpty() ? Optional.empty() : Optional.of(secret);
    }
    String host = uri.getHost();
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    return new RedisSettings(
        scheme.equals("rediss"),
        host,
        uri.getPort() < 0 ? DEFAULT_PORT : uri.getPort(),
        database(uri.getRawPath()),
        username,
        password);
  }

  private static int database(String path) {
    if (path == null || path.isEmpty() || path.equals("/")) {
      return 0;
    }
    String number = path.substring(1);
    if (!number.matches("[0-9]{1,9}")) {
      throw new ConfigException(URL + ": the database (the path) must be a number, as in /0");
    }
    return Integer.parseInt(number);
  }

  /** Percent-decoding as URLs have it ({@code +} stays a plus, unlike form decoding). */
  private static String decode(String raw) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
    int i = 0;
    while (i < raw.length()) {
      int escape = raw.indexOf('%', i);
      int plainEnd = escape < 0 ? raw.length() : escape;
      bytes.writeBytes(raw.substring(i, plainEnd).getBytes(StandardCharsets.UTF_8));
      if (escape < 0) {
        break;
      }
      int high = escape + 2 < raw.length() ? Character.digit(raw.charAt(escape + 1), 16) : -1;
      int low = high < 0 ? -1 : Character.digit(raw.charAt(escape + 2), 16);
      if (low < 0) {
        throw new ConfigException(SHAPE);
      }
      bytes.write(high * 16 + low);
      i = escape + 3;
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private static String readPassword(String path) {
    String content;
    try {
      content = Files.readString(Path.of(path), StandardCharsets.UTF_8).strip();
    } catch (IOException | InvalidPathException e) {
      throw new ConfigException(PASSWORD_FILE + " cannot be read: " + path);
    }
    if (content.isEmpty()) {
      throw new ConfigException(PASSWORD_FILE + " names an empty file: " + path);
    }
    return content;
  }

  @Override
  public String toString() {
    return "RedisSettings[address="
        + address()
        + ", database="
        + database
        + ", username="
        + username.orElse("(unset)")
        + ", password="
        + (password.isPresent() ? "(set)" : "(unset)")
        + "]";
  }
}
