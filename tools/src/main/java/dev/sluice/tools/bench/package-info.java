/**
 * JMH benchmarks of the guardrails, run from the shaded {@code tools/target/benchmarks.jar}, never
 * during the build.
 */
package dev.sluice.tools.bench;
