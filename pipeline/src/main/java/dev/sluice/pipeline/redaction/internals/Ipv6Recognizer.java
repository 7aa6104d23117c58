package dev.sluice.pipeline.redaction.internals;

import static dev.sluice.pipeline.redaction.internals.Chars.isAlnum;
import static dev.sluice.pipeline.redaction.internals.Chars.isDigit;
import static dev.sluice.pipeline.redaction.internals.Chars.isHex;

import dev.sluice.pipeline.redaction.RedactionType;
import java.util.Set;

/** IPv6 addresses around a {@code :}: eight groups, or one {@code ::}, with at least one digit. */
final class Ipv6Recognizer implements Recognizer {
  private static final int MAX_IPV6 = 45;

  @Override
  public String triggers() {
    return ":";
  }

  @Override
  public boolean atWordStart() {
    return false;
  }

  @Override
  public Set<RedactionType> emits() {
    return Set.of(RedactionType.IPV6);
  }

  @Override
  public int scan(String s, int i, Scan scan) {
    if (!scan.on(RedactionType.IPV6)) {
      return DECLINE;
    }
    int end = ipv6(s, i, scan);
    return end > i ? end : DECLINE;
  }

  /** IPv6 around a colon: 8 groups, or "::" compression; returns the end, or -1. */
  private int ipv6(String s, int colonAt, Scan scan) {
    int n = s.length();
    int ls = colonAt;
    while (ls > 0
        && colonAt - ls <= MAX_IPV6
        && (isHex(s.charAt(ls - 1)) || s.charAt(ls - 1) == ':')) {
      ls--;
    }
    if (ls > 0) {
      char b = s.charAt(ls - 1);
      if (isAlnum(b) || b == '_' || b == ':' || b == '.' || b == '-') {
        return -1;
      }
    }
    int re = colonAt + 1;
    while (re < n
        && re - ls <= MAX_IPV6 + 1
        && (isHex(s.charAt(re)) || s.charAt(re) == ':' || s.charAt(re) == '.')) {
      re++;
    }
    if (re - ls > MAX_IPV6) {
      return -1;
    }
    while (re > colonAt && s.charAt(re - 1) == '.') {
      re--;
    }
    if (re < n) {
      char a = s.charAt(re);
      if (isAlnum(a) || a == '_') {
        return -1;
      }
    }
    if (!validIpv6(s, ls, re)) {
      return -1;
    }
    scan.add(RedactionType.IPV6, ls, re);
    return re;
  }

  private static boolean validIpv6(String s, int from, int to) {
    int groups = 0;
    boolean compressed = false;
    boolean digit = false;
    int k = from;
    if (to - from < 3) {
      return false;
    }
    if (s.charAt(k) == ':') {
      if (s.charAt(k + 1) != ':') {
        return false;
      }
      compressed = true;
      k += 2;
    }
    while (k < to) {
      int gs = k;
      while (k < to && isHex(s.charAt(k))) {
        if (isDigit(s.charAt(k))) {
          digit = true;
        }
        k++;
      }
      int len = k - gs;
      if (k < to && s.charAt(k) == '.') {
        // dotted IPv4 tail
        if (!ipv4Tail(s, gs, to)) {
          return false;
        }
        groups += 2;
        k = to;
        break;
      }
      if (len == 0 || len > 4) {
        return false;
      }
      groups++;
      if (k == to) {
        break;
      }
      k++; // ':'
      if (k < to && s.charAt(k) == ':') {
        if (compressed) {
          return false;
        }
        compressed = true;
        k++;
        if (k == to) {
          break;
        }
      } else if (k == to) {
        return false;
      }
    }
    if (!digit) {
      return false;
    }
    return compressed ? groups >= 2 && groups <= 7 : groups == 8;
  }

  private static boolean ipv4Tail(String s, int from, int to) {
    int parts = 0;
    int k = from;
    while (k <= to) {
      int ps = k;
      int v = 0;
      while (k < to && isDigit(s.charAt(k))) {
        v = v * 10 + (s.charAt(k) - '0');
        k++;
      }
      if (k == ps || k - ps > 3 || v > 255) {
        return false;
      }
      parts++;
      if (k == to) {
        break;
      }
      if (s.charAt(k) != '.') {
        return false;
      }
      k++;
    }
    return parts == 4;
  }
}
