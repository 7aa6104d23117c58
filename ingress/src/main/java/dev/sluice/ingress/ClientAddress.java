package dev.sluice.ingress;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * The caller's address, for the envelope's {@code clientIp} and the limit on failed
 * authentications.
 *
 * <p>With {@code TRUST_FORWARDED_FOR} the address is the right-most entry of {@code
 * X-Forwarded-For}: the one the proxy next to the gateway wrote. Behind a proxy that overwrites the
 * header there is one entry and both ends agree. Behind one that appends (nginx's {@code
 * $proxy_add_x_forwarded_for}, most load balancers) the left-most entry is whatever the caller
 * sent, so taking it would let a caller pick its own address: dodge the limit with a new one per
 * request, or get someone else's address blocked. An entry that is not an IP address (say {@code
 * unknown}) is ignored for the connection's own address. Behind more than one proxy the right-most
 * entry is the outer proxy's address, and every caller would share it; that needs a list of trusted
 * proxies, which the gateway does not have yet.
 */
final class ClientAddress {
  private static final int MAX_IPV6_LENGTH = 45;

  private ClientAddress() {}

  /**
   * @param peer the address of the connection (Jetty's remote address)
   * @param forwardedFor every {@code X-Forwarded-For} header line, in order
   */
  static String of(String peer, List<String> forwardedFor, boolean trustForwardedFor) {
    if (trustForwardedFor && !forwardedFor.isEmpty()) {
      String line = forwardedFor.get(forwardedFor.size() - 1);
      String last = withoutPort(line.substring(line.lastIndexOf(',') + 1).trim());
      if (isIpLiteral(last)) {
        return last;
      }
    }
    return unbracketed(peer);
  }

  /**
   * The key an address is limited under. An IPv6 caller usually holds a whole /64 and can change
   * its address within it at will, so IPv6 addresses are limited by their /64; an IPv4 address (an
   * IPv4-mapped IPv6 one too) is limited alone.
   */
  static String limitKey(String address) {
    if (address.indexOf(':') < 0) {
      return address;
    }
    InetAddress parsed;
    try {
      // In brackets, InetAddress parses an IPv6 literal or fails: it never asks DNS.
      parsed = InetAddress.getByName("[" + withoutZone(address) + "]");
    } catch (UnknownHostException e) {
      return address;
    }
    if (!(parsed instanceof Inet6Address)) {
      return parsed.getHostAddress();
    }
    byte[] bytes = parsed.getAddress();
    StringBuilder prefix = new StringBuilder(24);
    for (int i = 0; i < 8; i += 2) {
      prefix.append(Integer.toHexString(((bytes[i] & 0xff) << 8) | (bytes[i + 1] & 0xff)));
      prefix.append(':');
    }
    return prefix.append(":/64").toString();
  }

  /** Digits and dots (IPv4) or hex digits, colons and dots (IPv6), as long as an address gets. */
  static boolean isIpLiteral(String value) {
    if (value.isEmpty() || value.length() > MAX_IPV6_LENGTH) {
      return false;
    }
    boolean colon = false;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == ':') {
        colon = true;
      } else if (!(c == '.'
          || (c >= '0' && c <= '9')
          || (c >= 'a' && c <= 'f')
          || (c >= 'A' && c <= 'F'))) {
        return false;
      }
    }
    return colon || value.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
  }

  /**
   * Some proxies write {@code 1.2.3.4:5678} or {@code [2001:db8::1]:5678}; the port changes with
   * every connection, so keeping it would make each connection a new caller.
   */
  private static String withoutPort(String entry) {
    if (entry.startsWith("[")) {
      int close = entry.indexOf(']');
      return close > 0 ? entry.substring(1, close) : entry;
    }
    int colon = entry.indexOf(':');
    boolean ipv4WithPort = colon > 0 && entry.indexOf(':', colon + 1) < 0;
    return ipv4WithPort ? entry.substring(0, colon) : entry;
  }

  private static String unbracketed(String address) {
    return address.length() > 2 && address.startsWith("[") && address.endsWith("]")
        ? address.substring(1, address.length() - 1)
        : address;
  }

  private static String withoutZone(String address) {
    int zone = address.indexOf('%');
    return zone < 0 ? address : address.substring(0, zone);
  }
}
