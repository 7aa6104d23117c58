package dev.sluice.schemas.reply;

import com.fasterxml.jackson.annotation.JsonInclude;

/** A context chunk the answer was allowed to draw on. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Citation(String id, String source) {}
