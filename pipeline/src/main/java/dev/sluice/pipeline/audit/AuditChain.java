package dev.sluice.pipeline.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.sluice.schemas.audit.AuditRecord;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The hash chain of the audit log. Each record's {@code hash} is the SHA-256 of its canonical
 * serialisation (every field but {@code hash}, keys sorted, no insignificant whitespace), which
 * includes {@code chainId} and {@code prevHash}; the first record of a chain has a {@code prevHash}
 * of 64 zeros. Changing, removing or reordering any record breaks every link after it.
 */
public final class AuditChain {
  /** The {@code prevHash} of a chain's first record. */
  public static final String GENESIS = "0".repeat(64);

  private static final ObjectMapper CANONICAL =
      JsonMapper.builder()
          .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
          .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
          .serializationInclusion(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
          .build();

  private AuditChain() {}

  /** {@code unlinked} placed after {@code prevHash} on chain {@code chainId}, with its hash. */
  public static AuditRecord link(AuditRecord unlinked, String chainId, String prevHash) {
    AuditRecord withLink = withChain(unlinked, chainId, prevHash, null);
    return withChain(withLink, chainId, prevHash, hash(withLink));
  }

  /** The hash a record must carry: SHA-256 over its canonical form without {@code hash}. */
  public static String hash(AuditRecord record) {
    AuditRecord withoutHash = withChain(record, record.chainId(), record.prevHash(), null);
    try {
      byte[] canonical = CANONICAL.writeValueAsBytes(withoutHash);
      return HexFormat.of().formatHex(sha256().digest(canonical));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise an audit record", e);
    }
  }

  /** The first problem in a log read in order, or none: chains may interleave. */
  public static List<String> verify(List<AuditRecord> records) {
    Map<String, String> heads = new HashMap<>();
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < records.size(); i++) {
      AuditRecord record = records.get(i);
      String chain = record.chainId();
      if (chain == null || record.hash() == null || record.prevHash() == null) {
        problems.add("record " + i + " is not chained");
        continue;
      }
      if (!record.hash().equals(hash(record))) {
        problems.add("record " + i + " does not match its hash");
      }
      String expectedPrev = heads.getOrDefault(chain, GENESIS);
      if (!record.prevHash().equals(expectedPrev)) {
        problems.add("record " + i + " does not follow the previous record of chain " + chain);
      }
      heads.put(chain, record.hash());
    }
    return problems;
  }

  /**
   * Verifies records read in any order (the log is keyed by tenant, so one chain spreads over
   * partitions): each chain is walked from its genesis by {@code prevHash}; a record that does not
   * match its hash, a fork, or a record the walk never reaches (a gap before it) is a problem.
   */
  public static List<String> verifyChains(Collection<AuditRecord> records) {
    Map<String, Map<String, AuditRecord>> byChain = new HashMap<>();
    List<String> problems = new ArrayList<>();
    for (AuditRecord record : records) {
      if (record.chainId() == null || record.hash() == null || record.prevHash() == null) {
        problems.add("request " + record.requestId() + " is not chained");
        continue;
      }
      if (!record.hash().equals(hash(record))) {
        problems.add("request " + record.requestId() + " does not match its hash");
      }
      AuditRecord other =
          byChain
              .computeIfAbsent(record.chainId(), c -> new HashMap<>())
              .put(record.prevHash(), record);
      if (other != null) {
        problems.add("chain " + record.chainId() + " forks after " + record.prevHash());
      }
    }
    for (Map.Entry<String, Map<String, AuditRecord>> chain : byChain.entrySet()) {
      Map<String, AuditRecord> next = new HashMap<>(chain.getValue());
      String head = GENESIS;
      while (next.containsKey(head)) {
        head = next.remove(head).hash();
      }
      for (AuditRecord unreached : next.values()) {
        problems.add(
            "chain " + chain.getKey() + " has a gap before request " + unreached.requestId());
      }
    }
    return problems;
  }

  /** Hex SHA-256 of a UTF-8 string. */
  public static String sha256Hex(String text) {
    return HexFormat.of().formatHex(sha256().digest(text.getBytes(StandardCharsets.UTF_8)));
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  private static AuditRecord withChain(
      AuditRecord r, String chainId, String prevHash, String hash) {
    Objects.requireNonNull(r, "record");
    return new AuditRecord(
        r.schemaVersion(),
        r.requestId(),
        r.tenant(),
        r.subject(),
        r.timeMs(),
        r.model(),
        r.source(),
        r.decision(),
        r.firewallRisk(),
        r.firewallCues(),
        r.firewallHiddenChars(),
        r.rateLimit(),
        r.provider(),
        r.attempts(),
        r.latencyMs(),
        r.usage(),
        r.redactions(),
        r.promptSha256(),
        chainId,
        prevHash,
        hash);
  }
}
