# The default policy bundle's rules for Open Policy Agent (OPA mode: OPA_URL set).
# The gateway asks POST /v1/data/gateway/deny with
#   {"input": {"tenant", "model", "subject", "source", "max_tokens", "context_sources",
#              "context_source", "risk", "rate_limits", "request_fields", "tools",
#              "response_format", "service_tier", "reasoning_effort", "store"}}
# and denies the request when the result is true or a non-empty list; the items are the reasons.
# source is "http" or "batch". rate_limits are the limits the request is held to, resolved by the
# gateway from the RATE_LIMIT_* variables and the local bundle's rate_limits sections for this
# tenant, model and source (the batch share for batch traffic): an object with only the limits
# that are set, {"requests", "window_ms", "tokens_per_minute", "daily_tokens", "concurrent"}
# (window_ms only with requests), {} when none is. The limiter enforces them whatever OPA says;
# rules may read them, e.g. to refuse batch jobs of a tenant without a daily budget:
#   deny contains "batch jobs need a daily token budget" if {
#   	input.source == "batch"
#   	not input.rate_limits.daily_tokens
#   }
# context_sources lists every chunk's source (empty without context), in canonical form: scheme
# and host lower-cased, percent-encoding decoded, duplicate slashes and dot segments resolved, so
# a startswith on a lower-case prefix cannot be dodged by spelling; context_source is only the
# first, kept for older policies: a rule about origins must look at the list, or a request could
# put an allowed chunk first.
# request_fields names the Chat Completions options the request sets (unknown fields included,
# when the tenant passes them through), tools the names of the functions it offers; the values of
# response_format (its type), service_tier and reasoning_effort are there when set, and store is
# true or false. Never any text. For example, to keep a tenant off the priority tier:
#   deny contains "the priority tier is not in this tenant's contract" if {
#   	input.tenant == "acme"
#   	input.service_tier == "priority"
#   }
# Tenant settings (caps, aliases, firewall modes, rate limits) always come from the local bundle;
# OPA adds denials. Keep this file equivalent to default.yaml and tenants/*.yaml.
package gateway

import rego.v1

# models.allowed in tenants/acme.yaml; model is the resolved name. default.yaml has no list:
# other tenants may use whatever ALLOWED_MODELS enables, which the gateway checks before it asks.
acme_models := {"stub"}

deny contains "the model is not allowed by policy" if {
	input.tenant == "acme"
	not input.model in acme_models
}

# default.yaml: deny[0]
deny contains "suspended subjects may not use the gateway" if {
	input.subject == "suspended"
}

# default.yaml: deny[1]
deny contains "answers over 2048 tokens are not allowed by default" if {
	input.max_tokens > 2048
}

# tenants/acme.yaml: deny[0]
deny contains "acme's contractors may not send context from the internal wiki" if {
	input.tenant == "acme"
	input.subject == "contractor"
	some source in input.context_sources
	startswith(source, "kb://internal/")
}
