/**
 * A circuit breaker per provider: after a run of provider faults the gateway stops calling that
 * provider for a while and answers 503 at once, instead of making every caller wait for a provider
 * that is down. {@link dev.sluice.egress.circuit.CircuitBreakingProvider} wraps any {@link
 * dev.sluice.egress.Provider} with one.
 */
package dev.sluice.egress.circuit;
