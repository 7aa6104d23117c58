package dev.sluice.pipeline.flow;

/**
 * An envelope that cannot be answered (no usable reply address or id); it goes to dead letters with
 * where it was read from, never with its payload.
 */
public record Undeliverable(
    String requestId, String reason, String sourceTopic, int partition, long offset)
    implements Step {}
