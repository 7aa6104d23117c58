# Unit tests for gateway.rego: run with `opa test policies/` (OPA is not part of the build).
package gateway_test

import rego.v1

import data.gateway

allowed_request := {
	"tenant": "acme",
	"model": "stub",
	"subject": "alice",
	"source": "http",
	"max_tokens": 256,
	"context_sources": [],
	"context_source": "",
	"risk": 0,
	"rate_limits": {},
}

test_rate_limits_alone_deny_nothing if {
	count(gateway.deny) == 0 with input as object.union(
		allowed_request,
		{"source": "batch", "rate_limits": {"requests": 100, "window_ms": 60000, "concurrent": 2}},
	)
}

test_an_ordinary_request_is_not_denied if {
	count(gateway.deny) == 0 with input as allowed_request
}

test_a_suspended_subject_is_denied if {
	"suspended subjects may not use the gateway" in gateway.deny with input as object.union(allowed_request, {"subject": "suspended"})
}

test_long_answers_are_denied if {
	"answers over 2048 tokens are not allowed by default" in gateway.deny with input as object.union(allowed_request, {"max_tokens": 4000})
}

test_a_model_outside_acmes_list_is_denied if {
	"the model is not allowed by policy" in gateway.deny with input as object.union(allowed_request, {"model": "openai:gpt-4o"})
}

test_other_tenants_may_use_any_model_the_gateway_enables if {
	count(gateway.deny) == 0 with input as object.union(allowed_request, {"tenant": "globex", "model": "openai:gpt-4o"})
}

test_acme_contractors_may_not_use_the_internal_wiki if {
	"acme's contractors may not send context from the internal wiki" in gateway.deny with input as object.union(
		allowed_request,
		{"subject": "contractor", "context_sources": ["kb://internal/hr"], "context_source": "kb://internal/hr"},
	)
}

test_acme_contractors_may_not_hide_the_internal_wiki_behind_another_chunk if {
	"acme's contractors may not send context from the internal wiki" in gateway.deny with input as object.union(
		allowed_request,
		{
			"subject": "contractor",
			"context_sources": ["kb://approved/faq", "kb://internal/hr"],
			"context_source": "kb://approved/faq",
		},
	)
}

test_other_tenants_contractors_may if {
	count(gateway.deny) == 0 with input as object.union(
		allowed_request,
		{"tenant": "globex", "subject": "contractor", "context_sources": ["kb://internal/hr"], "context_source": "kb://internal/hr"},
	)
}
