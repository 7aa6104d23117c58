package dev.sluice.pipeline.flow;

/** What travels between the pipeline's processors (in memory, never serialised). */
public sealed interface Step permits Admitted, Settled, Undeliverable {
  String requestId();
}
