/**
 * Stand-ins for real LLM providers, for tests and benchmarks only: {@link
 * dev.sluice.tools.standins.FakeProviderServer} answers in the OpenAI, Azure OpenAI and Anthropic
 * wire formats without calling anyone.
 */
package dev.sluice.tools.standins;
