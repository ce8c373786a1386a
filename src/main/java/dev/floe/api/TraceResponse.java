package dev.floe.api;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * Every API answer names the trace it belongs to, in W3C Trace Context's {@code traceresponse}
 * header ({@code 00-<trace id>-<span id>-<flags>}): the trace a caller's {@code traceparent}
 * continued, or the one the request began. A run's trace id is also in its record ({@code
 * trace_id}) and on every line the service logs for it.
 */
public class TraceResponse {
  static final String HEADER = "traceresponse";

  @ServerResponseFilter
  public void name(ContainerResponseContext response) {
    SpanContext span = Span.current().getSpanContext();
    if (span.isValid()) {
      response
          .getHeaders()
          .putSingle(
              HEADER,
              "00-"
                  + span.getTraceId()
                  + "-"
                  + span.getSpanId()
                  + "-"
                  + span.getTraceFlags().asHex());
    }
  }
}
