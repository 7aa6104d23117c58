package dev.sluice.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PrincipalTest {
  @Test
  void anAbsentSubjectIsEmpty() {
    assertThat(new Principal("acme", null).subject()).isEmpty();
    assertThat(new Principal("acme", "").subject()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "-", ".", "..", "a/b", "acme\u202e", "ac\u200bme", "Ácme"})
  void noPrincipalHasATenantOutsideTheRule(String tenant) {
    assertThat(Principal.isValidTenant(tenant)).isFalse();
    assertThatThrownBy(() -> new Principal(tenant, "alice"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a tenant is " + Principal.TENANT_RULE);
  }

  @ParameterizedTest
  @ValueSource(strings = {" ", "alice smith", "alice\u202e", "al\u200bice", "\"alice\""})
  void noPrincipalHasASubjectOutsideTheRule(String subject) {
    assertThat(Principal.isValidSubject(subject)).isFalse();
    assertThatThrownBy(() -> new Principal("acme", subject))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a subject is " + Principal.SUBJECT_RULE);
  }

  @Test
  void theRuleHoldsForPrincipalsReadFromJsonToo() {
    // A principal is only ever read back from the gateway's own stores, but never unchecked.
    JsonCodec<Principal> codec = JsonCodec.of(Principal.class);
    assertThat(codec.fromBytes(utf8("{\"tenant\":\"acme\",\"subject\":\"auth0|42\"}")))
        .isEqualTo(new Principal("acme", "auth0|42"));
    assertThatThrownBy(() -> codec.fromBytes(utf8("{\"tenant\":\"../acme\",\"subject\":\"a\"}")))
        .isInstanceOf(UnreadableMessageException.class);
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
