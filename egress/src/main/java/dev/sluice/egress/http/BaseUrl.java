package dev.sluice.egress.http;

import dev.sluice.config.ConfigException;
import java.net.URI;
import java.net.URISyntaxException;

/** Provider base URLs from configuration: checked once, then joined with fixed paths. */
public final class BaseUrl {
  private BaseUrl() {}

  /**
   * An absolute http(s) URL with a host and nothing that could smuggle credentials or change the
   * request (user info, query, fragment); a trailing slash is dropped.
   *
   * @throws ConfigException naming {@code variable}
   */
  public static URI parse(String variable, String value) {
    URI uri;
    try {
      uri = new URI(value.trim());
    } catch (URISyntaxException e) {
      throw new ConfigException(variable + " is not a valid URL");
    }
    if (!"https".equalsIgnoreCase(uri.getScheme()) && !"http".equalsIgnoreCase(uri.getScheme())) {
      throw new ConfigException(variable + " must be an http(s) URL");
    }
    if (uri.getHost() == null) {
      throw new ConfigException(variable + " must name a host");
    }
    if (uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new ConfigException(variable + " must not carry user info, a query or a fragment");
    }
    String text = uri.toString();
    return URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
  }

  /** {@code base} followed by {@code pathAndQuery}, which starts with {@code /}. */
  public static URI join(URI base, String pathAndQuery) {
    return URI.create(base + pathAndQuery);
  }
}
