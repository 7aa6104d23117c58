# The default policy bundle's rules for Open Policy Agent (OPA mode: OPA_URL set).
# The gateway asks POST /v1/data/gateway/deny with
#   {"input": {"tenant", "model", "subject", "max_tokens", "context_sources", "context_source",
#              "risk"}}
# and denies the request when the result is true or a non-empty list; the items are the reasons.
# context_sources lists every chunk's source (empty without context), in canonical form: scheme
# and host lower-cased, percent-encoding decoded, duplicate slashes and dot segments resolved, so
# a startswith on a lower-case prefix cannot be dodged by spelling; context_source is only the
# first, kept for older policies: a rule about origins must look at the list, or a request could
# put an allowed chunk first.
# Tenant settings (caps, aliases, firewall modes) always come from the local bundle; OPA adds
# denials. Keep this file equivalent to default.yaml and tenants/*.yaml.
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
