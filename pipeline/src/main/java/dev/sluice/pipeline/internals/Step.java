package dev.sluice.pipeline.internals;

/** What travels between the pipeline's processors (in memory, never serialised). */
public sealed interface Step permits Admitted, Settled, Undeliverable {
  String requestId();
}
