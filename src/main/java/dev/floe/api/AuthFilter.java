package dev.floe.api;

import dev.floe.auth.AuditTrail;
import dev.floe.auth.Authenticator;
import dev.floe.workload.Caller;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.HttpHeaders;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * Every {@code /api/} request is authenticated before its resource sees it, and audited when it is
 * answered, refusals included. (Health and the OpenAPI document under {@code /q/} are open.)
 */
public class AuthFilter {
  private static final Logger LOG = Logger.getLogger(AuthFilter.class);
  private static final String API = "/api/";

  private final Authenticator authenticator;
  private final CurrentRequest current;
  private final AuditTrail trail;

  public AuthFilter(Authenticator authenticator, CurrentRequest current, AuditTrail trail) {
    this.authenticator = authenticator;
    this.current = current;
    this.trail = trail;
  }

  @ServerRequestFilter(priority = Priorities.AUTHENTICATION)
  public void authenticate(ContainerRequestContext request, HttpServerRequest http) {
    if (!request.getUriInfo().getPath().startsWith(API)) {
      return;
    }
    current.from(http.remoteAddress() == null ? null : http.remoteAddress().hostAddress());
    Caller caller = authenticator.authenticate(request.getHeaderString(HttpHeaders.AUTHORIZATION));
    current.authenticated(caller);
  }

  @ServerResponseFilter
  public void audit(ContainerRequestContext request, ContainerResponseContext response) {
    String path = request.getUriInfo().getPath();
    if (!path.startsWith(API)) {
      return;
    }
    try {
      ErrorResponse error = response.getEntity() instanceof ErrorResponse e ? e : null;
      trail.request(
          current.callerOrNull(),
          current.remote(),
          request.getMethod() + " " + path,
          current.workload(),
          response.getStatus(),
          error == null ? null : error.errorCode(),
          current.runId() != null ? current.runId() : error == null ? null : error.runId());
    } catch (RuntimeException e) {
      LOG.errorf(e, "Cannot audit %s %s", request.getMethod(), path);
    }
  }
}
