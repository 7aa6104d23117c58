package dev.sluice.config;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Objects;

/**
 * The address the ingress and the pipeline's health port listen on ({@code BIND_ADDRESS}). Unset,
 * dev mode listens on the loopback interface only: it accepts a token anyone can read in the docs,
 * so a laptop on a café network must not serve it to its neighbours. Outside dev mode it listens on
 * every interface, as a service behind its own network controls expects.
 *
 * @param address where to listen; the wildcard address means every interface
 * @param origin what chose it, so the start banner can say why
 */
public record BindAddress(InetAddress address, Origin origin) {
  /** What chose the address. */
  public enum Origin {
    /** {@code BIND_ADDRESS} names it. */
    BIND_ADDRESS,
    /** Dev mode's default: loopback only. */
    DEV_MODE,
    /** The default outside dev mode: every interface. */
    DEFAULT
  }

  public static final String LOOPBACK = "127.0.0.1";
  public static final String EVERY_INTERFACE = "0.0.0.0";

  public BindAddress {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(origin, "origin");
  }

  /** Reads {@code BIND_ADDRESS}, defaulting by {@code DEV_MODE}. */
  public static BindAddress from(Env env) {
    return env.get("BIND_ADDRESS")
        .map(value -> new BindAddress(parse(value), Origin.BIND_ADDRESS))
        .orElseGet(
            () ->
                DevMode.from(env).on()
                    ? new BindAddress(parse(LOOPBACK), Origin.DEV_MODE)
                    : new BindAddress(parse(EVERY_INTERFACE), Origin.DEFAULT));
  }

  /** The address as servers take it: {@code 127.0.0.1}, {@code 0.0.0.0}, {@code ::1}. */
  public String host() {
    return address.getHostAddress();
  }

  /** Whether it listens on every interface. */
  public boolean everyInterface() {
    return address.isAnyLocalAddress();
  }

  /** Whether only this machine can connect. */
  public boolean loopbackOnly() {
    return address.isLoopbackAddress();
  }

  /** Where to listen on {@code port}. */
  public InetSocketAddress socket(int port) {
    return new InetSocketAddress(address, port);
  }

  /**
   * The host part of a URL a client on this machine reaches it at: the loopback address when it
   * listens on every interface, else the address itself (an IPv6 one in brackets).
   */
  public String localUrlHost() {
    if (everyInterface()) {
      return LOOPBACK;
    }
    return address instanceof Inet6Address ? "[" + host() + "]" : host();
  }

  private static InetAddress parse(String value) {
    try {
      return InetAddress.getByName(value);
    } catch (UnknownHostException | SecurityException e) {
      throw new ConfigException(
          "BIND_ADDRESS must be an address of this machine, such as 127.0.0.1 or 0.0.0.0");
    }
  }
}
