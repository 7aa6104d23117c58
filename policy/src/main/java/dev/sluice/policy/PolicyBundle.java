package dev.sluice.policy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.sluice.config.Env;
import dev.sluice.schemas.Principal;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The local policy bundle ({@code POLICY_DIR}, default {@code policies/}): {@code default.yaml} for
 * every tenant and {@code tenants/<tenant>.yaml} overrides, named exactly (case-sensitively) as the
 * tokens' {@code tenant} claim, by the rule of {@link Principal#isValidTenant}. Loaded once at
 * start; a bundle that cannot be read or is invalid stops start-up with a message naming the file
 * and the field. Its version is the SHA-256 of every file's name and content, so any change is a
 * new version.
 */
public final class PolicyBundle {
  /** How retrieved context may be marked for the model (the pipeline's {@code SpotlightMode}). */
  private static final List<String> SPOTLIGHT_MODES = List.of("delimit", "datamark", "off");

  private static final ObjectMapper YAML = yamlMapper();

  private final String version;
  private final PolicyDocument defaults;
  private final Map<String, PolicyDocument> tenants;
  private final boolean fromFiles;
  private final Map<String, TenantPolicy> resolved = new ConcurrentHashMap<>();

  private PolicyBundle(
      String version,
      PolicyDocument defaults,
      Map<String, PolicyDocument> tenants,
      boolean fromFiles) {
    this.version = version;
    this.defaults = defaults;
    this.tenants = Map.copyOf(tenants);
    this.fromFiles = fromFiles;
  }

  /**
   * The bundle in {@code POLICY_DIR}. When the variable is unset, {@code ./policies} is used if it
   * exists; without either the gateway runs on its environment defaults alone (said at start by the
   * caller). A {@code POLICY_DIR} that is set but unusable is an error.
   */
  public static PolicyBundle configured(Env env) {
    Optional<String> configured = env.get("POLICY_DIR");
    if (configured.isPresent()) {
      return load(Path.of(configured.get()));
    }
    Path local = Path.of("policies");
    return Files.isRegularFile(local.resolve("default.yaml")) ? load(local) : empty();
  }

  /** Whether this bundle came from files (false for {@link #empty()}). */
  public boolean fromFiles() {
    return fromFiles;
  }

  /** A bundle with no rules: every tenant gets the gateway's defaults. */
  public static PolicyBundle empty() {
    return new PolicyBundle(
        "sha256:" + HexFormat.of().formatHex(sha256().digest()),
        new PolicyDocument(null, null, null, null, null, null, null, null),
        Map.of(),
        false);
  }

  public static PolicyBundle load(Path dir) {
    Path defaultsFile = dir.resolve("default.yaml");
    if (!Files.isRegularFile(defaultsFile)) {
      throw new PolicyException("policy bundle " + dir + " has no default.yaml");
    }
    TreeMap<String, byte[]> files = new TreeMap<>();
    files.put("default.yaml", read(defaultsFile));
    Path tenantDir = dir.resolve("tenants");
    if (Files.isDirectory(tenantDir)) {
      try (Stream<Path> entries = Files.list(tenantDir)) {
        for (Path file : entries.sorted().toList()) {
          String name = file.getFileName().toString();
          if (name.endsWith(".yaml") || name.endsWith(".yml")) {
            files.put("tenants/" + name, read(file));
          }
        }
      } catch (IOException e) {
        throw new PolicyException("cannot list " + tenantDir + ": " + e.getMessage());
      }
    }
    PolicyDocument defaults = parse("default.yaml", files.get("default.yaml"));
    Map<String, PolicyDocument> tenants = new HashMap<>();
    for (Map.Entry<String, byte[]> file : files.entrySet()) {
      if (!file.getKey().startsWith("tenants/")) {
        continue;
      }
      String base = file.getKey().substring("tenants/".length());
      String tenant = base.substring(0, base.lastIndexOf('.'));
      // The tokens' rule: a file no token's tenant could name would never apply.
      if (!Principal.isValidTenant(tenant)) {
        throw new PolicyException(
            file.getKey()
                + ": not a valid tenant name ("
                + Principal.TENANT_RULE
                + "; names are case-sensitive)");
      }
      if (tenants.put(tenant, parse(file.getKey(), file.getValue())) != null) {
        throw new PolicyException(file.getKey() + ": tenant " + tenant + " has two files");
      }
    }
    return new PolicyBundle(version(files), defaults, tenants, true);
  }

