package dev.sluice.ingress;

import io.javalin.security.RouteRole;

/** Who may call a route. A route registered without a role is refused. */
enum Role implements RouteRole {
  /** Health and readiness probes. */
  PUBLIC,
  /** Callers with a valid credential. */
  CALLER
}
