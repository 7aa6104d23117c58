package dev.sluice.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClientAddressTest {
  private static final String PEER = "192.0.2.10";

  @Test
  void theConnectionsAddressUnlessForwardedForIsTrusted() {
    assertThat(ClientAddress.of(PEER, List.of("203.0.113.9"), false)).isEqualTo(PEER);
    assertThat(ClientAddress.of(PEER, List.of(), true)).isEqualTo(PEER);
    assertThat(ClientAddress.of("[2001:db8::1]", List.of(), false)).isEqualTo("2001:db8::1");
  }

  @Test
  void trustedForwardedForGivesItsRightMostEntryWhichTheProxyWrote() {
    // A caller that sends its own header through an appending proxy is still known by its address.
    assertThat(ClientAddress.of(PEER, List.of("198.51.100.1, 203.0.113.9"), true))
        .isEqualTo("203.0.113.9");
    assertThat(ClientAddress.of(PEER, List.of("198.51.100.1", "203.0.113.9 "), true))
        .isEqualTo("203.0.113.9");
    assertThat(ClientAddress.of(PEER, List.of("203.0.113.9"), true)).isEqualTo("203.0.113.9");
    assertThat(ClientAddress.of(PEER, List.of("2001:db8::7"), true)).isEqualTo("2001:db8::7");
  }

  @Test
  void aPortTheProxyAddedIsDropped() {
    assertThat(ClientAddress.of(PEER, List.of("203.0.113.9:51234"), true)).isEqualTo("203.0.113.9");
    assertThat(ClientAddress.of(PEER, List.of("[2001:db8::7]:443"), true)).isEqualTo("2001:db8::7");
  }

  @Test
  void anEntryThatIsNoAddressFallsBackToTheConnection() {
    for (String entry :
        List.of(
            "unknown",
            "",
            "_hidden",
            "203.0.113.9; rm -rf",
            "fe80::1%eth0",
            "1".repeat(10_000),
            "2001:db8::zz")) {
      assertThat(ClientAddress.of(PEER, List.of("198.51.100.1, " + entry), true))
          .as(entry)
          .isEqualTo(PEER);
    }
  }

  @Test
  void ipv6CallersAreLimitedByTheirSlash64() {
    assertThat(ClientAddress.limitKey("2001:db8:1:2:3:4:5:6")).isEqualTo("2001:db8:1:2::/64");
    assertThat(ClientAddress.limitKey("2001:db8:1:2:ffff::1")).isEqualTo("2001:db8:1:2::/64");
    assertThat(ClientAddress.limitKey("2001:db8:1:3::1")).isEqualTo("2001:db8:1:3::/64");
    assertThat(ClientAddress.limitKey("0:0:0:0:0:0:0:1")).isEqualTo("0:0:0:0::/64");
  }

  @Test
  void ipv4AndIpv4MappedAddressesAreLimitedAlone() {
    assertThat(ClientAddress.limitKey("203.0.113.9")).isEqualTo("203.0.113.9");
    assertThat(ClientAddress.limitKey("::ffff:203.0.113.9")).isEqualTo("203.0.113.9");
  }

  @Test
  void somethingThatDoesNotParseIsItsOwnKeyAndNeverALookUp() {
    assertThat(ClientAddress.limitKey("g::1")).isEqualTo("g::1");
    assertThat(ClientAddress.limitKey("example.com:80")).isEqualTo("example.com:80");
  }
}
