package dev.sluice.pipeline.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.schemas.StageName;
import dev.sluice.schemas.audit.AuditDecision;
import dev.sluice.schemas.audit.AuditRecord;
import dev.sluice.schemas.envelope.Source;
import dev.sluice.schemas.reply.Outcome;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AuditChainTest {

  static AuditRecord decision(String requestId, Outcome outcome) {
    return new AuditRecord(
        AuditRecord.VERSION,
        requestId,
        "acme",
        "alice",
        1_000,
        "stub",
        Source.HTTP,
        new AuditDecision(outcome, StageName.PROVIDER, List.of(), "LOCAL", null),
        null,
        null,
        null,
        null,
        "stub",
        1,
        3L,
        null,
        null,
        "ab".repeat(32),
        null,
        null,
        null);
  }

  private static List<AuditRecord> chain(String chainId, int length) {
    List<AuditRecord> records = new ArrayList<>();
    String previous = AuditChain.GENESIS;
    for (int i = 0; i < length; i++) {
      AuditRecord linked = AuditChain.link(decision("r" + i, Outcome.COMPLETED), chainId, previous);
      records.add(linked);
      previous = linked.hash();
    }
    return records;
  }

  @Test
  void aChainStartsAtGenesisAndEachRecordLinksToThePrevious() {
    List<AuditRecord> records = chain("app/0_1", 3);
    assertThat(records.get(0).prevHash()).isEqualTo(AuditChain.GENESIS);
    assertThat(records.get(1).prevHash()).isEqualTo(records.get(0).hash());
    assertThat(records.get(0).hash()).matches("[0-9a-f]{64}");
    assertThat(AuditChain.verify(records)).isEmpty();
  }

  @Test
  void theHashIsStableAndCoversTheLink() {
    AuditRecord a = AuditChain.link(decision("r", Outcome.DENIED), "c", AuditChain.GENESIS);
    AuditRecord b = AuditChain.link(decision("r", Outcome.DENIED), "c", AuditChain.GENESIS);
    AuditRecord otherChain =
        AuditChain.link(decision("r", Outcome.DENIED), "d", AuditChain.GENESIS);
    assertThat(a.hash()).isEqualTo(b.hash()).isNotEqualTo(otherChain.hash());
  }

  @Test
  void detectsAChangedRecord() {
    List<AuditRecord> records = chain("c", 3);
    AuditRecord original = records.get(1);
    AuditRecord forged =
        new AuditRecord(
            original.schemaVersion(),
            original.requestId(),
            "globex",
            original.subject(),
            original.timeMs(),
            original.model(),
            original.source(),
            original.decision(),
            original.firewallRisk(),
            original.firewallCues(),
            original.firewallHiddenChars(),
            original.rateLimit(),
            original.provider(),
            original.attempts(),
            original.latencyMs(),
            original.usage(),
            original.redactions(),
            original.promptSha256(),
            original.chainId(),
            original.prevHash(),
            original.hash());
    records.set(1, forged);
    assertThat(AuditChain.verify(records)).containsExactly("record 1 does not match its hash");
  }

  @Test
  void detectsARemovedOrReorderedRecord() {
    List<AuditRecord> removed = chain("c", 3);
    removed.remove(1);
    assertThat(AuditChain.verify(removed))
        .containsExactly("record 1 does not follow the previous record of chain c");

    List<AuditRecord> swapped = chain("c", 3);
    swapped.add(0, swapped.remove(1));
    assertThat(AuditChain.verify(swapped)).isNotEmpty();
  }

  @Test
  void chainsMayInterleave() {
    List<AuditRecord> a = chain("a", 2);
    List<AuditRecord> b = chain("b", 2);
    assertThat(AuditChain.verify(List.of(a.get(0), b.get(0), a.get(1), b.get(1)))).isEmpty();
  }

  @Test
  void verifiesChainsReadInAnyOrder() {
    List<AuditRecord> a = chain("a", 4);
    List<AuditRecord> b = chain("b", 2);
    List<AuditRecord> shuffled =
        List.of(a.get(3), b.get(1), a.get(0), a.get(2), b.get(0), a.get(1));
    assertThat(AuditChain.verifyChains(shuffled)).isEmpty();

    List<AuditRecord> gap = List.of(a.get(0), a.get(2), a.get(3));
    assertThat(AuditChain.verifyChains(gap))
        .containsExactlyInAnyOrder(
            "chain a has a gap before request r2", "chain a has a gap before request r3");
  }
}
