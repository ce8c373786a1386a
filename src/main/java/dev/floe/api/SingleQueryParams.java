package dev.floe.api;

import dev.floe.error.FloeException;
import jakarta.ws.rs.container.ContainerRequestContext;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Query parameters JAX-RS would read leniently are refused: one given more than once (it would take
 * the first), except the size endpoint's partition filters, which are lists by design; and a number
 * or a flag given empty (it would take the default, or null).
 */
public class SingleQueryParams {
  private static final Set<String> REPEATABLE = Set.of("partitionKey", "partitionValue");
  private static final Set<String> NOT_EMPTY = Set.of("after", "limit", "counts");

  @ServerRequestFilter
  public void refuseRepeated(ContainerRequestContext request) {
    for (Map.Entry<String, List<String>> e : request.getUriInfo().getQueryParameters().entrySet()) {
      if (e.getValue().size() > 1 && !REPEATABLE.contains(e.getKey())) {
        throw FloeException.invalid(
            "Query parameter "
                + e.getKey()
                + " is given "
                + e.getValue().size()
                + " times; give it once.");
      }
      if (NOT_EMPTY.contains(e.getKey()) && e.getValue().get(0).isBlank()) {
        throw FloeException.invalid(
            "Query parameter " + e.getKey() + " is empty; give it a value or leave it out.");
      }
    }
  }
}
