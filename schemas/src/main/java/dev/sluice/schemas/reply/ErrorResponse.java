package dev.sluice.schemas.reply;

/** {@code {"error": {...}}}, the envelope OpenAI clients look for. */
public record ErrorResponse(GatewayError error) {}