  /** {@code sha256:<hex>} over every file's name and content. */
  public String version() {
    return version;
  }

  public Set<String> tenantsWithOverrides() {
    return tenants.keySet();
  }

  /** The tenant's file over the defaults (resolved once per tenant; the bundle never changes). */
  public TenantPolicy forTenant(String tenant) {
    return resolved.computeIfAbsent(tenant, this::resolve);
  }

  /** The policy of a tenant without a file of its own: {@code default.yaml} alone. */
  public TenantPolicy defaults() {
    return resolve(null);
  }

  private TenantPolicy resolve(String tenant) {
    PolicyDocument own = tenant == null ? null : tenants.get(tenant);
    Map<String, String> aliases = new HashMap<>();
    Map<String, List<String>> fallbacks = new HashMap<>();
    List<DenyRule> denials = new ArrayList<>();
    List<TenantRateLimits.Section> rateLimits = new ArrayList<>();
    Optional<Set<String>> allowed = Optional.empty();
    Optional<Set<String>> providers = Optional.empty();
    Integer maxMessages = null;
    Integer maxMessageChars = null;
    Integer maxTokens = null;
    List<String> redactionTypes = null;
    Boolean redactPrompts = null;
    String contextMode = null;
    String promptMode = null;
    Integer sensitivity = null;
    String spotlight = null;
    Boolean stripHiddenText = null;
    Boolean passthroughUnknownFields = null;
    Boolean providerStorage = null;
    for (PolicyDocument document : own == null ? List.of(defaults) : List.of(defaults, own)) {
      if (document.models() != null) {
        if (document.models().allowed() != null) {
          allowed = Optional.of(Set.copyOf(document.models().allowed()));
        }
        if (document.models().aliases() != null) {
          aliases.putAll(document.models().aliases());
        }
        if (document.models().fallbacks() != null) {
          fallbacks.putAll(document.models().fallbacks());
        }
      }
      if (document.limits() != null) {
        PolicyDocument.Limits limits = document.limits();
        maxMessages = limits.maxMessages() != null ? limits.maxMessages() : maxMessages;
        maxMessageChars =
            limits.maxMessageChars() != null ? limits.maxMessageChars() : maxMessageChars;
        maxTokens = limits.maxTokens() != null ? limits.maxTokens() : maxTokens;
      }
      if (document.providers() != null && document.providers().allowed() != null) {
        providers = Optional.of(Set.copyOf(document.providers().allowed()));
      }
      if (document.firewall() != null) {
        PolicyDocument.Firewall firewall = document.firewall();
        contextMode = firewall.contextMode() != null ? firewall.contextMode() : contextMode;
        promptMode = firewall.promptMode() != null ? firewall.promptMode() : promptMode;
        sensitivity = firewall.sensitivity() != null ? firewall.sensitivity() : sensitivity;
        spotlight = firewall.spotlight() != null ? firewall.spotlight() : spotlight;
        stripHiddenText =
            firewall.stripHiddenText() != null ? firewall.stripHiddenText() : stripHiddenText;
      }
      if (document.redaction() != null) {
        if (document.redaction().types() != null) {
          redactionTypes = document.redaction().types();
        }
        if (document.redaction().redactPrompts() != null) {
          redactPrompts = document.redaction().redactPrompts();
        }
      }
      if (document.deny() != null) {
        denials.addAll(document.deny());
      }
      if (document.rateLimits() != null) {
        rateLimits.add(section(document.rateLimits()));
      }
      if (document.requestFields() != null) {
        PolicyDocument.RequestFields fields = document.requestFields();
        if (fields.passthroughUnknownFields() != null) {
          passthroughUnknownFields = fields.passthroughUnknownFields();
        }
        if (fields.providerStorage() != null) {
          providerStorage = fields.providerStorage();
        }
      }
    }
    return new TenantPolicy(
        allowed,
        aliases,
        fallbacks,
        providers,
        maxMessages,
        maxMessageChars,
        maxTokens,
        contextMode,
        promptMode,
        sensitivity,
        spotlight,
        stripHiddenText,
        redactionTypes,
        redactPrompts,
        denials,
        new TenantRateLimits(rateLimits),
        passthroughUnknownFields,
        providerStorage);
  }

