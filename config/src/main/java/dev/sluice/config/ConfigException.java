package dev.sluice.config;

/** A configuration value is missing or wrong; the message says which, never the value itself. */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ConfigException(String message) {
    super(message);
  }
}
