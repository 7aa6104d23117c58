package dev.sluice.policy;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * One YAML file of a bundle, as written: every section optional, so a tenant file says only what
 * differs from the defaults. Unknown fields are errors (a typo must not silently relax policy).
 */
record PolicyDocument(
    Models models,
    Limits limits,
    Providers providers,
    Firewall firewall,
    Redaction redaction,
    List<DenyRule> deny,
    @JsonProperty("rate_limits") RateLimitSection rateLimits,
    @JsonProperty("request_fields") RequestFields requestFields) {

  /**
   * {@code request_fields}: what of a request beyond the gateway's own checks may reach a provider.
   */
  record RequestFields(
      @JsonProperty("passthrough_unknown_fields") Boolean passthroughUnknownFields,
      @JsonProperty("provider_storage") Boolean providerStorage) {}

  record Providers(List<String> allowed) {}

  record Firewall(
      @JsonProperty("context_mode") String contextMode,
      @JsonProperty("prompt_mode") String promptMode,
      Integer sensitivity,
      String spotlight,
      @JsonProperty("strip_hidden_text") Boolean stripHiddenText) {}

  record Redaction(List<String> types, @JsonProperty("redact_prompts") Boolean redactPrompts) {}

  record Models(
      List<String> allowed, Map<String, String> aliases, Map<String, List<String>> fallbacks) {}

  record Limits(
      @JsonProperty("max_messages") Integer maxMessages,
      @JsonProperty("max_message_chars") Integer maxMessageChars,
      @JsonProperty("max_tokens") Integer maxTokens) {}

  /** {@code rate_limits}: the values, per-model overrides and the batch share. */
  record RateLimitSection(
      Long requests,
      @JsonProperty("window_ms") Long windowMs,
      @JsonProperty("tokens_per_minute") Long tokensPerMinute,
      @JsonProperty("daily_tokens") Long dailyTokens,
      Integer concurrent,
      Map<String, RateLimitValues> models,
      RateLimitValues batch) {

    RateLimitValues values() {
      return new RateLimitValues(requests, windowMs, tokensPerMinute, dailyTokens, concurrent);
    }
  }

  /** One set of limits: a model's entry, or the batch share. */
  record RateLimitValues(
      Long requests,
      @JsonProperty("window_ms") Long windowMs,
      @JsonProperty("tokens_per_minute") Long tokensPerMinute,
      @JsonProperty("daily_tokens") Long dailyTokens,
      Integer concurrent) {}
}
