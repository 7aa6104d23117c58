/**
 * The guardrails measured on public labelled development sets ({@code scripts/eval-guardrails}):
 * {@link dev.sluice.tools.eval.RedactionEval} for the redactor's PII rules, {@link
 * dev.sluice.tools.eval.InjectionEval} for the injection scorer. They report and never gate.
 */
package dev.sluice.tools.eval;
