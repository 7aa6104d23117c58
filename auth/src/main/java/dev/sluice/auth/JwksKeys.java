package dev.sluice.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.jwk.source.RateLimitReachedException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import dev.sluice.auth.InvalidTokenException.Reason;
import dev.sluice.config.ConfigException;
import java.io.Closeable;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.security.Key;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The identity provider's public signing keys, fetched from its JWKS URL.
 *
 * <p>The key set is cached and refreshed in the background shortly before it expires, so a stream
 * thread normally never waits for the network. A token with an unknown {@code kid} triggers an
 * immediate refetch, which is how key rotation just works; those refetches are rate-limited so a
 * flood of tokens with made-up key ids cannot hammer the provider. Thread-safe.
 */
final class JwksKeys implements AutoCloseable {
  private static final Logger LOGGER = LoggerFactory.getLogger(JwksKeys.class);

  /** Exactly the asymmetric algorithms accepted; anything else is refused before key lookup. */
  static final Set<JWSAlgorithm> ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256);

  /** Short, so an unreachable provider delays a request by seconds, not minutes. */
  static final int HTTP_TIMEOUT_MILLIS = 2_000;

  /** Large providers publish certificate chains with their keys; 256 KiB leaves ample room. */
  static final int MAX_JWKS_BYTES = 256 * 1024;

  static final Duration CACHE_TIME_TO_LIVE = Duration.ofMinutes(5);
  static final Duration REFRESH_AHEAD = Duration.ofSeconds(30);

  /** How long a caller waits for a refresh another thread has already started. */
  static final Duration REFRESH_WAIT = Duration.ofSeconds(5);

  /**
   * At most two fetches in any such interval (nimbus allows one more after the first), however many
   * unknown key ids arrive.
   */
  static final Duration MIN_FETCH_INTERVAL = Duration.ofSeconds(10);

  private final String host;
  private final JWKSource<SecurityContext> source;
  private final JWSVerificationKeySelector<SecurityContext> selector;
  private final DefaultJWSVerifierFactory verifiers = new DefaultJWSVerifierFactory();

  private JwksKeys(String host, JWKSource<SecurityContext> source) {
    this.host = host;
    this.source = source;
    this.selector = new JWSVerificationKeySelector<>(ALGORITHMS, source);
  }

  static JwksKeys fetchedFrom(URI jwksUrl) {
    DefaultResourceRetriever retriever =
        new DefaultResourceRetriever(HTTP_TIMEOUT_MILLIS, HTTP_TIMEOUT_MILLIS, MAX_JWKS_BYTES);
    // Nimbus' default refresh executors use non-daemon threads, which would keep a JVM alive.
    ExecutorService refresher =
        Executors.newSingleThreadExecutor(daemonThreads("sluice-jwks-refresh"));
    ScheduledExecutorService scheduler =
        Executors.newSingleThreadScheduledExecutor(daemonThreads("sluice-jwks-schedule"));
    try {
      JWKSource<SecurityContext> source =
          JWKSourceBuilder.<SecurityContext>create(jwksUrl.toURL(), retriever)
              .cache(CACHE_TIME_TO_LIVE.toMillis(), REFRESH_WAIT.toMillis())
              .refreshAheadCache(REFRESH_AHEAD.toMillis(), null, refresher, true, scheduler, true)
              .rateLimited(MIN_FETCH_INTERVAL.toMillis())
              .retrying(false)
              .build();
      return new JwksKeys(AuthSettings.withoutCredentials(jwksUrl), source);
    } catch (MalformedURLException | IllegalArgumentException e) {
      refresher.shutdownNow();
      scheduler.shutdownNow();
      throw new ConfigException("JWT_JWKS_URL must be an http or https URL");
    }
  }

  /**
   * The provider's keys that may have signed a token with this header: matching {@code kid}, key
   * type and use. Never empty.
   */
  List<Key> candidatesFor(JWSHeader header) throws InvalidTokenException {
    List<Key> keys;
    try {
      keys = selector.selectJWSKeys(header, null);
    } catch (RateLimitReachedException e) {
      // The kid was not in the cached set and we may not ask again yet.
      throw new InvalidTokenException(Reason.UNKNOWN_KEY);
    } catch (KeySourceException e) {
      LOGGER
          .atWarn()
          .addKeyValue("jwks", host)
          .addKeyValue("error", e.getClass().getSimpleName())
          .log("cannot fetch the identity provider's signing keys");
      throw new InvalidTokenException(Reason.KEYS_UNAVAILABLE);
    }
    if (keys.isEmpty()) {
      throw new InvalidTokenException(Reason.UNKNOWN_KEY);
    }
    return keys;
  }

  JWSVerifier verifierFor(JWSHeader header, Key key) throws JOSEException {
    return verifiers.createJWSVerifier(header, key);
  }

  @Override
  public void close() {
    if (source instanceof Closeable closeable) {
      try {
        closeable.close();
      } catch (IOException e) {
        LOGGER.atDebug().setCause(e).log("closing the JWKS source failed");
      }
    }
  }

  private static ThreadFactory daemonThreads(String name) {
    return runnable -> {
      Thread thread = new Thread(runnable, name);
      thread.setDaemon(true);
      return thread;
    };
  }
}
