package dev.floe.api;

import dev.floe.auth.AuditTrail;
import dev.floe.auth.Authenticator;
import dev.floe.error.ErrorCode;
import dev.floe.workload.Caller;
import dev.floe.workload.Workload;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.HttpHeaders;
import java.time.Clock;
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
  private final Clock clock;

  public AuthFilter(
      Authenticator authenticator, CurrentRequest current, AuditTrail trail, Clock clock) {
    this.authenticator = authenticator;
    this.current = current;
    this.trail = trail;
    this.clock = clock;
  }

  @ServerRequestFilter(priority = Priorities.AUTHENTICATION)
  public void authenticate(ContainerRequestContext request, HttpServerRequest http) {
    if (!request.getUriInfo().getPath().startsWith(API)) {
      return;
    }
    String remote = http.remoteAddress() == null ? null : http.remoteAddress().hostAddress();
    current.from(remote);
    Caller caller = authenticator.authenticate(request.getHeaderString(HttpHeaders.AUTHORIZATION));
    current.authenticated(caller, remote);
  }

  @ServerResponseFilter
  public void audit(ContainerRequestContext request, ContainerResponseContext response) {
    String path = request.getUriInfo().getPath();
    if (!path.startsWith(API)) {
      return;
    }
    try {
      Caller caller = current.callerOrNull();
      Workload workload = current.workload();
      ErrorResponse error = response.getEntity() instanceof ErrorResponse e ? e : null;
      ErrorCode code = error == null ? null : error.errorCode();
      int status = response.getStatus();
      String runId =
          current.runId() != null ? current.runId() : error == null ? null : error.runId();
      trail.append(
          new AuditTrail.Entry(
              0,
              clock.instant(),
              caller == null ? null : caller.principal(),
              caller == null ? null : caller.credential(),
              current.remote(),
              request.getMethod() + " " + path,
              workload == null ? null : workload.mode().name().toLowerCase(java.util.Locale.ROOT),
              workload == null ? null : AuditTrail.sha256(workload.source()),
              null,
              workload == null || workload.destination() == null
                  ? null
                  : workload.destination().table().toString(),
              null,
              status,
              code != null ? AuditTrail.outcome(code) : status >= 400 ? "failed" : "ok",
              code == null ? null : code.name(),
              runId));
    } catch (RuntimeException e) {
      LOG.errorf(e, "Cannot audit %s %s", request.getMethod(), path);
    }
  }
}