  /**
   * Integers are integers: {@code 1.5} or {@code "600"} where a count is expected is a mistake to
   * report, not a value to round or convert.
   */
  private static ObjectMapper yamlMapper() {
    JsonMapper mapper =
        JsonMapper.builder(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .build();
    mapper
        .coercionConfigFor(LogicalType.Integer)
        .setCoercion(CoercionInputShape.String, CoercionAction.Fail);
    return mapper;
  }

  private static TenantRateLimits.Section section(PolicyDocument.RateLimitSection section) {
    Map<String, RateLimits> models = new HashMap<>();
    if (section.models() != null) {
      section.models().forEach((model, values) -> models.put(model, limits(values)));
    }
    return new TenantRateLimits.Section(
        limits(section.values()),
        models,
        section.batch() == null ? RateLimits.NONE : limits(section.batch()));
  }

  private static RateLimits limits(PolicyDocument.RateLimitValues values) {
    return new RateLimits(
        optional(values.requests()),
        optional(values.windowMs()),
        optional(values.tokensPerMinute()),
        optional(values.dailyTokens()),
        values.concurrent() == null ? OptionalInt.empty() : OptionalInt.of(values.concurrent()));
  }

  private static OptionalLong optional(Long value) {
    return value == null ? OptionalLong.empty() : OptionalLong.of(value);
  }

  private static PolicyDocument parse(String name, byte[] content) {
    PolicyDocument document;
    try {
      document = content.length == 0 ? null : YAML.readValue(content, PolicyDocument.class);
    } catch (JsonProcessingException e) {
      // Jackson's own message can quote the file; keep where it broke and what it expected.
      String where = e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")";
      throw new PolicyException(
          name + ": invalid" + where + field(e) + ": " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new PolicyException(name + ": cannot read: " + e.getMessage());
    }
    if (document == null) {
      return new PolicyDocument(null, null, null, null, null, null, null, null);
    }
    if (document.rateLimits() != null) {
      try {
        refuseNulls(name, "rate_limits", YAML.readTree(content).get("rate_limits"));
      } catch (IOException e) {
        throw new PolicyException(name + ": cannot read: " + e.getMessage());
      }
    }
    check(name, document);
    return document;
  }

  /** The dotted path of the field Jackson stopped at ({@code rate_limits.models.stub.requests}). */
  private static String field(JsonProcessingException e) {
    if (!(e instanceof JsonMappingException mapping) || mapping.getPath().isEmpty()) {
      return "";
    }
    return " at "
        + mapping.getPath().stream()
            .map(
                reference ->
                    reference.getFieldName() != null
                        ? reference.getFieldName()
                        : "[" + reference.getIndex() + "]")
            .collect(Collectors.joining("."))
            .replace(".[", "[");
  }

  private static void check(String name, PolicyDocument document) {
    if (document.rateLimits() != null) {
      checkRateLimits(name, document.rateLimits());
    }
    if (document.limits() != null) {
      positive(name, "limits.max_messages", document.limits().maxMessages());
      positive(name, "limits.max_message_chars", document.limits().maxMessageChars());
      positive(name, "limits.max_tokens", document.limits().maxTokens());
    }
    if (document.firewall() != null) {
      mode(name, "firewall.context_mode", document.firewall().contextMode());
      mode(name, "firewall.prompt_mode", document.firewall().promptMode());
      String spotlight = document.firewall().spotlight();
      if (spotlight != null && !SPOTLIGHT_MODES.contains(spotlight)) {
        throw new PolicyException(name + ": firewall.spotlight must be delimit, datamark or off");
      }
      Integer level = document.firewall().sensitivity();
      if (level != null && (level < 1 || level > 10)) {
        throw new PolicyException(name + ": firewall.sensitivity must be from 1 to 10");
      }
    }
    if (document.models() != null && document.models().aliases() != null) {
      for (Map.Entry<String, String> alias : document.models().aliases().entrySet()) {
        if (alias.getValue() == null || alias.getValue().isBlank()) {
          throw new PolicyException(name + ": models.aliases." + alias.getKey() + " is empty");
        }
      }
    }
    if (document.models() != null && document.models().fallbacks() != null) {
      for (Map.Entry<String, List<String>> chain : document.models().fallbacks().entrySet()) {
        String field = name + ": models.fallbacks." + chain.getKey();
        List<String> then = chain.getValue();
        if (then == null || then.isEmpty()) {
          throw new PolicyException(field + " needs at least one model");
        }
        if (then.stream().anyMatch(model -> model == null || model.isBlank())) {
          throw new PolicyException(field + " names an empty model");
        }
        if (then.contains(chain.getKey()) || Set.copyOf(then).size() != then.size()) {
          throw new PolicyException(field + " repeats a model");
        }
      }
    }
    if (document.deny() != null) {
      for (int i = 0; i < document.deny().size(); i++) {
        DenyRule rule = document.deny().get(i);
        if (rule == null || rule.reason() == null || rule.reason().isBlank()) {
          throw new PolicyException(name + ": deny[" + i + "] needs a reason");
        }
      }
    }
  }

  /**
   * An empty value ({@code requests:} or {@code requests: ~}) reads as null, which would inherit;
   * it may have been meant as "no limit", which a file cannot say, so it is refused.
   */
  private static void refuseNulls(String name, String field, JsonNode node) {
    for (Map.Entry<String, JsonNode> entry : node.properties()) {
      String path = field + "." + entry.getKey();
      if (entry.getValue().isNull()) {
        throw new PolicyException(
            name + ": " + path + " is empty (leave it out to inherit; no file can lift a limit)");
      }
      if (entry.getValue().isObject()) {
        refuseNulls(name, path, entry.getValue());
      }
    }
  }

  private static void checkRateLimits(String name, PolicyDocument.RateLimitSection section) {
    values(name, "rate_limits", section.values());
    if (section.models() != null) {
      for (Map.Entry<String, PolicyDocument.RateLimitValues> model : section.models().entrySet()) {
        if (model.getKey().isBlank()) {
          throw new PolicyException(name + ": rate_limits.models names an empty model");
        }
        values(name, "rate_limits.models." + model.getKey(), model.getValue());
      }
    }
    if (section.batch() != null) {
      values(name, "rate_limits.batch", section.batch());
    }
  }

  private static void values(String name, String field, PolicyDocument.RateLimitValues values) {
    List<String> problems =
        RateLimits.problems(
            optional(values.requests()),
            optional(values.windowMs()),
            optional(values.tokensPerMinute()),
            optional(values.dailyTokens()),
            values.concurrent() == null
                ? OptionalInt.empty()
                : OptionalInt.of(values.concurrent()));
    if (!problems.isEmpty()) {
      throw new PolicyException(name + ": " + field + "." + problems.get(0));
    }
  }

  private static void mode(String name, String field, String value) {
    if (value != null && !List.of("block", "flag", "off").contains(value)) {
      throw new PolicyException(name + ": " + field + " must be block, flag or off");
    }
  }

  private static void positive(String name, String field, Integer value) {
    if (value != null && value < 1) {
      throw new PolicyException(name + ": " + field + " must be >= 1");
    }
  }

  private static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new PolicyException("cannot read " + file + ": " + e.getMessage());
    }
  }

  private static String version(TreeMap<String, byte[]> files) {
    MessageDigest digest = sha256();
    for (Map.Entry<String, byte[]> file : files.entrySet()) {
      digest.update(file.getKey().getBytes(StandardCharsets.UTF_8));
      digest.update((byte) 0);
      digest.update(file.getValue());
      digest.update((byte) 0);
    }
    return "sha256:" + HexFormat.of().formatHex(digest.digest());
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
