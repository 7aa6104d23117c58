package dev.sluice.policy;

/**
 * Where the policy stage's denials come from: the local bundle alone, or Open Policy Agent as well.
 * Recorded with every decision in the audit log and shown by {@code /readyz}.
 */
public enum PolicyMode {
  LOCAL,
  OPA
}
