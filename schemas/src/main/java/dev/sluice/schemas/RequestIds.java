package dev.sluice.schemas;

import java.security.SecureRandom;
import java.util.UUID;

/**
 * Request ids: UUID version 7 (RFC 9562), unique and ordered by creation time, so logs, replies and
 * audit records sort the way requests arrived.
 */
public final class RequestIds {
  private RequestIds() {}

  private static final SecureRandom RANDOM = new SecureRandom();

  public static String next() {
    return next(System.currentTimeMillis());
  }

  static String next(long epochMillis) {
    long randA = RANDOM.nextInt(1 << 12);
    long randB = RANDOM.nextLong();
    long high = (epochMillis << 16) | (0x7L << 12) | randA;
    long low = (randB & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(high, low).toString();
  }

  /** Whether {@code id} is a sane id to carry around: short, printable, no separators. */
  public static boolean isValid(String id) {
    if (id == null || id.isEmpty() || id.length() > 64) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      boolean ok =
          c >= 'a' && c <= 'z'
              || c >= 'A' && c <= 'Z'
              || c >= '0' && c <= '9'
              || c == '-'
              || c == '_'
              || c == '.';
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
