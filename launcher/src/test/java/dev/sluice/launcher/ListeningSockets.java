package dev.sluice.launcher;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * The addresses TCP sockets listen on, as the Linux kernel reports them in {@code /proc/net/tcp}
 * and {@code /proc/net/tcp6}: what another machine could connect to, whichever process listens.
 */
final class ListeningSockets {
  private static final Path TCP = Path.of("/proc/net/tcp");
  private static final Path TCP6 = Path.of("/proc/net/tcp6");
  private static final String LISTEN = "0A";

  private ListeningSockets() {}

  static boolean available() {
    return Files.isReadable(TCP);
  }

  /** Every local address a socket listens on at {@code port}. */
  static Set<InetAddress> on(int port) throws IOException {
    Set<InetAddress> addresses = new HashSet<>();
    for (Path table : List.of(TCP, TCP6)) {
      if (!Files.isReadable(table)) {
        continue;
      }
      List<String> lines = Files.readAllLines(table);
      for (String line : lines.subList(1, lines.size())) {
        // sl local_address rem_address st ...: the address is hex, in the kernel's byte order.
        String[] fields = line.trim().split("\\s+");
        String[] local = fields[1].split(":");
        if (fields[3].equals(LISTEN) && Integer.parseInt(local[1], 16) == port) {
          addresses.add(address(local[0]));
        }
      }
    }
    return addresses;
  }

  /** Each 32-bit word is little-endian; an IPv4-mapped IPv6 address reads as IPv4. */
  private static InetAddress address(String hex) throws IOException {
    byte[] raw = HexFormat.of().parseHex(hex);
    byte[] address = new byte[raw.length];
    for (int word = 0; word < raw.length; word += 4) {
      for (int i = 0; i < 4; i++) {
        address[word + i] = raw[word + 3 - i];
      }
    }
    return InetAddress.getByAddress(address);
  }
}
